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
import type { LabelClass, LayerSettings, ViewerLayout } from '@mdlma/kernel/protocol';

import { labelColormap, UNCERTAINTY_COLORMAP, uncertaintyColormap } from './colormaps';
import type { LayerValue, ViewerLayer } from './types';

type NiivueModule = typeof import('@niivue/niivue');
type Niivue = InstanceType<NiivueModule['Niivue']>;
type NVImage = InstanceType<NiivueModule['NVImage']>;

/** One niivue instance with its canvas, WebGL context and layers. */
export class NiivueStage {
  private constructor(private readonly _nv: Niivue, private readonly _module: NiivueModule, readonly canvas: HTMLCanvasElement, private readonly _options: NiivueStage.IOptions) {
    this._gradient = new GradientGate(_nv);
  }

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
      // The 3D pane is switched on by setLayout once its gradient is computed (see GradientGate).
      multiplanarShowRender: module.SHOW_RENDER.NEVER,
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
    const gl = this._nv.gl as WebGL2RenderingContext | null;
    return gl ? (gl.getParameter(gl.MAX_3D_TEXTURE_SIZE) as number) : 0;
  }

  /** Whether `dispose` ran. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Whether WebGL runs on the CPU (SwiftShader, llvmpipe): the 3D pane is then shown only on request. */
  get isSoftwareRenderer(): boolean {
    const gl = this._nv.gl as WebGL2RenderingContext | null;
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : '';
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  }

  /**
   * Replace all layers (the first is the background that sets the grid). niivue re-uploads and
   * re-colours every layer on each addVolume/removeVolume; here the GPU work runs once for all.
   */
  async setLayers(layers: ViewerLayer[]): Promise<void> {
    const started = performance.now();
    const images = await Promise.all(layers.map(layer => this._image(layer)));
    if (this._disposed) return;
    const parsed = performance.now();
    this._batch(() => {
      for (const image of [...this._nv.volumes]) this._nv.removeVolume(image);
      images.forEach(image => this._nv.addVolume(image));
    });
    this._layers = layers.map((layer, i) => ({ layer: { ...layer, bytes: new ArrayBuffer(0) }, image: images[i] }));
    this._updateVolumes();
    this.finish();
    this.timings = { parse: Math.round(parsed - started), textures: Math.round(performance.now() - parsed) };
  }

  /** Milliseconds of the last `setLayers`: parsing the NIfTI bytes, building niivue's textures. */
  timings: Record<string, number> = {};

  /** Add a layer on top. */
  async addLayer(layer: ViewerLayer, update = true): Promise<void> {
    const image = await this._image(layer);
    if (this._disposed) return;
    this._batch(() => this._nv.addVolume(image));
    this._layers.push({ layer: { ...layer, bytes: new ArrayBuffer(0) }, image });
    if (update) this._updateVolumes();
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
    // Overlays are coloured into their own texture: changing one need not redo the background.
    if (this._layers.indexOf(entry) > 0) this._refreshOverlays();
    else this._updateVolumes();
  }

  /** Settings of the current layers (bytes left out). */
  get layers(): Array<Omit<ViewerLayer, 'bytes'>> {
    return this._layers.map(({ layer }) => layer);
  }

  /** Move the crosshair to a voxel [z, y, x] of the shown grid. */
  setSliceVoxel(voxel: readonly [number, number, number]): void {
    if (!this._nv.volumes.length) return;
    const [z, y, x] = voxel;
    this._nv.scene.crosshairPos = this._nv.vox2frac([x, y, z] as never) as never;
    this._nv.drawScene();
    this._reportVoxel([z, y, x]);
  }

  /** The crosshair voxel [z, y, x] of the shown grid. */
  get sliceVoxel(): [number, number, number] | undefined {
    if (!this._nv.volumes.length) return undefined;
    const [x, y, z] = this._nv.frac2vox(this._nv.scene.crosshairPos as never) as unknown as number[];
    return [Math.round(z), Math.round(y), Math.round(x)];
  }

  /** Arrange the panes; the 3D pane (multiplanar, render) gets its gradient computed first if needed. */
  setLayout(layout: ViewerLayout): void {
    const nv = this._nv;
    const with3D = layout === 'multiplanar' || layout === 'render';
    this._gradient.enable(with3D);
    nv.opts.multiplanarShowRender = layout === 'multiplanar' ? this._module.SHOW_RENDER.ALWAYS : this._module.SHOW_RENDER.NEVER;
    const types = { multiplanar: nv.sliceTypeMultiplanar, planes: nv.sliceTypeMultiplanar, axial: nv.sliceTypeAxial, coronal: nv.sliceTypeCoronal, sagittal: nv.sliceTypeSagittal, render: nv.sliceTypeRender };
    nv.setSliceType(types[layout]);
  }

  /** The shown voxel [z, y, x] under a point of the canvas (CSS pixels), if it falls on a slice. */
  voxelAt(cssX: number, cssY: number): [number, number, number] | undefined {
    if (!this._nv.volumes.length) return undefined;
    const ratio = window.devicePixelRatio || 1;
    const frac = this._nv.canvasPos2frac([cssX * ratio, cssY * ratio]) as unknown as number[];
    if (!frac || frac[0] < 0) return undefined;
    const [x, y, z] = this._nv.frac2vox(frac as never) as unknown as number[];
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
    this._nv.drawScene();
    return this.canvas.toDataURL('image/png'); // same task as the draw: the buffer is still there
  }

  /** Wait until the GPU has drawn what was asked (a one-pixel read): for honest timings. */
  finish(): void {
    const gl = this._nv.gl as WebGL2RenderingContext | null;
    gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  }

  /** Redraw (after a resize). */
  draw(): void {
    this._nv.drawScene();
  }

  /** Release niivue, its WebGL context and the canvas. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    const gl = this._nv.gl as WebGL2RenderingContext | null;
    this._nv.onLocationChange = () => undefined;
    try {
      this._nv.cleanup();
    } finally {
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
      this._layers = [];
      this.canvas.remove();
    }
  }

  /** Parse a layer's NIfTI bytes into a niivue image with its display settings. */
  private async _image(layer: ViewerLayer): Promise<NVImage> {
    const image = await this._module.NVImage.loadFromUrl({
      url: `${layer.name.replace(/[^A-Za-z0-9_-]/g, '_')}.nii`,
      buffer: layer.bytes,
      name: layer.name,
      colormap: layer.kind === 'labels' ? 'gray' : layer.colormap,
      opacity: layer.visible ? layer.opacity : 0,
      cal_min: layer.range[0],
      cal_max: layer.range[1],
      trustCalMinMax: true
    } as never);
    if (layer.kind === 'labels') image.setColormapLabel(labelColormap(this._options.classes));
    return image;
  }

  /** Run niivue volume edits without the full GPU refresh each of them triggers (one `_updateVolumes` after). */
  private _batch(edit: () => void): void {
    const nv = this._nv as unknown as { updateGLVolume: () => void };
    nv.updateGLVolume = () => undefined;
    try {
      edit();
    } finally {
      delete (nv as { updateGLVolume?: unknown }).updateGLVolume; // the prototype's method again
    }
  }

  private _updateVolumes(): void {
    this._gradient.beforeUpdate();
    this._nv.updateGLVolume();
  }

  /** Re-colour the overlays only (niivue's refreshLayers for layers 1…n), then draw. */
  private _refreshOverlays(): void {
    const nv = this._nv as unknown as { refreshLayers?: (image: NVImage, layer: number) => void; volumes: NVImage[] };
    if (typeof nv.refreshLayers !== 'function') return this._updateVolumes();
    nv.volumes.forEach((image, layer) => layer > 0 && nv.refreshLayers!(image, layer));
    this._nv.drawScene();
  }

  private _reportLocation(location: unknown): void {
    const vox = (location as { vox?: ArrayLike<number> })?.vox; // a gl-matrix vec3 (Float32Array)
    if (vox && vox.length >= 3) this._reportVoxel([Math.round(vox[2]), Math.round(vox[1]), Math.round(vox[0])]);
  }

  private _reportVoxel(voxel: [number, number, number]): void {
    if (!this._disposed) this._options.onLocation?.(voxel);
  }

  private _disposed = false;
  private readonly _gradient: GradientGate;
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

/**
 * niivue recomputes the 3D pane's gradient texture (a blur and a Sobel pass over every voxel)
 * whenever the background layer is refreshed; under software WebGL that is most of the load
 * time (256^3: 4.7 s of 7.6 s). While no 3D pane is shown the gate swaps niivue's gradient
 * shaders for one that draws nothing, and computes the gradient when a 3D pane appears. It
 * relies on niivue 0.69 internals (the shader fields, `gradientGL`); without them it does
 * nothing and niivue computes the gradient as before.
 */
class GradientGate {
  constructor(private readonly _nv: Niivue) {
    const fields = this._fields();
    if (!fields.every(f => (_nv as never as Record<string, unknown>)[f]) || typeof (_nv as never as { gradientGL?: unknown }).gradientGL !== 'function') return;
    this._real = Object.fromEntries(fields.map(f => [f, (_nv as never as Record<string, unknown>)[f]]));
    this._skip = GradientGate.nothingShader(_nv.gl as WebGL2RenderingContext);
    if (this._skip) this._install(this._skip);
  }

  /** Call before niivue refreshes its volumes: the gradient will be (re)computed only when enabled. */
  beforeUpdate(): void {
    if (this._skip && !this._enabled) this._stale = true;
  }

  /** A 3D pane is (not) shown: compute the gradient now if it is stale. */
  enable(on: boolean): void {
    if (!this._skip || on === this._enabled) return;
    this._enabled = on;
    if (!on) {
      this._install(this._skip);
      return;
    }
    this._install(this._real!);
    const nv = this._nv as unknown as { gradientGL: (hdr: unknown) => void; volumes: Array<{ hdr: unknown }> };
    if (this._stale && nv.volumes.length) {
      nv.gradientGL(nv.volumes[0].hdr);
      this._stale = false;
    }
  }

  private _fields(): string[] {
    return ['blurShader', 'gradientPrePassShader', 'sobelFirstOrderShader', 'sobelSecondOrderShader'];
  }

  private _install(shaders: Record<string, unknown>): void {
    for (const field of this._fields()) (this._nv as never as Record<string, unknown>)[field] = shaders === this._real ? this._real[field] : shaders;
  }

  /** A program whose quad lies outside the clip volume: draw calls cost nothing. */
  static nothingShader(gl: WebGL2RenderingContext | null): Record<string, unknown> | undefined {
    if (!gl) return undefined;
    const compile = (type: number, source: string) => {
      const shader = gl.createShader(type)!;
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      return shader;
    };
    const program = gl.createProgram()!;
    gl.attachShader(program, compile(gl.VERTEX_SHADER, '#version 300 es\nin vec3 vPos;\nvoid main() { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); }'));
    gl.attachShader(program, compile(gl.FRAGMENT_SHADER, '#version 300 es\nprecision highp float;\nout vec4 color;\nvoid main() { color = vec4(0.0); }'));
    gl.bindAttribLocation(program, 0, 'vPos');
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) return undefined;
    return { program, uniforms: new Proxy({}, { get: () => null }), use: (g: WebGL2RenderingContext) => g.useProgram(program) };
  }

  private _real: Record<string, unknown> | undefined;
  private _skip: Record<string, unknown> | undefined;
  private _enabled = false;
  private _stale = false;
}
