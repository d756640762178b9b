import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

import { comms, CommTransport } from '../../runtime';
import { Volume } from '../../volume';
import { MimeBundle, setDisplaySink } from '../output';
import { show } from './show';

/** The frontend's side of the `mdlma.viewer` comm, played through the kernel's real comm registry. */
describe('ViewerHandle over the mdlma.viewer comm', () => {
  const sent: Array<{ msgType: string; content: Record<string, any> }> = [];
  const transport: CommTransport = { send: (msgType, content) => void sent.push({ msgType, content }) };
  const header = { msg_id: 'm', msg_type: 'comm_msg', session: 's', username: 'u', date: '', version: '5.3' } as Parameters<typeof comms.handleFrontendMessage>[3];
  let folder: string;
  let previousSink: ReturnType<typeof setDisplaySink>;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'mdlma-handle-'));
    sent.length = 0;
    comms.setTransport(transport);
    previousSink = setDisplaySink((_: MimeBundle) => undefined);
  });
  afterEach(() => {
    comms.setTransport(undefined);
    setDisplaySink(previousSink);
    rmSync(folder, { recursive: true, force: true });
  });

  const image = Volume.zeros([8, 8, 8], 'uint16', { spacing: [2, 2, 2] });
  const toFrontend = (commId: string) => sent.filter(m => m.content.comm_id === commId).map(m => [m.msgType, m.content.data]);

  it('replays kernel commands to a frontend that attaches, and reads the user crosshair', async () => {
    const viewer = await show(image, { cache: { root: folder } });
    viewer.setSlice({ z: 2 });
    viewer.setLayer('image', { opacity: 0.3 });
    await comms.handleFrontendMessage('comm_open', { comm_id: 'f1', target_name: 'mdlma.viewer', data: { viewId: viewer.viewId } }, [], header);
    expect(viewer.connected).toBe(true);
    expect(toFrontend('f1')).toEqual([['comm_msg', { type: 'state', slice: [2, 4, 4], layers: { image: { opacity: 0.3 } }, added: [] }]]);

    viewer.setSlice([1, 2, 3]);
    expect(toFrontend('f1').pop()).toEqual(['comm_msg', { type: 'setSlice', voxel: [1, 2, 3] }]);

    const change = viewer.nextChange();
    await comms.handleFrontendMessage('comm_msg', { comm_id: 'f1', data: { type: 'location', voxel: [5, 6, 7], um: [10, 12, 14] } }, [], header);
    expect(await change).toEqual({ voxel: [5, 6, 7], um: [10, 12, 14] });
    expect(viewer.slice).toEqual([5, 6, 7]);

    const mask = Volume.zeros(image.shape, 'uint8', { spacing: [2, 2, 2] });
    const layer = await viewer.addLayer(mask, { name: 'mask', kind: 'labels' });
    expect(layer.src).toEqual({ path: expect.stringMatching(/^\.mdlma\/cache\//) });
    expect(toFrontend('f1').pop()).toEqual(['comm_msg', { type: 'addLayer', layer }]);
    await expect(viewer.addLayer(Volume.zeros([8, 8, 4], 'uint8'))).rejects.toThrow(/resample it first/);

    viewer.close();
    expect(viewer.connected).toBe(false);
  });

  it('closes the comm of a view this kernel does not know (restarted kernel, saved output)', async () => {
    await show(image, { cache: { root: folder } }); // registers the target
    await comms.handleFrontendMessage('comm_open', { comm_id: 'f2', target_name: 'mdlma.viewer', data: { viewId: 'gone' } }, [], header);
    expect(toFrontend('f2')).toEqual([['comm_close', { reason: expect.stringContaining('no view gone') }]]);
  });
});
