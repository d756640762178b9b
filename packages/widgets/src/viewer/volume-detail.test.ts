import type { ServerConnection } from '@jupyterlab/services';
import type { LayerSpec, Triple } from '@mdlma/kernel/protocol';

import { VolumeDetail } from './volume-detail';
import type { VolumeViewer } from './volume-viewer';

/** The overview of a layer too big for the browser, against a viewer played by a fake (no WebGL, no server). */
describe('VolumeDetail', () => {
  function setUp() {
    const notes: Array<{ text: string; actions: string[] }> = [];
    const slices: Triple[] = [];
    const viewer = {
      node: document.createElement('div'),
      slice: undefined,
      setNote: (text: string, actions: Array<{ label: string }> = []) => void notes.push({ text, actions: actions.map(a => a.label) }),
      setSlice: (voxel: Triple) => void slices.push(voxel)
    } as unknown as VolumeViewer;
    const layer = { name: 'image', kind: 'image', src: { path: '.mdlma/cache/ab.nii' }, shape: [1024, 1024, 1024] } as LayerSpec;
    const levels: string[] = [];
    const detail = new VolumeDetail({
      viewer, layers: [layer], load: { directory: '', settings: {} as ServerConnection.ISettings }, overview: [], side: 128,
      note: 'Overview at 1/4 resolution.', onLevel: level => void levels.push(level)
    });
    return { detail, notes, slices, levels };
  }

  it('shows the overview with its note and a button for full resolution', async () => {
    const { detail, notes, levels } = setUp();
    await detail.showOverview();
    expect(notes).toEqual([{ text: 'Overview at 1/4 resolution. Full resolution is loaded around the crosshair on request.', actions: ['Full resolution here'] }]);
    expect([detail.box, levels]).toEqual([undefined, ['overview']]);
  });

  it('moves the crosshair on the overview while no box is shown', () => {
    const { detail, slices } = setUp();
    detail.moveTo([500, 10, 20]);
    detail.follow({ voxel: [1, 2, 3], um: [1, 2, 3], values: [] });
    expect(slices).toEqual([[500, 10, 20]]);
    expect(detail.box).toBeUndefined();
  });
});
