/**
 * The annotation panel's DOM: its HTML template (parts named by `data-part`), the wiring of its controls to the
 * panel's actions, and the rendering of the tool buttons, the label palette and the queue of suggested slices from
 * the panel's state. The panel (annotation-panel.ts) owns the state; this module only shows it.
 *
 * @example
 * node.innerHTML = PANEL_TEMPLATE;
 * wireControls(node, actions);
 * renderPalette(node, ['background', 'bone']);
 * renderControls(node, { tool: 'brush', label: 1, brushSize: 5, ... });
 */
import { sliceKey, type SliceAxis } from './annotation-doc';
import { BRUSH_SIZES } from './brush';
import { colorOf } from './slice-image';

/** A suggested slice, as the kernel's `suggest` returns it. */
export interface SuggestedSlice {
  axis: SliceAxis;
  index: number;
  score: number;
  rank: number;
  reason: string;
}

/** The brush, the eraser or the fill tool. */
export type AnnotationTool = 'brush' | 'eraser' | 'fill';

/** What the panel's controls do (the panel's methods). */
export interface PanelControlActions {
  setTool(tool: AnnotationTool): void;
  setLabel(label: number): void;
  setBrushSize(size: number): void;
  undo(): void;
  redo(): void;
  acceptPrediction(): void;
  toggleDone(): void;
  updateModel(): void;
  exportLabels(): void;
  goTo(axis: SliceAxis, slice: number): void;
  /** The next (+1) or previous (-1) slice along the current axis. */
  stepSlice(step: number): void;
  setOpacity(overlay: 'prediction' | 'confidence', opacity: number): void;
}

/** What the tool buttons, the palette and the slice navigation show. */
export interface ControlsState {
  tool: AnnotationTool;
  label: number;
  brushSize: number;
  canUndo: boolean;
  canRedo: boolean;
  /** Whether the current slice is marked done. */
  done: boolean;
  axis: SliceAxis;
  slice: number;
  /** Slices along the axis (undefined before the kernel's hello). */
  sliceCount?: number;
}

/** What the queue list and the summary line show. */
export interface QueueState {
  queue: readonly SuggestedSlice[];
  /** Annotated pixels per slice key (`axis:slice`). */
  counts: ReadonlyMap<string, number>;
  /** Slices marked done, in all. */
  doneCount: number;
  isDone(axis: SliceAxis, slice: number): boolean;
  axis: SliceAxis;
  slice: number;
}

/** The panel's HTML: toolbar, palette, queue beside the stage (navigation and the slice canvas), summary, status. */
export const PANEL_TEMPLATE = `
<div class="mdlma-AnnotationPanel-toolbar">
  <button data-part="brush" title="Brush (B)">Brush</button>
  <button data-part="eraser" title="Eraser (E)">Eraser</button>
  <button data-part="fill" title="Fill: click a region of this slice to fill it with the label (F)">Fill</button>
  <label title="Brush size ([ and ])">Size <input data-part="size" type="range" min="${BRUSH_SIZES.min}" max="${BRUSH_SIZES.max}" step="1"><span data-part="size-value"></span></label>
  <button data-part="undo" title="Undo (Ctrl+Z)">Undo</button>
  <button data-part="redo" title="Redo (Ctrl+Shift+Z, Ctrl+Y)">Redo</button>
  <button data-part="accept" title="Accept the prediction for this slice, then correct it (A)">Accept prediction</button>
  <button data-part="done" title="Mark this slice done (D)">Mark done</button>
  <button data-part="update" title="Train the fast head on the annotations and re-predict">Update model</button>
  <button data-part="export" title="Write the annotations as a NIfTI label volume (uint8, 255 = unlabelled) beside the notebook">Export NIfTI</button>
</div>
<div data-part="palette" class="mdlma-AnnotationPanel-palette"></div>
<div class="mdlma-AnnotationPanel-body">
  <ol data-part="queue" class="mdlma-AnnotationPanel-queue" title="Suggested slices (N / P)"></ol>
  <div class="mdlma-AnnotationPanel-stage">
    <div class="mdlma-AnnotationPanel-nav">
      <button data-part="prev-slice" title="Previous slice (Down)">‹</button><span data-part="slice"></span><button data-part="next-slice" title="Next slice (Up)">›</button>
      <label>Prediction <input data-part="prediction-opacity" type="range" min="0" max="1" step="0.05" value="0.3"></label>
      <label>Uncertainty <input data-part="confidence-opacity" type="range" min="0" max="1" step="0.05" value="0"></label>
    </div>
    <div data-part="canvas-area" class="mdlma-AnnotationPanel-canvas-area">
      <div data-part="canvas-host" class="mdlma-AnnotationPanel-canvas-host"><canvas data-part="canvas" class="mdlma-AnnotationPanel-canvas"></canvas></div>
    </div>
  </div>
</div>
<div data-part="summary" class="mdlma-AnnotationPanel-summary"></div>
<div data-part="status" class="mdlma-AnnotationPanel-status">Waiting for the kernel…</div>`;

/** The element of the panel's template with this `data-part`. */
export function partOf(node: HTMLElement, name: string): HTMLElement {
  return node.querySelector(`[data-part="${name}"]`) as HTMLElement;
}

/** Connects the template's buttons, sliders, palette and queue to the panel's actions. */
export function wireControls(node: HTMLElement, actions: PanelControlActions): void {
  const on = (name: string, event: string, f: (e: Event) => void) => partOf(node, name).addEventListener(event, f);
  const value = (e: Event) => Number((e.target as HTMLInputElement).value);
  on('brush', 'click', () => actions.setTool('brush'));
  on('eraser', 'click', () => actions.setTool('eraser'));
  on('fill', 'click', () => actions.setTool('fill'));
  on('export', 'click', () => actions.exportLabels());
  on('size', 'input', e => actions.setBrushSize(value(e)));
  on('undo', 'click', () => actions.undo());
  on('redo', 'click', () => actions.redo());
  on('accept', 'click', () => actions.acceptPrediction());
  on('done', 'click', () => actions.toggleDone());
  on('update', 'click', () => actions.updateModel());
  on('prev-slice', 'click', () => actions.stepSlice(-1));
  on('next-slice', 'click', () => actions.stepSlice(1));
  on('prediction-opacity', 'input', e => actions.setOpacity('prediction', value(e)));
  on('confidence-opacity', 'input', e => actions.setOpacity('confidence', value(e)));
  on('palette', 'click', e => {
    const label = (e.target as HTMLElement).closest<HTMLElement>('[data-label]')?.dataset.label;
    if (label !== undefined) actions.setLabel(Number(label));
  });
  on('queue', 'click', e => {
    const item = (e.target as HTMLElement).closest<HTMLElement>('[data-slice]');
    if (item) actions.goTo(item.dataset.axis as SliceAxis, Number(item.dataset.slice));
  });
}

/** One button per class (its colour swatch, its name, its key) in the palette. */
export function renderPalette(node: HTMLElement, classes: readonly string[]): void {
  partOf(node, 'palette').replaceChildren(
    ...classes.map((name, label) => {
      const button = document.createElement('button');
      button.dataset.label = String(label);
      button.title = `${name} (key ${label})`;
      button.innerHTML = `<span class="mdlma-AnnotationPanel-swatch"></span>`;
      (button.firstChild as HTMLElement).style.background = colorOf(label);
      button.append(` ${name}`);
      return button;
    })
  );
}

/** Shows the tool, label, brush size, undo/redo availability, done mark and slice position (also as `data-*` on `node`). */
export function renderControls(node: HTMLElement, state: ControlsState): void {
  const part = (name: string) => partOf(node, name);
  part('brush').classList.toggle('mdlma-mod-active', state.tool === 'brush');
  part('eraser').classList.toggle('mdlma-mod-active', state.tool === 'eraser');
  part('fill').classList.toggle('mdlma-mod-active', state.tool === 'fill');
  for (const b of part('palette').querySelectorAll<HTMLElement>('[data-label]')) b.classList.toggle('mdlma-mod-active', Number(b.dataset.label) === state.label);
  (part('size') as HTMLInputElement).value = String(state.brushSize);
  part('size-value').textContent = `${state.brushSize} px`;
  (part('undo') as HTMLButtonElement).disabled = !state.canUndo;
  (part('redo') as HTMLButtonElement).disabled = !state.canRedo;
  node.dataset.tool = state.tool;
  node.dataset.label = String(state.label);
  node.dataset.brushSize = String(state.brushSize);
  part('done').classList.toggle('mdlma-mod-active', state.done);
  part('done').textContent = state.done ? 'Done ✓' : 'Mark done';
  part('slice').textContent = state.sliceCount !== undefined ? `${state.axis} = ${state.slice} / ${state.sliceCount - 1}` : '';
  node.dataset.axis = state.axis;
  node.dataset.slice = String(state.slice);
}

/** Shows the suggested slices (rank, slice, score, annotated pixels or done) and the summary line. */
export function renderQueue(node: HTMLElement, state: QueueState): void {
  const { counts } = state;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  partOf(node, 'summary').textContent = `${total} voxels annotated on ${counts.size} slice${counts.size === 1 ? '' : 's'}, ${state.doneCount} marked done`;
  node.dataset.annotatedVoxels = String(total);
  partOf(node, 'queue').replaceChildren(...state.queue.map(s => Private.queueItem(s, state)));
}

namespace Private {
  /** The queue's list item of one suggested slice. */
  export function queueItem(s: SuggestedSlice, state: QueueState): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.axis = s.axis;
    li.dataset.slice = String(s.index);
    const voxels = state.counts.get(sliceKey(s.axis, s.index)) ?? 0;
    const done = state.isDone(s.axis, s.index);
    li.dataset.done = String(done);
    li.dataset.voxels = String(voxels);
    li.classList.toggle('mdlma-mod-current', s.axis === state.axis && s.index === state.slice);
    li.title = s.reason;
    li.innerHTML = `<span class="mdlma-AnnotationPanel-slice"></span><span class="mdlma-AnnotationPanel-score"></span><span class="mdlma-AnnotationPanel-badge"></span>`;
    const [slice, score, badge] = Array.from(li.children) as HTMLElement[];
    slice.textContent = `${s.rank}. ${s.axis} ${s.index}`;
    score.textContent = s.score.toFixed(3);
    badge.textContent = done ? '✓ done' : voxels ? `${voxels} px` : '';
    return li;
  }
}
