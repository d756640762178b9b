/**
 * The panel against the kernel's real `mdlma.annotation` handler and annotation store (kernel-lib, in-process):
 * keys choose label, size and tool, a pointer stroke lands in the kernel's replica, Ctrl+Z / Ctrl+Shift+Z undo and
 * redo it there, D marks the slice done, and a kernel-side edit shows up in the panel. The panel's controls are React
 * (rendered at the next update), so the tests wait for what they read there; its `data-*` attributes change at once.
 */
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TextEncoder } from 'util';

import { Widget } from '@lumino/widgets';
import { AnnotationStore, CommRegistry, registerAnnotationSession } from '@mdlma/kernel';
import { ANNOTATION_TARGET, type AnnotationKernelMessage } from '@mdlma/kernel/protocol';

import { AnnotationPanel } from './annotation-panel';
import { AnnotationClient, type AnnotationChannel } from './channel';

// jsdom draws nothing (no canvas package); the panel skips drawing when there is no 2D context.
HTMLCanvasElement.prototype.getContext = (() => null) as never;
// The kernel's NIfTI writer (run in-process here) encodes header text as Node does; jsdom has no TextEncoder.
globalThis.TextEncoder ??= TextEncoder as typeof globalThis.TextEncoder;

const SHAPE: [number, number, number] = [6, 8, 10];
const HEADER = { msg_id: 'test', msg_type: 'comm_msg', session: 'test', username: 'test', date: '', version: '5.3' } as never;

/** The kernel's comm registry with the session, and a panel whose channel talks to it. */
function connect() {
  const store = new AnnotationStore({ shape: SHAPE, classes: 4 });
  let panelChannel: AnnotationChannel | undefined;
  const registry = new CommRegistry({
    transport: {
      // Delivered a moment later, as over a socket (the kernel wires its handlers right after sending hello).
      send: (msgType, content, buffers) =>
        setTimeout(() => {
          if (msgType === 'comm_msg') panelChannel?.onMessage?.({ data: content.data as unknown as AnnotationKernelMessage, buffers });
          if (msgType === 'comm_close') panelChannel?.onClose?.();
        })
    }
  });
  registerAnnotationSession(
    {
      name: 'jsdom',
      shape: SHAPE,
      classes: 4,
      classNames: ['background', 'bone', 'degradation layer', 'residual material'],
      store,
      suggest: k => [{ axis: 'z', index: 2, score: 0.9, rank: 1, reason: 'test' }, { axis: 'z', index: 4, score: 0.5, rank: 2, reason: 'test' }].slice(0, k) as never,
      imageSlice: () => new Float32Array(80).map((_, p) => p)
    },
    registry
  );
  panelChannel = {
    send: (data, buffers) => void registry.handleFrontendMessage('comm_msg', { comm_id: 'panel', data }, buffers ?? [], HEADER),
    close: () => void registry.handleFrontendMessage('comm_close', { comm_id: 'panel', data: {} }, [], HEADER)
  };
  const panel = new AnnotationPanel({ client: new AnnotationClient(panelChannel), user: 'ana', suggestions: 2, delayMs: 5 });
  Widget.attach(panel, document.body);
  void registry.handleFrontendMessage('comm_open', { comm_id: 'panel', target_name: ANNOTATION_TARGET, data: { session: 'jsdom', user: 'ana' } }, [], HEADER);
  return { store, panel };
}

/** Waits until `ready()` holds (at most 5 s: messages travel through timers, as over a socket). */
async function until(ready: () => boolean): Promise<void> {
  for (const start = Date.now(); !ready() && Date.now() - start < 5000; ) await new Promise(resolve => setTimeout(resolve, 10));
}
const key = (panel: AnnotationPanel, k: string, mods: KeyboardEventInit = {}) => panel.node.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, ...mods }));
/** The panel's elements matching `selector`, once its controls (React, rendered at the next update) show them. */
const parts = (panel: AnnotationPanel, selector: string) => Array.from(panel.node.querySelectorAll<HTMLElement>(selector));
/** Whether the slice shown has its image and prediction from the kernel (no request in flight). */
const loaded = (panel: AnnotationPanel) => panel.node.querySelector('canvas')!.dataset.loaded === 'true';
const labelled = (store: AnnotationStore, label: number) => store.labels().filter(v => v === label).length;

/** A horizontal pointer stroke across row `row` of the 8 x 10 slice, drawn `zoom`x enlarged at (left, top) of the page. */
function stroke(panel: AnnotationPanel, row: number, zoom = 10, left = 0, top = 0): void {
  const canvas = panel.node.querySelector('canvas')!;
  const [width, height] = [10 * zoom, 8 * zoom];
  canvas.getBoundingClientRect = () => ({ left, top, width, height, right: left + width, bottom: top + height, x: left, y: top, toJSON: () => ({}) });
  const at = (type: string, x: number) => canvas.dispatchEvent(new MouseEvent(type, { clientX: left + x * zoom, clientY: top + (row + 0.5) * zoom, button: 0, bubbles: true }));
  at('pointerdown', 0.5);
  at('pointermove', 5);
  at('pointerup', 9.5);
}

/** A click on pixel [row, col] of the 8 x 10 slice, drawn 10x enlarged. */
function click(panel: AnnotationPanel, row: number, col: number): void {
  const canvas = panel.node.querySelector('canvas')!;
  canvas.getBoundingClientRect = () => ({ left: 0, top: 0, width: 100, height: 80, right: 100, bottom: 80, x: 0, y: 0, toJSON: () => ({}) });
  for (const type of ['pointerdown', 'pointerup']) canvas.dispatchEvent(new MouseEvent(type, { clientX: col * 10 + 5, clientY: row * 10 + 5, button: 0, bubbles: true }));
}

describe('AnnotationPanel with the kernel handler', () => {
  it('opens on the first suggestion with the classes as palette', async () => {
    const { panel } = connect();
    await until(() => panel.current[1] === 2 && loaded(panel));
    expect(panel.node.dataset.state).toBe('ready');
    expect(panel.current).toEqual(['z', 2]);
    await until(() => parts(panel, '[data-part="queue"] li').length === 2 && parts(panel, '[data-part="palette"] button').length === 4);
    expect(parts(panel, '[data-part="queue"] li').map(li => li.textContent)).toEqual(['1. z 20.900', '2. z 40.500']);
    expect(parts(panel, '[data-part="palette"] button').map(b => b.textContent!.trim())).toEqual(['background', 'bone', 'degradation layer', 'residual material']);
    panel.dispose();
  });

  it('paints with the keyed label and size, undoes and redoes with keys, in the kernel replica', async () => {
    const { store, panel } = connect();
    await until(() => panel.current[1] === 2 && loaded(panel));
    key(panel, '3');
    key(panel, '[');
    key(panel, '[');
    key(panel, '[');
    key(panel, '[');
    expect(panel.node.dataset.label).toBe('3');
    expect(panel.node.dataset.brushSize).toBe('1');
    stroke(panel, 4);
    await until(() => labelled(store, 3) > 0);
    expect(labelled(store, 3)).toBe(10); // one whole row of the slice, 1 pixel wide
    expect(store.annotatedSlices()).toEqual([{ axis: 'z', index: 2, voxels: 10 }]);
    key(panel, 'e');
    stroke(panel, 4);
    await until(() => labelled(store, 3) === 0);
    expect(labelled(store, 3)).toBe(0);
    key(panel, 'z', { ctrlKey: true });
    await until(() => labelled(store, 3) === 10);
    expect(labelled(store, 3)).toBe(10);
    key(panel, 'z', { ctrlKey: true, shiftKey: true });
    await until(() => labelled(store, 3) === 0);
    expect(labelled(store, 3)).toBe(0);
    key(panel, 'y', { ctrlKey: true }); // nothing left to redo
    const redo = () => panel.node.querySelector<HTMLButtonElement>('[data-part="redo"]')!;
    await until(() => redo().disabled);
    expect(redo().disabled).toBe(true);
    expect(panel.node.querySelector<HTMLButtonElement>('[data-part="undo"]')!.disabled).toBe(false);
    panel.dispose();
  });

  it('maps the pointer exactly at whatever size and place the panel gives the canvas', async () => {
    const { panel } = connect();
    await until(() => panel.current[1] === 2 && loaded(panel));
    key(panel, '2');
    for (let k = 0; k < 4; k++) key(panel, '[');
    // The canvas shrunk into a narrow panel (3.7 px a pixel, off the page's corner), then grown (23.3 px a pixel).
    stroke(panel, 1, 3.7, 613.4, 121.9);
    stroke(panel, 6, 23.3, 17, 40.5);
    await until(() => panel.node.dataset.annotatedVoxels === '20');
    const labels = Array.from(panel.doc!.sliceLabels('z', 2));
    const rows = [0, 1, 2, 3, 4, 5, 6, 7].map(r => labels.slice(r * 10, r * 10 + 10).filter(v => v === 2).length);
    expect(rows).toEqual([0, 10, 0, 0, 0, 0, 10, 0]);
    panel.dispose();
  });

  it('fills a region of the slice with the label (key f, one click, one undo step), in the kernel replica', async () => {
    const { store, panel } = connect();
    await until(() => panel.current[1] === 2 && loaded(panel));
    expect(panel.renderer).toBe('canvas');
    // A closed ring of label 1 in the kernel: rows 1-5, cols 1-5 of the 8 x 10 slice; its inside is 3 x 3.
    const ring: number[] = [];
    for (let r = 1; r <= 5; r++) for (let c = 1; c <= 5; c++) if (r === 1 || r === 5 || c === 1 || c === 5) ring.push(r * 10 + c);
    store.paint({ user: 'kernel', axis: 'z', slice: 2, label: 1, pixels: ring });
    await until(() => panel.node.dataset.annotatedVoxels === '16');
    key(panel, '2');
    key(panel, 'f');
    expect(panel.node.dataset.tool).toBe('fill');
    click(panel, 3, 3);
    await until(() => labelled(store, 2) === 9);
    expect(labelled(store, 2)).toBe(9);
    expect(labelled(store, 1)).toBe(16);
    // Outside the ring: every other unlabelled pixel of that slice (80 - 25), no other slice.
    key(panel, '3');
    click(panel, 0, 0);
    await until(() => labelled(store, 3) === 55);
    expect(store.annotatedSlices()).toEqual([{ axis: 'z', index: 2, voxels: 80 }]);
    key(panel, 'z', { ctrlKey: true });
    await until(() => labelled(store, 3) === 0);
    expect(labelled(store, 2)).toBe(9);
    panel.dispose();
  });

  it('exports the annotations as NIfTI through the kernel and shows the path', async () => {
    const { store, panel } = connect();
    await until(() => panel.current[1] === 2 && loaded(panel));
    stroke(panel, 4);
    const dir = mkdtempSync(join(tmpdir(), 'mdlma-panel-export-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      panel.node.querySelector<HTMLButtonElement>('[data-part="export"]')!.click();
      await until(() => panel.node.dataset.exported !== undefined);
      expect(panel.node.dataset.exported).toBe('jsdom.labels.nii.gz');
      expect(existsSync(join(dir, 'jsdom.labels.nii.gz'))).toBe(true);
      const status = () => panel.node.querySelector('[data-part="status"]')!.textContent!;
      await until(() => status().startsWith('Labels written'));
      expect(status()).toMatch(/^Labels written to .*jsdom\.labels\.nii\.gz \(\d+ labelled voxels: background 0, bone \d+/);
      expect(labelled(store, 1)).toBeGreaterThan(0);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
    panel.dispose();
  });

  it('acts on clicks of its controls: tool, label, brush size, queue', async () => {
    const { panel } = connect();
    await until(() => panel.current[1] === 2 && loaded(panel) && parts(panel, '[data-part="palette"] button').length === 4);
    panel.node.querySelector<HTMLButtonElement>('[data-part="fill"]')!.click();
    expect(panel.node.dataset.tool).toBe('fill');
    parts(panel, '[data-part="palette"] button')[3].click();
    expect(panel.node.dataset.label).toBe('3');
    const activeLabels = () => parts(panel, '[data-part="palette"] button.mdlma-mod-active').map(b => b.dataset.label);
    await until(() => activeLabels()[0] === '3');
    expect(activeLabels()).toEqual(['3']);
    expect(parts(panel, '.mdlma-mod-active[data-part="fill"]')).toHaveLength(1);
    const size = panel.node.querySelector<HTMLInputElement>('[data-part="size"]')!;
    // React's onChange listens to `input` (set through the native setter, as a user's drag does).
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(size, '12');
    size.dispatchEvent(new Event('input', { bubbles: true }));
    expect(panel.node.dataset.brushSize).toBe('12');
    await until(() => panel.node.querySelector('[data-part="size-value"]')!.textContent === '12 px');
    parts(panel, '[data-part="queue"] li')[1].click();
    expect(panel.current).toEqual(['z', 4]);
    await until(() => loaded(panel) && parts(panel, '[data-part="queue"] li.mdlma-mod-current')[0]?.dataset.slice === '4');
    expect(panel.node.querySelector('[data-part="slice"]')!.textContent).toBe('z = 4 / 5');
    panel.dispose();
  });

  it('marks slices done and shows edits made in the kernel', async () => {
    const { store, panel } = connect();
    await until(() => parts(panel, '[data-part="queue"] li').length === 2);
    key(panel, 'd');
    await until(() => parts(panel, '[data-part="queue"] li')[0].dataset.done === 'true');
    expect(parts(panel, '[data-part="queue"] li')[0].dataset.done).toBe('true');
    expect(panel.node.querySelector('[data-part="done"]')!.textContent).toBe('Done ✓');
    store.paint({ user: 'kernel', axis: 'z', slice: 4, label: 1, runs: [0, 7] });
    await until(() => panel.node.dataset.annotatedVoxels === '7');
    expect(panel.node.dataset.annotatedVoxels).toBe('7');
    await until(() => parts(panel, '[data-part="queue"] li')[1].dataset.voxels === '7');
    expect(parts(panel, '[data-part="queue"] li')[1].dataset.voxels).toBe('7');
    key(panel, 'n');
    expect(panel.current).toEqual(['z', 4]);
    await until(() => loaded(panel));
    panel.dispose();
  });
});
