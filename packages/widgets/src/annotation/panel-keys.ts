/**
 * The annotation panel's keyboard shortcuts (panel focused): b brush, e eraser, f fill, 0-9 label, [ ] brush size,
 * Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo, n / p next / previous suggestion, Up / Down next / previous slice,
 * a accept prediction, d mark done. Keys typed into a text field are the field's (range sliders still take them).
 *
 * @example
 * panel.node.addEventListener('keydown', e => handlePanelKey(e, actions));
 */
import type { AnnotationTool } from './panel-view';

/** What the panel's keys do (the panel's methods). */
export interface PanelKeyActions {
  setTool(tool: AnnotationTool): void;
  setLabel(label: number): void;
  /** Makes the brush one pixel larger (+1) or smaller (-1). */
  stepBrushSize(step: number): void;
  undo(): void;
  redo(): void;
  /** The next (+1) or previous (-1) suggestion of the queue. */
  stepQueue(step: number): void;
  /** The next (+1) or previous (-1) slice along the current axis. */
  stepSlice(step: number): void;
  acceptPrediction(): void;
  toggleDone(): void;
}

/** Does what a key pressed in the panel asks; a key it handles goes no further (default and propagation stopped). */
export function handlePanelKey(e: KeyboardEvent, actions: PanelKeyActions): boolean {
  const target = e.target as HTMLElement;
  if (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'range') return false;
  const handled = Private.dispatch(e, actions);
  if (handled) {
    e.preventDefault();
    e.stopPropagation();
  }
  return handled;
}

namespace Private {
  /** Calls the action of the key; false when the key is not a shortcut. */
  export function dispatch(e: KeyboardEvent, actions: PanelKeyActions): boolean {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 'z' && !e.shiftKey) actions.undo();
    else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) actions.redo();
    else if (mod || e.altKey) return false;
    else if (key === 'b') actions.setTool('brush');
    else if (key === 'e') actions.setTool('eraser');
    else if (key === 'f') actions.setTool('fill');
    else if (/^[0-9]$/.test(key)) actions.setLabel(Number(key));
    else if (key === '[' || key === ']') actions.stepBrushSize(key === ']' ? 1 : -1);
    else if (key === 'n' || key === 'p') actions.stepQueue(key === 'n' ? 1 : -1);
    else if (key === 'arrowup' || key === 'arrowdown') actions.stepSlice(key === 'arrowup' ? 1 : -1);
    else if (key === 'a') actions.acceptPrediction();
    else if (key === 'd') actions.toggleDone();
    else return false;
    return true;
  }
}
