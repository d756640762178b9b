/**
 * The renderer of `application/vnd.mdlma.volume+json` outputs: a `VolumeViewer` fed from the
 * kernel's cache files (or the embedded preview) and linked to the kernel's handle while the
 * kernel that made it is alive. Disposed with its output (cleared, cell re-run, notebook
 * closed), which releases the WebGL context; a kernel restart ends the link.
 *
 * @example
 * rendermime.addFactory(volumeRendererFactory({ locate, settings }), 0);
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Kernel, ServerConnection } from '@jupyterlab/services';
import type { Message } from '@lumino/messaging';
import { PanelLayout, Widget } from '@lumino/widgets';
import { VOLUME_MIME } from '@mdlma/kernel/protocol';
import type { VolumeOutput } from '@mdlma/kernel/protocol';

import { ViewerLink } from './viewer-link';
import { VolumeDetail } from './volume-detail';
import { BrowserLimits, DEFAULT_MAX_VOXELS, effectiveLimits, loadLayers, LoadOptions, loadPreviews, planSources, readSource, toViewerLayer } from './volume-sources';
import { VolumeViewer } from './volume-viewer';

/** From this many voxels (128^3) on, the embedded preview is shown first while the layers load. */
export const PREVIEW_FIRST_VOXELS = 2 ** 21;

/** The notebook an output lives in: its folder and its session. */
export interface NotebookLocation {
  /** Folder of the notebook, relative to the server root. */
  directory: string;
  sessionContext: ISessionContext;
}

/** The renderer factory: safe (no code runs), ranked before image/png (rank 90). */
export function volumeRendererFactory(services: VolumeRenderer.IServices): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [VOLUME_MIME],
    defaultRank: 20,
    createRenderer: options => new VolumeRenderer({ ...options, ...services })
  };
}

/** One volume output. */
export class VolumeRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: VolumeRenderer.IOptions) {
    super();
    this._services = { locate: options.locate, settings: options.settings };
    this.addClass('mdlma-VolumeRenderer');
    this.layout = new PanelLayout();
    this._attached = new Promise(resolve => (this._resolveAttached = resolve));
  }

  /** The viewer widget (after the first renderModel). */
  get viewer(): VolumeViewer | undefined {
    return this._viewer;
  }

  /** Show a payload. Returns at once; loading goes on in the background (see `data-state`). */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = model.data[VOLUME_MIME] as unknown as VolumeOutput;
    if (this._viewer || !payload?.layers?.length) return; // outputs are immutable; display updates create new renderers
    const arrived = performance.now();
    const first = payload.layers[0];
    const viewer = new VolumeViewer({
      geometry: { shape: first.shape, spacing: first.spacing, origin: first.origin },
      classes: payload.classes,
      layout: payload.view?.layout,
      slice: payload.view?.slice,
      title: payload.title,
      onCrosshair: readout => {
        this._link?.sendCrosshair(readout);
        this._detail?.follow(readout);
      },
      onLayout: layout => this._link?.sendLayout(layout)
    });
    this._viewer = viewer;
    (this.layout as PanelLayout).addWidget(viewer);
    this.node.dataset.state = 'loading';
    void this._start(payload, arrived).catch(error => {
      if (this.isDisposed) return;
      this.node.dataset.state = 'failed';
      viewer.setNote(`Cannot show the volume: ${(error as Error).message}`);
    });
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._link?.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._resolveAttached();
  }

  /**
   * Load in steps: the embedded preview first when the layers are big (no request, a small
   * grid: a first frame within a second), then the full layers, or the overview of layers too
   * big for this browser with full-resolution boxes on demand. Timings go to data attributes
   * (`data-first-frame-ms`, `data-ready-ms`, `data-timings`) and performance measures.
   */
  private async _start(payload: VolumeOutput, arrived: number): Promise<void> {
    const timings: Record<string, number> = {};
    let last = arrived;
    const lap = (name: string) => {
      const now = performance.now();
      timings[name] = Math.round(now - last);
      performance.measure(`mdlma-viewer:${name}`, { start: last, end: now });
      last = now;
    };
    await this._attached;
    const viewer = this._viewer!;
    const location = this._services.locate(this.node);
    const options: LoadOptions = { directory: location?.directory ?? '', settings: this._services.settings };
    // Decoding the embedded previews needs no WebGL: it runs while niivue starts.
    const big = Private.voxels(payload.layers[0].shape) >= PREVIEW_FIRST_VOXELS && payload.layers.every(l => l.preview);
    const decoding = big ? loadPreviews(payload.layers, options) : undefined;
    decoding?.catch(() => undefined);
    await viewer.ready;
    lap('niivue');
    const browser: BrowserLimits = {
      max3DTextureSize: viewer.max3DTextureSize,
      maxVoxels: viewer.isSoftwareRenderer ? DEFAULT_MAX_VOXELS.software : DEFAULT_MAX_VOXELS.hardware
    };
    const plan = planSources(payload.layers, browser, payload.view?.limits);
    const loaded = (level: string) => {
      for (const [step, ms] of Object.entries(viewer.timings)) timings[`${step} (${level})`] = ms;
    };
    const firstFrame = async (level: string) => {
      loaded(level);
      await viewer.drawn();
      lap(`first frame (${level})`);
      this.node.dataset.firstFrameMs = String(Math.round(performance.now() - arrived));
      this.node.dataset.firstLevel = level;
    };
    const planned = plan.level === 'full' ? payload.layers[0].shape : plan.level === 'overview' ? payload.layers[0].overview!.shape : undefined;
    // The layers' files are fetched while the preview is drawn.
    const fetching = loadLayers(payload.layers, plan, options);
    fetching.catch(() => undefined);
    if (decoding && planned && Private.voxels(planned) >= PREVIEW_FIRST_VOXELS) {
      const previews = await decoding;
      lap('decode (preview)');
      await viewer.load(previews);
      if (this.isDisposed) return;
      viewer.setNote(`Preview at 1/${payload.layers[0].preview!.factor} resolution; loading ${plan.level === 'full' ? 'full resolution' : 'the overview'}…`);
      await firstFrame('preview');
    }
    const { layers, level } = await fetching;
    if (this.isDisposed) return;
    lap(`fetch (${level}, the rest of it)`);
    await viewer.load(layers);
    if (this.isDisposed) return;
    loaded(level);
    await viewer.drawn();
    lap(`load and draw (${level})`);
    if (!this.node.dataset.firstFrameMs) await firstFrame(level);
    const full = level === 'full';
    if (level === 'overview') {
      const limits = effectiveLimits(browser, payload.view?.limits);
      this._detail = new VolumeDetail({
        viewer, layers: payload.layers, load: options, overview: layers, note: plan.note,
        // A box small enough to load in about a second even on the CPU.
        side: Math.min(limits.max3DTextureSize, Math.floor(Math.cbrt(limits.maxVoxels / 8))),
        onLevel: (shown, box) => {
          this.node.dataset.level = shown;
          if (box) this.node.dataset.detailBox = box.flat().join(',');
          else delete this.node.dataset.detailBox;
        }
      });
      await this._detail.showOverview();
    } else {
      viewer.setNote(level === plan.level ? plan.note : 'Showing the preview embedded in the notebook: the cached files are gone (re-run the cell for full resolution).');
      this.node.dataset.level = level;
    }
    this.node.dataset.readyMs = String(Math.round(performance.now() - arrived));
    this.node.dataset.timings = JSON.stringify(timings);
    this.node.dataset.state = 'ready';
    const kernel = location?.sessionContext.session?.kernel;
    if (payload.session && kernel && kernel.status !== 'dead') {
      this._connect(payload, kernel, location!.sessionContext, options, full);
    }
  }

  private _connect(payload: VolumeOutput, kernel: Kernel.IKernelConnection, session: ISessionContext, options: LoadOptions, full: boolean): void {
    const ended = () => {
      kernel.statusChanged.disconnect(onStatus);
      session.kernelChanged.disconnect(ended);
      this.node.dataset.link = 'closed';
    };
    const onStatus = (_: unknown, status: Kernel.Status) => {
      if (status === 'restarting' || status === 'dead' || status === 'autorestarting') this._link?.dispose();
    };
    this._link = ViewerLink.open({
      kernel,
      viewId: payload.session!.viewId,
      target: payload.session!.target,
      viewer: this._viewer!,
      moveTo: this._detail && (voxel => this._detail!.moveTo(voxel)),
      loadLayer: async layer => {
        if (!full) throw new Error('layers added from the kernel are shown only at full resolution');
        return toViewerLayer(layer, await readSource(layer.src, options), 1);
      },
      onReady: () => (this.node.dataset.link = 'open'),
      onDisposed: ended
    });
    this.node.dataset.link = 'opening';
    kernel.statusChanged.connect(onStatus);
    session.kernelChanged.connect(ended);
  }

  private readonly _services: VolumeRenderer.IServices;
  private _viewer: VolumeViewer | undefined;
  private _link: ViewerLink | undefined;
  private _detail: VolumeDetail | undefined;
  private readonly _attached: Promise<void>;
  private _resolveAttached!: () => void;
}

export namespace VolumeRenderer {
  /** What the renderer needs from the application. */
  export interface IServices {
    /** The notebook that holds `node`, if any. */
    locate: (node: HTMLElement) => NotebookLocation | undefined;
    settings: ServerConnection.ISettings;
  }

  /** Options of the VolumeRenderer constructor: rendermime's, and the application's services. */
  export interface IOptions extends IRenderMime.IRendererOptions, IServices {}
}

namespace Private {
  export function voxels(shape: readonly number[]): number {
    return shape.reduce((a, b) => a * b, 1);
  }
}
