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
import { DEFAULT_CLASSES } from '@mdlma/kernel/protocol';
import type { LabelClass, LayerSettings, ViewerLayout } from '@mdlma/kernel/protocol';

import { LayerControls, renderLegend } from './layer-controls';
import { NiivueStage } from './niivue-stage';
import { formatReadout, fullVoxel, positionUm, shownVoxel } from './readout';
import type { Readout, ViewerLayer, VolumeGeometry } from './types';

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

  /** Milliseconds of the last `load` in niivue: parsing the NIfTI bytes, building its textures. */
  get timings(): Record<string, number> {
    return { ...this._stage?.timings };
  }

  /** Whether WebGL runs on the CPU (false before `ready`). */
  get isSoftwareRenderer(): boolean {
    return this._stage?.isSoftwareRenderer ?? false;
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
    return shown && fullVoxel(shown, this._grid.factor, this.geometry.shape, this._grid.offset);
  }

  /** How the shown data maps to the full volume: binning factor and first voxel [z, y, x]. */
  get grid(): { factor: number; offset: [number, number, number]; shape: [number, number, number] } {
    return { ...this._grid, offset: [...this._grid.offset] as [number, number, number], shape: [...this._grid.shape] as [number, number, number] };
  }

  /**
   * Show these layers (replacing any); all share one grid (binning factor, offset, shape). The
   * crosshair goes to `options.slice` (default: the first slice given, or where it was).
   */
  async load(layers: ViewerLayer[], options: { shape?: [number, number, number]; slice?: [number, number, number] } = {}): Promise<void> {
    await this._ready;
    const stage = this._stage!;
    const keep = this.node.dataset.loaded === 'true' ? this.slice : undefined;
    const factor = layers[0]?.factor ?? 1;
    const shape = options.shape ?? (this.geometry.shape.map(n => Math.max(1, Math.floor(n / factor))) as [number, number, number]);
    await stage.setLayers(layers);
    if (stage.isDisposed) return;
    this._grid = { factor, offset: layers[0]?.offset ?? [0, 0, 0], shape };
    const voxels = this.geometry.shape.reduce((a, b) => a * b, 1);
    if (!this._layoutChosen && this._viewLayout === 'multiplanar' && stage.isSoftwareRenderer && voxels >= VolumeViewer.SOFTWARE_3D_VOXELS) {
      this._viewLayout = 'planes'; // on the CPU the 3D pane costs seconds: one click away in the layout switch
      this._controls.setLayout('planes');
    }
    stage.setLayout(this._viewLayout);
    this._controls.setLayers(stage.layers);
    renderLegend(this._legend, this._classes, stage.layers.some(l => l.kind === 'labels'));
    this.setSlice(options.slice ?? keep ?? this._options.slice ?? (this.geometry.shape.map(n => n >> 1) as [number, number, number]));
    this.node.dataset.loaded = 'true';
    this.node.dataset.layout = this._viewLayout;
  }

  /** Add a layer on top (same grid and factor as the others). */
  async addLayer(layer: ViewerLayer): Promise<void> {
    await this._ready;
    await this._stage!.addLayer(layer);
    this._controls.setLayers(this._stage!.layers);
    renderLegend(this._legend, this._classes, this._stage!.layers.some(l => l.kind === 'labels'));
  }

  /** Move the crosshair to a full-resolution voxel [z, y, x] (clamped to the shown data). */
  setSlice(voxel: readonly [number, number, number]): void {
    const shown = shownVoxel(voxel, this._grid.factor, this._grid.offset).map((v, a) => Math.max(0, Math.min(this._grid.shape[a] - 1, v)));
    this._stage?.setSliceVoxel(shown as [number, number, number]);
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
    this._layoutChosen = true;
    this._viewLayout = layout;
    this._controls.setLayout(layout);
    this._stage?.setLayout(layout);
    this.node.dataset.layout = layout;
  }

  /** A visible note above the view (e.g. "overview at 1/4 resolution"), with optional buttons; empty hides it. */
  setNote(text: string, actions: VolumeViewer.INoteAction[] = []): void {
    const buttons = actions.map(action => {
      const button = document.createElement('button');
      button.className = 'mdlma-VolumeViewer-noteAction';
      button.dataset.action = action.id;
      button.textContent = action.label;
      button.addEventListener('click', () => action.run());
      return button;
    });
    this._note.replaceChildren(document.createTextNode(text), ...buttons);
    this._note.hidden = !text;
  }

  /** Resolves after the frame that shows what was loaded and drawn so far is on screen. */
  async drawn(): Promise<void> {
    this._stage?.finish();
    await new Promise(resolve => requestAnimationFrame(resolve));
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
    if (!this._stage || shown.some((v, a) => v < 0 || v >= this._grid.shape[a])) return undefined;
    const voxel = fullVoxel(shown, this._grid.factor, this.geometry.shape, this._grid.offset);
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
  private _layoutChosen = false;
  private _grid: { factor: number; offset: [number, number, number]; shape: [number, number, number] } = { factor: 1, offset: [0, 0, 0], shape: [1, 1, 1] };
  private _crosshair: Readout | undefined;
  private _current: Readout | undefined;
}

export namespace VolumeViewer {
  /** From this many voxels (128^3) on, a software renderer starts "Planes + 3D" as "Planes": the 3D pane's set-up costs seconds on the CPU. */
  export const SOFTWARE_3D_VOXELS = 2 ** 21;

  /** A button in the note. */
  export interface INoteAction {
    id: string;
    label: string;
    run: () => void;
  }

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
