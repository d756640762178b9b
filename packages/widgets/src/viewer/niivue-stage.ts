/**
 * `NiivueStage`: one niivue instance on one canvas, holding our layers. It owns the WebGL
 * context and gives it back on `dispose` (niivue's cleanup plus WEBGL_lose_context), since
 * browsers allow only about 16 live contexts per page and notebooks re-run cells all day.
 * niivue is loaded on first use, so the extension's main bundle stays small.
 *
 * @example
 * const stage = await NiivueStage.create(canvas, { classes, onLocation: vox => … });
 * await stage.setLayers(layers);
 * stage.setSliceVoxel([32, 20, 40]);
 * stage.dispose();
 */
import { labelColormap, UNCERTAINTY_COLORMAP, uncertaintyColormap } from './colormaps';
import type { LabelClass, LayerSettings, LayerValue, ViewerLayer, ViewerLayout } from './types';

type NiivueModule = typeof import('@niivue/niivue');
type Niivue = InstanceType<NiivueModule['Niivue']>;
type NVImage = InstanceType<NiivueModule['NVImage']>;

/** One niivue instance with its canvas, WebGL context and layers. */
export class NiivueStage {
  private constructor(private readonly nv: Niivue, private readonly module: NiivueModule, readonly canvas: HTMLCanvasElement, private readonly options: NiivueStage.IOptions) {}

  /** Attach niivue to `canvas` (the canvas must be in the document). */
  static async create(canvas: HTMLCanvasElement, options: NiivueStage.IOptions): Promise<NiivueStage> {
    const module = await import('@niivue/niivue');
    const nv = new module.Niivue({
      backColor: [0.08, 0.08, 0.08, 1],
      show3Dcrosshair: true,
      isColorbar: false,
      loadingText: '',
      dragAndDropEnabled: false,
      isResizeCanvas: true,
      multiplanarShowRender: module.SHOW_RENDER.ALWAYS,
      crosshairColor: [0.2, 0.9, 0.3, 1]
    } as never);
    await nv.attachToCanvas(canvas, false);
    nv.addColormap(UNCERTAINTY_COLORMAP, uncertaintyColormap());
    nv.setInterpolation(true); // nearest: voxels stay voxels, labels stay labels
    const stage = new NiivueStage(nv, module, canvas, options);
    nv.onLocationChange = (location: unknown) => stage._reportLocation(location);
    return stage;
  }

  /** Largest 3D texture side of this context (WebGL2 guarantees 256; desktop GPUs 2048). */
  get max3DTextureSize(): number {
    const gl = this.nv.gl as WebGL2RenderingContext | null;
    return gl ? (gl.getParameter(gl.MAX_3D_TEXTURE_SIZE) as number) : 0;
  }

  /** Whether `dispose` ran. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Replace all layers (the first is the background that sets the grid). */
  async setLayers(layers: ViewerLayer[]): Promise<void> {
    for (const image of [...this.nv.volumes]) this.nv.removeVolume(image);
    this._layers = [];
    for (const layer of layers) await this.addLayer(layer, false);
    this.nv.updateGLVolume();
  }

  /** Add a layer on top. */
  async addLayer(layer: ViewerLayer, update = true): Promise<void> {
    const image = await this.module.NVImage.loadFromUrl({
      url: `${layer.name.replace(/[^A-Za-z0-9_-]/g, '_')}.nii`,
      buffer: layer.bytes,
      name: layer.name,
      colormap: layer.kind === 'labels' ? 'gray' : layer.colormap,
      opacity: layer.visible ? layer.opacity : 0,
      cal_min: layer.range[0],
      cal_max: layer.range[1],
      trustCalMinMax: true
    } as never);
    if (this._disposed) return;
    if (layer.kind === 'labels') image.setColormapLabel(labelColormap(this.options.classes));
    this.nv.addVolume(image);
    this._layers.push({ layer: { ...layer, bytes: new ArrayBuffer(0) }, image });
    if (update) this.nv.updateGLVolume();
  }

  /** Change a layer's visibility, opacity, colormap or window. */
  setLayer(name: string, settings: LayerSettings): void {
    const entry = this._layers.find(l => l.layer.name === name);
    if (!entry) return;
    Object.assign(entry.layer, Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)));
    const { layer, image } = entry;
    image.opacity = layer.visible ? layer.opacity : 0;
    if (layer.kind !== 'labels') image.colormap = layer.colormap;
    image.cal_min = layer.range[0];
    image.cal_max = layer.range[1];
    this.nv.updateGLVolume();
  }

  /** Settings of the current layers (bytes left out). */
  get layers(): Array<Omit<ViewerLayer, 'bytes'>> {
    return this._layers.map(({ layer }) => layer);
  }

  /** Move the crosshair to a voxel [z, y, x] of the shown grid. */
  setSliceVoxel(voxel: readonly [number, number, number]): void {
    if (!this.nv.volumes.length) return;
    const [z, y, x] = voxel;
    this.nv.scene.crosshairPos = this.nv.vox2frac([x, y, z] as never) as never;
    this.nv.drawScene();
    this._reportVoxel([z, y, x]);
  }

  /** The crosshair voxel [z, y, x] of the shown grid. */
  get sliceVoxel(): [number, number, number] | undefined {
    if (!this.nv.volumes.length) return undefined;
    const [x, y, z] = this.nv.frac2vox(this.nv.scene.crosshairPos as never) as unknown as number[];
    return [Math.round(z), Math.round(y), Math.round(x)];
  }

  /** Arrange the panes. */
  setLayout(layout: ViewerLayout): void {
    const nv = this.nv;
    const types = { multiplanar: nv.sliceTypeMultiplanar, axial: nv.sliceTypeAxial, coronal: nv.sliceTypeCoronal, sagittal: nv.sliceTypeSagittal, render: nv.sliceTypeRender };
    nv.setSliceType(types[layout]);
  }

  /** The shown voxel [z, y, x] under a point of the canvas (CSS pixels), if it falls on a slice. */
  voxelAt(cssX: number, cssY: number): [number, number, number] | undefined {
    if (!this.nv.volumes.length) return undefined;
    const ratio = window.devicePixelRatio || 1;
    const frac = this.nv.canvasPos2frac([cssX * ratio, cssY * ratio]) as unknown as number[];
    if (!frac || frac[0] < 0) return undefined;
    const [x, y, z] = this.nv.frac2vox(frac as never) as unknown as number[];
    return [Math.round(z), Math.round(y), Math.round(x)];
  }

  /** Each layer's value at a shown voxel [z, y, x]. */
  valuesAt(voxel: readonly [number, number, number]): LayerValue[] {
    const values: LayerValue[] = [];
    for (const { layer, image } of this._layers) {
      const dims = (image.hdr?.dims ?? []) as number[];
      const [z, y, x] = voxel;
      if (!image.img || x < 0 || y < 0 || z < 0 || x >= dims[1] || y >= dims[2] || z >= dims[3]) continue;
      const raw = image.img[x + dims[1] * (y + dims[2] * z)] as number;
      const slope = image.hdr?.scl_slope || 1;
      values.push({ name: layer.name, kind: layer.kind, value: raw * slope + (image.hdr?.scl_inter ?? 0) });
    }
    return values;
  }

  /** Draw now and return the frame as a PNG data URL. */
  screenshot(): string {
    this.nv.drawScene();
    return this.canvas.toDataURL('image/png'); // same task as the draw: the buffer is still there
  }

  /** Redraw (after a resize). */
  draw(): void {
    this.nv.drawScene();
  }

  /** Release niivue, its WebGL context and the canvas. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    const gl = this.nv.gl as WebGL2RenderingContext | null;
    this.nv.onLocationChange = () => undefined;
    try {
      this.nv.cleanup();
    } finally {
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
      this._layers = [];
      this.canvas.remove();
    }
  }

  private _reportLocation(location: unknown): void {
    const vox = (location as { vox?: ArrayLike<number> })?.vox; // a gl-matrix vec3 (Float32Array)
    if (vox && vox.length >= 3) this._reportVoxel([Math.round(vox[2]), Math.round(vox[1]), Math.round(vox[0])]);
  }

  private _reportVoxel(voxel: [number, number, number]): void {
    if (!this._disposed) this.options.onLocation?.(voxel);
  }

  private _disposed = false;
  private _layers: Array<{ layer: ViewerLayer; image: NVImage }> = [];
}

export namespace NiivueStage {
  /** Options of `NiivueStage.create`. */
  export interface IOptions {
    /** Label classes (colours of label layers). */
    classes: Record<number, LabelClass>;
    /** Called when the crosshair moves (by the user or by `setSliceVoxel`), with the shown voxel [z, y, x]. */
    onLocation?: (voxel: [number, number, number]) => void;
  }
}
