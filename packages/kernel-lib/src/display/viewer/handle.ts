/**
 * The kernel's handle on a volume output: it talks to every frontend showing that output
 * over the `mdlma.viewer` comm. Commands (slice, layer settings, new layers) are kept as
 * state and replayed to a frontend that attaches later (a re-opened notebook); what the user
 * does (crosshair, layout) comes back and is readable here.
 *
 * @example
 * const viewer = await show({ image, labels });
 * viewer.setSlice({ z: 40 });
 * viewer.setLayer('labels', { opacity: 0.8 });
 * await viewer.addLayer(mask, { name: 'mask', kind: 'labels' });
 * await viewer.nextChange();                 // the user clicked somewhere
 * console.log(viewer.crosshair);             // { voxel: [40, 12, 30], um: [96, 28.8, 72] }
 */
import { inspect } from 'util';

import { VolumeShapeError } from '../../errors';
import { VIEWER_TARGET } from '../../protocol';
import type { Crosshair, LayerSettings, LayerSpec, Triple, ViewerCommand, ViewerLayout, ViewerOpenData } from '../../protocol';
import { Comm, CommMessage, comms } from '../../runtime';
import type { Shape3, Vec3, Volume } from '../../volume';
import type { LayerOptions } from './payload';

/** Handle on one volume output in the notebook. */
export class ViewerHandle {
  constructor(options: ViewerHandle.IOptions) {
    this.viewId = options.viewId;
    this.shape = options.shape;
    this.spacing = options.spacing;
    this.origin = options.origin;
    this._slice = [...options.slice];
    this._layout = options.layout;
    this._prepareLayer = options.prepareLayer;
  }

  /** Id shared with the output's `session.viewId`. */
  readonly viewId: string;
  /** Geometry of the shown volume. */
  readonly shape: Shape3;
  readonly spacing: Vec3;
  readonly origin: Vec3;

  /** The crosshair voxel [z, y, x], i.e. the shown axial, coronal and sagittal slices. */
  get slice(): Triple {
    return [...this._slice];
  }

  /** The user's last crosshair position, or undefined before any frontend reported one. */
  get crosshair(): Crosshair | undefined {
    return this._crosshair && { voxel: [...this._crosshair.voxel], um: [...this._crosshair.um] };
  }

  /** The current layout. */
  get layout(): ViewerLayout {
    return this._layout;
  }

  /** Whether at least one frontend is attached. */
  get connected(): boolean {
    return this._comms.size > 0;
  }

  /** Move the crosshair (and so the three slices) to a voxel; missing axes stay. */
  setSlice(index: Triple | { z?: number; y?: number; x?: number }): void {
    const [z, y, x] = Array.isArray(index) ? index : [index.z ?? this._slice[0], index.y ?? this._slice[1], index.x ?? this._slice[2]];
    this._slice = [z, y, x].map((v, a) => Math.max(0, Math.min(this.shape[a] - 1, Math.round(v)))) as Triple;
    this._moved = true;
    this._broadcast({ type: 'setSlice', voxel: this._slice });
  }

  /** Change a layer's visibility, opacity, colormap or window. */
  setLayer(name: string, settings: LayerSettings): void {
    this._layerSettings.set(name, { ...this._layerSettings.get(name), ...settings });
    this._broadcast({ type: 'setLayer', name, settings });
  }

  /** Switch between multiplanar, single planes and 3D rendering. */
  setLayout(layout: ViewerLayout): void {
    this._layout = layout;
    this._relaid = true;
    this._broadcast({ type: 'setLayout', layout });
  }

  /** Add a layer (same shape): written to the cache, then shown by every attached frontend (and later ones). */
  async addLayer(volume: Volume, options: LayerOptions = {}): Promise<LayerSpec> {
    if (volume.shape.some((n, a) => n !== this.shape[a])) {
      throw new VolumeShapeError(`Layer shape [${volume.shape.join(', ')}] differs from the viewer's [${this.shape.join(', ')}]; resample it first.`);
    }
    const layer = await this._prepareLayer(volume, options);
    this._addedLayers.push(layer);
    this._broadcast({ type: 'addLayer', layer });
    return layer;
  }

  /** Register a callback for the user's changes (crosshair, layout); returns a function that removes it. */
  onChange(handler: (handle: ViewerHandle) => void): () => void {
    this._changeHandlers.add(handler);
    return () => this._changeHandlers.delete(handler);
  }

  /** The next change the user makes (resolves with the new crosshair). */
  nextChange(signal?: AbortSignal): Promise<Crosshair | undefined> {
    return new Promise((resolve, reject) => {
      const off = this.onChange(() => {
        off();
        resolve(this.crosshair);
      });
      signal?.addEventListener('abort', () => {
        off();
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Close every frontend connection (the outputs stay, without the kernel link). */
  close(): void {
    for (const comm of this._comms) comm.close({ reason: 'closed by the kernel' });
    this._comms.clear();
  }

  /** @internal A frontend opened a comm for this view: send the state, listen to the user. */
  attach(comm: Comm): void {
    this._comms.add(comm);
    comm.onClose(() => this._comms.delete(comm));
    comm.onMsg(msg => this._receive(msg));
    // Only what changed since show(): the output itself already holds the initial view.
    const state: ViewerCommand = {
      type: 'state',
      ...(this._moved ? { slice: this._slice } : {}),
      ...(this._relaid ? { layout: this._layout } : {}),
      layers: Object.fromEntries(this._layerSettings),
      added: this._addedLayers
    };
    comm.send(state);
  }

  /** A short description (what a notebook prints for the handle). */
  toString(): string {
    return `ViewerHandle ${this.viewId} (${this.shape.join(' x ')}, ${this.connected ? 'connected' : 'no frontend'})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  private _receive(msg: CommMessage): void {
    // A ViewerEvent from the browser: each field is checked before use.
    const data = msg.data as Partial<Record<keyof Crosshair | 'type' | 'layout', unknown>>;
    if (data.type === 'location' && Array.isArray(data.voxel) && Array.isArray(data.um)) {
      this._crosshair = { voxel: data.voxel.slice(0, 3) as Triple, um: data.um.slice(0, 3) as Triple };
      this._slice = [...this._crosshair.voxel];
      this._moved = true;
    } else if (data.type === 'layout' && data.layout) {
      this._layout = data.layout as ViewerLayout;
      this._relaid = true;
    } else {
      return;
    }
    for (const handler of [...this._changeHandlers]) handler(this);
  }

  private _broadcast(command: ViewerCommand): void {
    for (const comm of this._comms) {
      if (!comm.isClosed) comm.send(command);
    }
  }

  private _slice: Triple;
  private _layout: ViewerLayout;
  private _crosshair: Crosshair | undefined;
  private readonly _prepareLayer: ViewerHandle.IOptions['prepareLayer'];
  private _moved = false;
  private _relaid = false;
  private readonly _comms = new Set<Comm>();
  private readonly _layerSettings = new Map<string, LayerSettings>();
  private readonly _addedLayers: LayerSpec[] = [];
  private readonly _changeHandlers = new Set<(handle: ViewerHandle) => void>();
}

export namespace ViewerHandle {
  /** Options of the ViewerHandle constructor. */
  export interface IOptions {
    viewId: string;
    shape: Shape3;
    spacing: Vec3;
    origin: Vec3;
    slice: Triple;
    layout: ViewerLayout;
    /** Turns a volume into a layer description (cache file written); show() provides it. */
    prepareLayer: (volume: Volume, options: LayerOptions) => Promise<LayerSpec>;
  }
}

/** Remember a handle so that frontends can attach to it, and make sure the comm target exists. */
export function registerHandle(handle: ViewerHandle): void {
  const handles = Private.handles();
  handles.set(handle.viewId, handle);
  // Outputs of long sessions: keep the most recent handles only (each holds metadata, no voxels).
  for (const viewId of handles.keys()) {
    if (handles.size <= Private.MAX_HANDLES) break;
    handles.delete(viewId);
  }
  if (!comms.hasTarget(VIEWER_TARGET)) {
    comms.registerTarget(VIEWER_TARGET, (comm, open) => {
      const viewId = (open.data as Partial<ViewerOpenData>).viewId;
      const target = viewId ? Private.handles().get(viewId) : undefined;
      if (!target) {
        comm.close({ reason: `no view ${viewId ?? '(none)'} in this kernel; showing the saved output` });
        return;
      }
      target.attach(comm);
    });
  }
}

namespace Private {
  export const MAX_HANDLES = 500;

  /** Handles by view id, shared by every copy of @mdlma/kernel in the process. */
  export function handles(): Map<string, ViewerHandle> {
    const holder = globalThis as unknown as Record<symbol, Map<string, ViewerHandle> | undefined>;
    return (holder[Symbol.for('@mdlma/kernel:viewer-handles')] ??= new Map());
  }
}
