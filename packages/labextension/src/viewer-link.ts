/**
 * The link between a `VolumeViewer` and the kernel's handle over the `mdlma.viewer` comm: the
 * kernel moves slices, changes and adds layers; the viewer reports the user's crosshair and
 * layout. The link ends when the comm closes (kernel gone, restarted, handle unknown).
 *
 * @example
 * const link = ViewerLink.open({ kernel, viewId, viewer, loadLayer });
 * link.disposed.connect(() => console.log('kernel link ended'));
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { ViewerLayer, ViewerLayout, VolumeViewer, Readout, LayerSettings } from '@mdlma/widgets';

import type { PayloadLayer } from './volume-sources';

/** A live comm between one viewer and its kernel handle. */
export class ViewerLink {
  private constructor(private readonly options: ViewerLink.IOptions, private readonly comm: Kernel.IComm) {}

  /** Open the comm (target `mdlma.viewer`) and wire both directions. */
  static open(options: ViewerLink.IOptions): ViewerLink {
    const comm = options.kernel.createComm(options.target ?? 'mdlma.viewer');
    const link = new ViewerLink(options, comm);
    comm.onMsg = msg => link._receive(msg);
    comm.onClose = () => link.dispose();
    comm.open({ viewId: options.viewId });
    return link;
  }

  /** Whether the link ended. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Tell the kernel where the user's crosshair is. */
  sendCrosshair(readout: Readout): void {
    if (!this._disposed) this.comm.send({ type: 'location', voxel: readout.voxel, um: readout.um });
  }

  /** Tell the kernel the layout the user chose. */
  sendLayout(layout: ViewerLayout): void {
    if (!this._disposed) this.comm.send({ type: 'layout', layout });
  }

  /** End the link (closes the comm if still open). */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (!this.comm.isDisposed) {
      try {
        this.comm.close();
      } catch {
        // the kernel is gone: nothing to tell it
      }
    }
    this.options.onDisposed?.();
  }

  private async _receive(msg: KernelMessage.ICommMsgMsg): Promise<void> {
    const data = msg.content.data as Record<string, any>;
    const viewer = this.options.viewer;
    switch (data.type) {
      case 'state':
        for (const [name, settings] of Object.entries((data.layers ?? {}) as Record<string, LayerSettings>)) viewer.setLayer(name, settings);
        for (const layer of (data.added ?? []) as PayloadLayer[]) await viewer.addLayer(await this.options.loadLayer(layer));
        if (data.layout) viewer.setLayout(data.layout);
        if (Array.isArray(data.slice)) (this.options.moveTo ?? (v => viewer.setSlice(v)))(data.slice as [number, number, number]);
        this.options.onReady?.();
        break;
      case 'setSlice':
        if (this.options.moveTo) this.options.moveTo(data.voxel);
        else viewer.setSlice(data.voxel);
        break;
      case 'setLayer':
        viewer.setLayer(data.name, data.settings ?? {});
        break;
      case 'setLayout':
        viewer.setLayout(data.layout);
        break;
      case 'addLayer':
        await viewer.addLayer(await this.options.loadLayer(data.layer));
        break;
    }
  }

  private _disposed = false;
}

export namespace ViewerLink {
  /** Options of `ViewerLink.open`. */
  export interface IOptions {
    kernel: Kernel.IKernelConnection;
    viewId: string;
    target?: string;
    viewer: VolumeViewer;
    /** Fetch a layer the kernel added (full resolution, from the cache). */
    loadLayer: (layer: PayloadLayer) => Promise<ViewerLayer>;
    /** Moves the crosshair for the kernel (default `viewer.setSlice`; big volumes move their detail box). */
    moveTo?: (voxel: [number, number, number]) => void;
    /** Called when the kernel's state arrived and was applied (the link is usable). */
    onReady?: () => void;
    /** Called once when the link ends. */
    onDisposed?: () => void;
  }
}
