/**
 * The annotation panel's slice editor without WebGL2: a plain 2D canvas whose drawing buffer is the slice's own
 * pixels (CSS scales it to the stage, `image-rendering: pixelated`), composed by slice-image.ts. Brush and eraser
 * strokes are stamped here with the round brush (brush.ts) into a mask of the slice, shown while the pointer moves,
 * and handed to `onStroke` when it lifts: the panel makes each one document operation. The pointer is mapped through
 * the canvas's bounding box, so it stays exact at whatever size the stage gives the canvas.
 *
 * @example
 * const editor = new CanvasSliceEditor(canvas, { onStroke: s => doc.paint(s.axis, s.slice, s.label, s.runs) });
 * editor.setTool('brush', 2, 5);
 * editor.render({ axis: 'z', slice: 20, rows, cols, data, labels, predictionOpacity: 0.3, confidenceOpacity: 0 });
 */
import { runsOfMask, UNLABELLED, type OrthogonalAxis } from '@mdlma/kernel/protocol';

import { stampPath, type StrokePoint } from './brush';
import { composeSlice, rgbOf, type SliceData } from './slice-image';

/** What the 2D editor shows: a slice, its layers and the overlays' opacity. */
export interface CanvasSliceView {
  axis: OrthogonalAxis;
  slice: number;
  rows: number;
  cols: number;
  data?: SliceData;
  /** The slice's annotations (UNLABELLED where none). */
  labels?: ArrayLike<number>;
  predictionOpacity: number;
  confidenceOpacity: number;
}

/** A finished stroke: the slice it was drawn on, the label it paints (UNLABELLED for the eraser), its pixels as runs. */
export interface CanvasStroke {
  axis: OrthogonalAxis;
  slice: number;
  label: number;
  runs: number[];
}

/** The slice editor on a 2D canvas; see the module header. */
export class CanvasSliceEditor {
  constructor(readonly canvas: HTMLCanvasElement, private readonly _options: CanvasSliceEditor.IOptions) {
    canvas.addEventListener('pointerdown', this._onPointerDown);
    canvas.addEventListener('pointermove', this._onPointerMove);
    canvas.addEventListener('pointerup', this._onPointerUp);
    canvas.addEventListener('pointercancel', this._onPointerUp);
  }

  /** The tool, the brush's label and its diameter (the fill is the panel's: this editor then paints nothing). */
  setTool(tool: 'brush' | 'eraser' | 'fill', label: number, size: number): void {
    this._tool = { tool, label, size };
  }

  /** The slice pixel [row, col] (fractional, as a stroke point) under a point of the page. */
  pixelAt(clientX: number, clientY: number): StrokePoint | undefined {
    if (!this._view) return undefined;
    const { rows, cols } = this._view;
    const rect = this.canvas.getBoundingClientRect();
    return [((clientY - rect.top) / rect.height) * rows, ((clientX - rect.left) / rect.width) * cols];
  }

  /** Draws a slice with its annotations, overlays and the stroke in progress (nothing where there is no 2D context). */
  render(view: CanvasSliceView): void {
    this._view = view;
    const { rows, cols } = view;
    if (this.canvas.width !== cols || this.canvas.height !== rows) {
      this.canvas.width = cols;
      this.canvas.height = rows;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const stroke = this._stroke?.axis === view.axis && this._stroke.slice === view.slice ? this._stroke.mask : undefined;
    const image = ctx.createImageData(cols, rows);
    composeSlice(image.data, {
      data: view.data,
      labels: view.labels,
      stroke,
      strokeColor: this._tool.tool === 'eraser' ? [20, 20, 20] : rgbOf(this._tool.label),
      predictionOpacity: view.predictionOpacity,
      confidenceOpacity: view.confidenceOpacity
    });
    ctx.putImageData(image, 0, 0);
  }

  /** Stops listening to the canvas. */
  dispose(): void {
    this.canvas.removeEventListener('pointerdown', this._onPointerDown);
    this.canvas.removeEventListener('pointermove', this._onPointerMove);
    this.canvas.removeEventListener('pointerup', this._onPointerUp);
    this.canvas.removeEventListener('pointercancel', this._onPointerUp);
    if (this._frame) cancelAnimationFrame(this._frame);
    this._stroke = undefined;
  }

  private readonly _onPointerDown = (e: PointerEvent) => {
    const view = this._view;
    if (!view || e.button !== 0 || this._tool.tool === 'fill') return;
    const start = this.pixelAt(e.clientX, e.clientY)!;
    this.canvas.setPointerCapture?.(e.pointerId);
    this._stroke = { axis: view.axis, slice: view.slice, rows: view.rows, cols: view.cols, mask: new Uint8Array(view.rows * view.cols), last: start };
    stampPath(this._stroke.mask, view.rows, view.cols, [start], this._tool.size);
    this.render(view);
  };

  private readonly _onPointerMove = (e: PointerEvent) => {
    const stroke = this._stroke;
    if (!stroke || !this._view) return;
    const point = this.pixelAt(e.clientX, e.clientY)!;
    stampPath(stroke.mask, stroke.rows, stroke.cols, [stroke.last, point], this._tool.size);
    stroke.last = point;
    if (!this._frame) this._frame = requestAnimationFrame(() => ((this._frame = 0), this._view && this.render(this._view)));
  };

  private readonly _onPointerUp = (e: PointerEvent) => {
    const stroke = this._stroke;
    if (!stroke) return;
    this._onPointerMove(e);
    this._stroke = undefined;
    const label = this._tool.tool === 'eraser' ? UNLABELLED : this._tool.label;
    // The panel paints it into the document and draws the slice again, with the stroke now among the labels.
    this._options.onStroke({ axis: stroke.axis, slice: stroke.slice, label, runs: runsOfMask(stroke.mask) });
  };

  private _view?: CanvasSliceView;
  private _tool: { tool: 'brush' | 'eraser' | 'fill'; label: number; size: number } = { tool: 'brush', label: 1, size: 5 };
  private _stroke?: { axis: OrthogonalAxis; slice: number; rows: number; cols: number; mask: Uint8Array; last: StrokePoint };
  private _frame = 0;
}

export namespace CanvasSliceEditor {
  /** Options of the 2D slice editor. */
  export interface IOptions {
    /** A finished brush or eraser stroke (the panel makes it one document operation, then calls `render`). */
    onStroke: (stroke: CanvasStroke) => void;
  }
}
