// jsdom has no DragEvent, which @lumino/dragdrop subclasses at import time.
if (typeof globalThis.DragEvent === 'undefined') {
  globalThis.DragEvent = class DragEvent extends MouseEvent {};
}

// jsdom has no matchMedia, which JupyterLab's web components (FAST) call at import time.
if (typeof window.matchMedia !== 'function') {
  window.matchMedia = query => ({
    matches: false,
    media: query,
    onchange: null,
    addListener() {},
    removeListener() {},
    addEventListener() {},
    removeEventListener() {},
    dispatchEvent: () => false
  });
}

// jsdom has no requestIdleCallback, by which ReactWidget says that React has rendered.
if (typeof globalThis.requestIdleCallback !== 'function') {
  globalThis.requestIdleCallback = callback => setTimeout(() => callback({ didTimeout: false, timeRemaining: () => 0 }), 0);
  globalThis.cancelIdleCallback = handle => clearTimeout(handle);
}
