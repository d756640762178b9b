/**
 * Full-resolution detail for layers too big for the browser. The viewer first shows the cached
 * overview (downsampled) with a note; on request it shows a box of the full layers around the
 * crosshair, which the server reads from the uncompressed cached NIfTI files (`?box=`, see
 * mdlma_lab/viewer_box.py). Why boxes from the server: the cache files already exist and need
 * no kernel (the detail works after a kernel restart), a box costs one request per layer, and
 * the browser never holds more than one box and the overview. Clicking near the edge of the box
 * (or `viewer.setSlice` from the kernel outside it) moves the box there.
 *
 * @example
 * const detail = new VolumeDetail({ viewer, layers: payload.layers, load, overview, side: 128, note, onLevel });
 * detail.showOverview();                     // note with a "Full resolution here" button
 * await detail.showAround([400, 220, 310]);  // full-resolution box around that voxel
 */
import type { LayerSpec, Triple } from '@mdlma/kernel/protocol';

import type { Readout, ViewerLayer } from './types';
import type { VolumeViewer } from './volume-viewer';
import { Box, boxAround, loadBox, LoadOptions } from './volume-sources';

/** Overview and full-resolution boxes of one viewer. */
export class VolumeDetail {
  constructor(options: VolumeDetail.IOptions) {
    this._options = options;
  }

  /** The box shown now (undefined: the overview). */
  get box(): Box | undefined {
    return this._box;
  }

  /** Show the overview with its note and the button that asks for detail. */
  async showOverview(): Promise<void> {
    const { viewer } = this._options;
    if (this._box) {
      this._box = undefined;
      await this._run(() => viewer.load(this._options.overview));
    }
    viewer.setNote(`${this._options.note} Full resolution is loaded around the crosshair on request.`, [
      { id: 'detail', label: 'Full resolution here', run: () => void this.showAround(viewer.slice ?? this._centre()) }
    ]);
    this._options.onLevel?.('overview', undefined);
  }

  /** Show the full-resolution box around a voxel [z, y, x] of the full volume. */
  async showAround(voxel: Readonly<Triple>): Promise<void> {
    const { viewer, layers } = this._options;
    const box = boxAround(voxel, layers[0].shape, this._options.side);
    this._box = box;
    const loaded = await this._run(async () => {
      const boxLayers = await loadBox(layers, box, this._options.load);
      if (this._box !== box || viewer.isDisposed) return false; // another request came meanwhile
      await viewer.load(boxLayers, { shape: box.map(([a, b]) => b - a) as Triple, slice: [...voxel] as Triple });
      return true;
    });
    if (!loaded || this._box !== box) return;
    const range = box.map(([a, b], i) => `${'zyx'[i]} ${a}–${b - 1}`).join(', ');
    viewer.setNote(`Full resolution around the crosshair (${range} of ${layers[0].shape.join(' × ')}); clicking near its edge moves it.`, [
      { id: 'overview', label: 'Overview', run: () => void this.showOverview() }
    ]);
    this._options.onLevel?.('detail', box);
  }

  /** The crosshair moved (user or kernel): move the box when it came near the box's edge. */
  follow(readout: Readout): void {
    const box = this._box;
    if (!box || this._busy) return;
    const shape = this._options.layers[0].shape;
    const margin = Math.max(1, Math.floor(this._options.side / 8));
    const nearEdge = readout.voxel.some((v, a) => (v - box[a][0] < margin && box[a][0] > 0) || (box[a][1] - 1 - v < margin && box[a][1] < shape[a]));
    if (nearEdge) void this.showAround(readout.voxel);
  }

  /** Move the crosshair to a full-resolution voxel: within the box, or with the box moved there. */
  moveTo(voxel: Readonly<Triple>): void {
    const box = this._box;
    if (box && voxel.some((v, a) => v < box[a][0] || v >= box[a][1])) void this.showAround(voxel);
    else this._options.viewer.setSlice(voxel);
  }

  private async _run<T>(work: () => Promise<T>): Promise<T> {
    this._busy = true;
    this._options.viewer.node.dataset.detailBusy = 'true';
    try {
      return await work();
    } finally {
      this._busy = false;
      delete this._options.viewer.node.dataset.detailBusy;
    }
  }

  private _centre(): Triple {
    return this._options.layers[0].shape.map(n => n >> 1) as Triple;
  }

  private readonly _options: VolumeDetail.IOptions;
  private _box: Box | undefined;
  private _busy = false;
}

export namespace VolumeDetail {
  /** Options of the VolumeDetail constructor. */
  export interface IOptions {
    viewer: VolumeViewer;
    /** The payload's layers (full-resolution files and geometry). */
    layers: LayerSpec[];
    load: LoadOptions;
    /** The overview layers, loaded already. */
    overview: ViewerLayer[];
    /** Largest side of a box. */
    side: number;
    /** Why the overview is shown. */
    note: string;
    /** Called when the overview or a box is shown. */
    onLevel?: (level: 'overview' | 'detail', box: Box | undefined) => void;
  }
}
