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
import { VIEWER_TARGET } from '@mdlma/kernel/protocol';
import type { LayerSpec, Triple, ViewerCommand, ViewerEvent, ViewerLayout, ViewerOpenData } from '@mdlma/kernel/protocol';

import type { Readout, ViewerLayer } from './types';
import type { VolumeViewer } from './volume-viewer';

/** A live comm between one viewer and its kernel handle. */
export class ViewerLink {
  private constructor(options: ViewerLink.IOptions, comm: Kernel.IComm) {
    this._options = options;
    this._comm = comm;
  }

  /** Open the comm (target `mdlma.viewer`) and wire both directions. */
  static open(options: ViewerLink.IOptions): ViewerLink {
    const comm = options.kernel.createComm(options.target ?? VIEWER_TARGET);
    const link = new ViewerLink(options, comm);
    comm.onMsg = msg => link._receive(msg);
    comm.onClose = () => link.dispose();
    comm.open({ viewId: options.viewId } satisfies ViewerOpenData);
    return link;
  }

  /** Whether the link ended. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Tell the kernel where the user's crosshair is. */
  sendCrosshair(readout: Readout): void {
    if (!this._disposed) this._comm.send({ type: 'location', voxel: readout.voxel, um: readout.um } satisfies ViewerEvent);
  }

  /** Tell the kernel the layout the user chose. */
  sendLayout(layout: ViewerLayout): void {
    if (!this._disposed) this._comm.send({ type: 'layout', layout } satisfies ViewerEvent);
  }

  /** End the link (closes the comm if still open). */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (!this._comm.isDisposed) {
      try {
        this._comm.close();
      } catch {
        // the kernel is gone: nothing to tell it
      }
    }
    this._options.onDisposed?.();
  }

  private async _receive(msg: KernelMessage.ICommMsgMsg): Promise<void> {
    const data = msg.content.data as unknown as ViewerCommand;
    const viewer = this._options.viewer;
    switch (data.type) {
      case 'state':
        for (const [name, settings] of Object.entries(data.layers ?? {})) viewer.setLayer(name, settings);
        for (const layer of data.added ?? []) await viewer.addLayer(await this._options.loadLayer(layer));
        if (data.layout) viewer.setLayout(data.layout);
        if (Array.isArray(data.slice)) (this._options.moveTo ?? (v => viewer.setSlice(v)))(data.slice);
        this._options.onReady?.();
        break;
      case 'setSlice':
        if (this._options.moveTo) this._options.moveTo(data.voxel);
        else viewer.setSlice(data.voxel);
        break;
      case 'setLayer':
        viewer.setLayer(data.name, data.settings ?? {});
        break;
      case 'setLayout':
        viewer.setLayout(data.layout);
        break;
      case 'addLayer':
        await viewer.addLayer(await this._options.loadLayer(data.layer));
        break;
    }
  }

  private readonly _options: ViewerLink.IOptions;
  private readonly _comm: Kernel.IComm;
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
    loadLayer: (layer: LayerSpec) => Promise<ViewerLayer>;
    /** Moves the crosshair for the kernel (default `viewer.setSlice`; big volumes move their detail box). */
    moveTo?: (voxel: Triple) => void;
    /** Called when the kernel's state arrived and was applied (the link is usable). */
    onReady?: () => void;
    /** Called once when the link ends. */
    onDisposed?: () => void;
  }
}
