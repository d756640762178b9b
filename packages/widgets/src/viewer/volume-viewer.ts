/**
 * `VolumeViewer`: a Lumino widget around niivue for volume outputs: three planes plus 3D (or
 * one of them), layers with visibility and opacity, label legend, crosshair readout of every
 * layer's value and the position in µm, window/level (right-drag, or `setWindow`), slice
 * scrolling (wheel), PNG screenshots. Disposing it releases the WebGL context.
 *
 * @example
 * const viewer = new VolumeViewer({ geometry, onCrosshair: r => comm.send({ type: 'location', ...r }) });
 * Widget.attach(viewer, host);
 * await viewer.load(layers);
 * viewer.setSlice([40, 32, 32]);
 */
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { DEFAULT_CLASSES } from './colormaps';
import { LayerControls, renderLegend } from './layer-controls';
import { NiivueStage } from './niivue-stage';
import { formatReadout, fullVoxel, positionUm, shownVoxel } from './readout';
import type { LabelClass, LayerSettings, Readout, ViewerLayer, ViewerLayout, VolumeGeometry } from './types';

/** Interactive volume view with layers. */
export class VolumeViewer extends Widget {
  constructor(options: VolumeViewer.IOptions) {
    super();
    this.addClass('mdlma-VolumeViewer');
    this._options = options;
    this._classes = options.classes ?? DEFAULT_CLASSES;
    this._viewLayout = options.layout ?? 'multiplanar';
    this._controls = new LayerControls({
      onLayer: (name, settings) => this.setLayer(name, settings),
      onLayout: layout => {
        this.setLayout(layout);
        options.onLayout?.(layout);
      },
      onScreenshot: () => this.downloadScreenshot()
    });
    this._controls.setLayout(this._viewLayout);
    this._note = Private.div('mdlma-VolumeViewer-note');
    this._note.hidden = true;
    this._host = Private.div('mdlma-VolumeViewer-stage');
    this._readout = Private.div('mdlma-VolumeViewer-readout');
    this._legend = Private.div('mdlma-VolumeViewer-legend');
    this.node.append(this._controls.node, this._note, this._host, this._readout, this._legend);
    this._ready = new Promise((resolve, reject) => ((this._resolveReady = resolve), (this._rejectReady = reject)));
    this._ready.catch(() => undefined);
  }

  /** Live niivue WebGL contexts of all viewers on the page (also `window.__mdlmaViewerContexts`). */
  static get liveContexts(): number {
    return Private.live;
  }

  /** Resolves once niivue runs on this widget's canvas (after the widget is attached). */
  get ready(): Promise<void> {
    return this._ready;
  }

  /** The browser's largest 3D texture side (0 before `ready`). */
  get max3DTextureSize(): number {
    return this._stage?.max3DTextureSize ?? 0;
  }

  /** Geometry of the full-resolution volume. */
  get geometry(): VolumeGeometry {
    return this._options.geometry;
  }

  /** What the readout shows now (crosshair, or the voxel under the pointer). */
  get readout(): Readout | undefined {
    return this._current;
  }

  /** The crosshair voxel [z, y, x] of the full volume. */
  get slice(): [number, number, number] | undefined {
    const shown = this._stage?.sliceVoxel;
    return shown && fullVoxel(shown, this._factor, this.geometry.shape);
  }

  /** Show these layers (replacing any); all must share one binning factor. */
  async load(layers: ViewerLayer[]): Promise<void> {
    await this._ready;
    const stage = this._stage!;
    this._factor = layers[0]?.factor ?? 1;
    await stage.setLayers(layers);
    if (stage.isDisposed) return;
    stage.setLayout(this._viewLayout);
    this._controls.setLayers(stage.layers);
    renderLegend(this._legend, this._classes, stage.layers.some(l => l.kind === 'labels'));
    this.setSlice(this._options.slice ?? (this.geometry.shape.map(n => n >> 1) as [number, number, number]));
    this.node.dataset.loaded = 'true';
  }

  /** Add a layer on top (same grid and factor as the others). */
  async addLayer(layer: ViewerLayer): Promise<void> {
    await this._ready;
    await this._stage!.addLayer(layer);
    this._controls.setLayers(this._stage!.layers);
    renderLegend(this._legend, this._classes, this._stage!.layers.some(l => l.kind === 'labels'));
  }

  /** Move the crosshair to a full-resolution voxel [z, y, x]. */
  setSlice(voxel: readonly [number, number, number]): void {
    this._stage?.setSliceVoxel(shownVoxel(voxel, this._factor));
  }

  /** Change a layer's visibility, opacity, colormap or window. */
  setLayer(name: string, settings: LayerSettings): void {
    this._stage?.setLayer(name, settings);
    if (this._stage) this._controls.setLayers(this._stage.layers);
  }

  /** Window/level of a layer (default: the first). */
  setWindow(low: number, high: number, name = this._stage?.layers[0]?.name): void {
    if (name) this.setLayer(name, { range: [low, high] });
  }

  /** Switch the layout. */
  setLayout(layout: ViewerLayout): void {
    this._viewLayout = layout;
    this._controls.setLayout(layout);
    this._stage?.setLayout(layout);
  }

  /** A visible note above the view (e.g. "overview at 1/4 resolution"); empty hides it. */
  setNote(text: string): void {
    this._note.textContent = text;
    this._note.hidden = !text;
  }

  /** The current frame as a PNG data URL. */
  screenshot(): string {
    return this._stage?.screenshot() ?? '';
  }

  /** Save the current frame as a PNG file. */
  downloadScreenshot(): void {
    const link = document.createElement('a');
    link.href = this.screenshot();
    link.download = `${this._options.title ?? 'volume'}.png`.replace(/[^A-Za-z0-9_.-]+/g, '_');
    link.click();
  }

  dispose(): void {
    if (this.isDisposed) return;
    if (this._stage && !this._stage.isDisposed) {
      this._stage.dispose();
      Private.count(-1);
    }
    this._stage = undefined;
    this._rejectReady(new Error('viewer disposed'));
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this._stage || this._starting) return;
    this._starting = true;
    const canvas = document.createElement('canvas');
    this._host.append(canvas);
    canvas.addEventListener('mousemove', event => this._hover(event));
    canvas.addEventListener('mouseleave', () => this._showCrosshair());
    NiivueStage.create(canvas, { classes: this._classes, onLocation: voxel => this._onLocation(voxel) })
      .then(stage => {
        if (this.isDisposed) {
          stage.dispose();
          return;
        }
        this._stage = stage;
        Private.count(+1);
        this._resolveReady();
      })
      .catch(error => {
        canvas.remove();
        this.setNote(`No interactive view: ${(error as Error).message || 'WebGL2 is not available'}.`);
        this._rejectReady(error);
      });
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._stage?.draw();
  }

  private _onLocation(shown: [number, number, number]): void {
    this._crosshair = this._readoutAt(shown);
    this._showCrosshair();
    if (this._crosshair) this._options.onCrosshair?.(this._crosshair);
  }

  private _hover(event: MouseEvent): void {
    const shown = this._stage?.voxelAt(event.offsetX, event.offsetY);
    const readout = shown && this._readoutAt(shown);
    if (readout) this._show(readout, 'pointer');
  }

  private _showCrosshair(): void {
    if (this._crosshair) this._show(this._crosshair, 'crosshair');
  }

  private _show(readout: Readout, source: 'pointer' | 'crosshair'): void {
    this._current = readout;
    const names = Object.fromEntries(Object.entries(this._classes).map(([v, c]) => [v, c.name]));
    this._readout.textContent = formatReadout(readout, names);
    this._readout.dataset.source = source;
    this._readout.dataset.voxel = readout.voxel.join(',');
    this._readout.dataset.values = JSON.stringify(Object.fromEntries(readout.values.map(v => [v.name, v.value])));
  }

  private _readoutAt(shown: [number, number, number]): Readout | undefined {
    if (!this._stage || shown.some((v, a) => v < 0 || v * this._factor >= this.geometry.shape[a])) return undefined;
    const voxel = fullVoxel(shown, this._factor, this.geometry.shape);
    return { voxel, um: positionUm(voxel, this.geometry), values: this._stage.valuesAt(shown) };
  }

  private readonly _options: VolumeViewer.IOptions;
  private readonly _classes: Record<number, LabelClass>;
  private readonly _controls: LayerControls;
  private readonly _note: HTMLDivElement;
  private readonly _host: HTMLDivElement;
  private readonly _readout: HTMLDivElement;
  private readonly _legend: HTMLDivElement;
  private readonly _ready: Promise<void>;
  private _resolveReady!: () => void;
  private _rejectReady!: (error: unknown) => void;
  private _stage: NiivueStage | undefined;
  private _starting = false;
  private _viewLayout: ViewerLayout;
  private _factor = 1;
  private _crosshair: Readout | undefined;
  private _current: Readout | undefined;
}

export namespace VolumeViewer {
  /** Options of the VolumeViewer constructor. */
  export interface IOptions {
    /** Geometry of the full-resolution volume (readout positions, slices). */
    geometry: VolumeGeometry;
    /** Label classes for colours and legend (default: bone, DL, RM). */
    classes?: Record<number, LabelClass>;
    layout?: ViewerLayout;
    /** First crosshair voxel [z, y, x] (default: the centre). */
    slice?: [number, number, number];
    /** Name of screenshots. */
    title?: string;
    /** The user moved the crosshair (click, drag, keys) or `setSlice` did. */
    onCrosshair?: (readout: Readout) => void;
    /** The user chose another layout. */
    onLayout?: (layout: ViewerLayout) => void;
  }
}

namespace Private {
  export let live = 0;

  export function count(delta: number): void {
    live += delta;
    (window as unknown as { __mdlmaViewerContexts?: number }).__mdlmaViewerContexts = live;
  }

  export function div(className: string): HTMLDivElement {
    const node = document.createElement('div');
    node.className = className;
    return node;
  }
}
