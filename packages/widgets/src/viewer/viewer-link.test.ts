import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { LayerSpec, ViewerCommand } from '@mdlma/kernel/protocol';

import type { ViewerLayer } from './types';
import { ViewerLink } from './viewer-link';
import type { VolumeViewer } from './volume-viewer';

/** The front end's side of the `mdlma.viewer` comm, against a kernel and a viewer played by fakes. */
describe('ViewerLink', () => {
  function setUp() {
    const comm = {
      targetName: '', opened: undefined as unknown, sent: [] as unknown[], isDisposed: false, closed: false,
      onMsg: undefined as ((msg: KernelMessage.ICommMsgMsg) => Promise<void>) | undefined,
      onClose: undefined as (() => void) | undefined,
      open(data: unknown) { this.opened = data; },
      send(data: unknown) { this.sent.push(data); },
      close() { this.closed = true; }
    };
    const kernel = { createComm: (target: string) => ((comm.targetName = target), comm) } as unknown as Kernel.IKernelConnection;
    const calls: unknown[][] = [];
    const record = (name: string) => (...args: unknown[]) => void calls.push([name, ...args]);
    const viewer = { setLayer: record('setLayer'), setSlice: record('setSlice'), setLayout: record('setLayout'), addLayer: async (l: ViewerLayer) => record('addLayer')(l.name) } as unknown as VolumeViewer;
    const loadLayer = async (layer: LayerSpec) => ({ name: layer.name }) as ViewerLayer;
    const deliver = (data: ViewerCommand) => comm.onMsg!({ content: { comm_id: 'c', data } } as unknown as KernelMessage.ICommMsgMsg);
    return { comm, kernel, viewer, calls, loadLayer, deliver };
  }

  it('opens the view by id, applies the kernel state, and reports the user crosshair', async () => {
    const { comm, kernel, viewer, calls, loadLayer, deliver } = setUp();
    let ready = false;
    const link = ViewerLink.open({ kernel, viewId: 'v1', viewer, loadLayer, onReady: () => (ready = true) });
    expect([comm.targetName, comm.opened]).toEqual(['mdlma.viewer', { viewId: 'v1' }]);

    const mask = { name: 'mask' } as LayerSpec;
    await deliver({ type: 'state', slice: [1, 2, 3], layout: 'planes', layers: { image: { opacity: 0.3 } }, added: [mask] });
    expect(calls).toEqual([['setLayer', 'image', { opacity: 0.3 }], ['addLayer', 'mask'], ['setLayout', 'planes'], ['setSlice', [1, 2, 3]]]);
    expect(ready).toBe(true);

    link.sendCrosshair({ voxel: [4, 5, 6], um: [8, 10, 12], values: [] });
    link.sendLayout('axial');
    expect(comm.sent).toEqual([{ type: 'location', voxel: [4, 5, 6], um: [8, 10, 12] }, { type: 'layout', layout: 'axial' }]);
  });

  it('lets big volumes move their detail box instead of the crosshair', async () => {
    const { kernel, viewer, loadLayer, deliver } = setUp();
    const moved: unknown[] = [];
    ViewerLink.open({ kernel, viewId: 'v2', viewer, loadLayer, moveTo: voxel => moved.push(voxel) });
    await deliver({ type: 'setSlice', voxel: [7, 8, 9] });
    expect(moved).toEqual([[7, 8, 9]]);
  });

  it('ends once when the kernel closes the comm, and sends nothing after', () => {
    const { comm, kernel, viewer, loadLayer } = setUp();
    let ended = 0;
    const link = ViewerLink.open({ kernel, viewId: 'v3', viewer, loadLayer, onDisposed: () => ended++ });
    comm.onClose!();
    link.dispose();
    link.sendLayout('render');
    expect([link.isDisposed, ended, comm.sent]).toEqual([true, 1, []]);
  });
});
