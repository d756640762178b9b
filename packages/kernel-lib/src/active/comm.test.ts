import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { OutputPathError } from '../errors';
import { read } from '../io';
import { CommRegistry, type CommTransport } from '../runtime';
import { ANNOTATION_TARGET, voxelOf } from '../protocol';
import type { MessageHeader } from '../protocol/jupyter';
import { AnnotationStore } from './annotations';
import { registerAnnotationSession, type AnnotationSession } from './comm';
import { exportAnnotationLabels } from './label-export';

/** A registry whose messages to the frontend are recorded, as the comms tests do. */
function frontend() {
  const sent: { msgType: string; content: Record<string, any>; buffers: Uint8Array[] }[] = [];
  const transport: CommTransport = { send: (msgType, content, buffers) => void sent.push({ msgType, content, buffers }) };
  const registry = new CommRegistry({ transport });
  const header = (msg_type: string): MessageHeader => ({ msg_id: `m-${msg_type}`, msg_type, session: 's', username: 'u', date: new Date().toISOString(), version: '5.3' });
  let n = 0;
  return {
    sent,
    registry,
    open: (commId: string, data: Record<string, unknown>) => registry.handleFrontendMessage('comm_open', { comm_id: commId, target_name: ANNOTATION_TARGET, data }, [], header('comm_open')),
    send: async (commId: string, data: Record<string, unknown>, buffers: Uint8Array[] = []) => {
      const before = sent.length;
      await registry.handleFrontendMessage('comm_msg', { comm_id: commId, data: { id: ++n, ...data } }, buffers, header('comm_msg'));
      return sent.slice(before).filter(m => m.content.comm_id === commId);
    }
  };
}

const shape = [8, 10, 12] as const;

function session(name: string): AnnotationSession & { updates: number } {
  const store = new AnnotationStore({ shape, classes: 4 });
  const s = {
    name,
    shape,
    classes: 4,
    classNames: ['background', 'bone', 'degradation layer', 'residual material'],
    axis: 'z' as const,
    store,
    updates: 0,
    predictionSlice: (axis: 'z' | 'y' | 'x') => {
      const n = axis === 'z' ? 120 : axis === 'y' ? 96 : 80;
      return { shape: [0, 0] as [number, number], labels: new Uint8Array(n).fill(1), confidence: new Uint8Array(n).fill(200) };
    },
    update: async () => ({ round: ++s.updates })
  };
  return s;
}

describe('the mdlma.annotation comm', () => {
  it('greets with the shape, classes and the Yjs state, then takes strokes into the session store', async () => {
    const f = frontend();
    const s = session('scan-1');
    registerAnnotationSession(s, f.registry);
    await f.open('c1', { session: 'scan-1', user: 'ana' });
    const hello = f.sent[0];
    expect(hello.content.data).toMatchObject({ type: 'hello', protocol: 'mdlma.annotation/1', session: 'scan-1', shape: [8, 10, 12], axis: 'z' });
    expect(hello.content.data.classes).toHaveLength(4);
    expect(hello.buffers[0]).toBeInstanceOf(Uint8Array);

    // JSON runs, then binary Uint32 runs.
    // The stroke path: the kernel makes the operation and sends the panel's replica its Yjs update, then the ack.
    const replies = await f.send('c1', { type: 'stroke', user: 'ana', axis: 'z', slice: 2, label: 3, runs: [0, 4] });
    expect(replies.map(r => r.content.data.type)).toEqual(['yjs-update', 'ack']);
    expect(replies[1].content.data).toMatchObject({ type: 'ack', request: 'stroke', replyTo: 1 });
    await f.send('c1', { type: 'stroke', user: 'ana', axis: 'y', slice: 5, label: 2 }, [new Uint8Array(new Uint32Array([12, 3]).buffer)]);
    const labels = s.store.labels();
    expect(labels[voxelOf(shape, 'z', 2, 0, 3)]).toBe(3);
    expect(labels[voxelOf(shape, 'y', 5, 1, 2)]).toBe(2);
    expect(s.store.annotatedSlices().map(a => `${a.axis}${a.index}`)).toEqual(['z2', 'y5']);

    // Each stroke is one undo step of its user in the kernel's store.
    expect(s.store.undo('ana')).toBe(true);
    expect(s.store.labels()[voxelOf(shape, 'y', 5, 1, 2)]).toBe(255);
    expect(s.store.redo('ana')).toBe(true);
    expect(s.store.labels()[voxelOf(shape, 'y', 5, 1, 2)]).toBe(2);

    // A slice for the overlays: annotations, prediction, confidence.
    const [slice] = await f.send('c1', { type: 'get-slice', axis: 'z', slice: 2 });
    expect(slice.content.data).toMatchObject({ type: 'slice', shape: [10, 12], layers: ['annotations', 'prediction', 'confidence'] });
    expect(Array.from(slice.buffers[0].subarray(0, 5))).toEqual([3, 3, 3, 3, 255]);

    // Update the model.
    const updated = (await f.send('c1', { type: 'update' })).find(r => r.content.data.type === 'model-updated')!;
    expect(updated.content.data).toMatchObject({ type: 'model-updated', record: { round: 1 } });
  });

  it('keeps replicas in step: Yjs updates from the panel are applied, kernel edits are sent to the panel', async () => {
    const f = frontend();
    const s = session('scan-2');
    registerAnnotationSession(s, f.registry);
    await f.open('c2', { session: 'scan-2' });
    // The panel's own replica, started from hello's state.
    const panel = new AnnotationStore({ shape, classes: 4 });
    panel.applyUpdate(f.sent[0].buffers[0]);
    const updates: Uint8Array[] = [];
    panel.onUpdate((u, origin) => origin !== 'kernel' && updates.push(u));
    panel.paint({ user: 'ben', axis: 'z', slice: 7, label: 1, runs: [100, 20] });
    expect(await f.send('c2', { type: 'yjs-update' }, [updates[0]])).toEqual([]); // no echo back to its sender
    expect(s.store.labels()[voxelOf(shape, 'z', 7, 9, 0)]).toBe(1);
    // An edit made in the kernel reaches the panel as a Yjs update.
    const before = f.sent.length;
    s.store.paint({ user: 'kernel', axis: 'z', slice: 0, label: 2, runs: [0, 1] });
    const pushed = f.sent.slice(before).find(m => m.content.data.type === 'yjs-update')!;
    panel.applyUpdate(pushed.buffers[0], 'kernel');
    expect(Array.from(panel.labels())).toEqual(Array.from(s.store.labels()));
  });

  it('exports the annotations as a NIfTI label volume on request and replies with the path and voxel counts', async () => {
    const f = frontend();
    const s = session('scan-export');
    registerAnnotationSession(s, f.registry);
    await f.open('c5', { session: 'scan-export' });
    s.store.paint({ user: 'ana', axis: 'z', slice: 3, label: 2, runs: [10, 6] });
    s.store.paint({ user: 'ana', axis: 'x', slice: 1, label: 0, runs: [0, 3] });
    const dir = mkdtempSync(join(tmpdir(), 'mdlma-comm-export-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const [reply] = await f.send('c5', { type: 'export-labels', path: 'out.labels.nii.gz' });
      expect(reply.content.data).toMatchObject({ type: 'labels-exported', path: 'out.labels.nii.gz', absolutePath: join(realpathSync(dir), 'out.labels.nii.gz'), labelledVoxels: 9, counts: [3, 0, 6, 0] });
      const labels = await read(join(dir, 'out.labels.nii.gz'));
      expect(labels.dtype).toBe('uint8');
      expect(labels.shape).toEqual([...shape]);
      expect(Array.from(labels.data)).toEqual(Array.from(s.store.labels()));
      expect(labels.get(3, 1, 0)).toBe(2);
      // A file name that is not NIfTI is refused with a typed error, and nothing is written.
      const [bad] = await f.send('c5', { type: 'export-labels', path: 'out.tif' });
      expect(bad.content.data).toMatchObject({ type: 'error', request: 'export-labels', error: 'ActiveLearningError' });
      expect(readdirSync(dir)).toEqual(['out.labels.nii.gz']);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes only inside the kernel\'s working folder, and never over the session\'s source volume', async () => {
    const f = frontend();
    const root = mkdtempSync(join(tmpdir(), 'mdlma-comm-root-'));
    const outside = mkdtempSync(join(tmpdir(), 'mdlma-comm-outside-'));
    const cwd = process.cwd();
    try {
      process.chdir(root);
      writeFileSync(join(root, 'scan.nii.gz'), 'the scan');
      symlinkSync(outside, join(root, 'escape'));
      const s = { ...session('scan-confined'), source: join(root, 'scan.nii.gz') };
      registerAnnotationSession(s, f.registry);
      await f.open('c6', { session: 'scan-confined' });
      const refused: [string, RegExp][] = [
        [join(outside, 'x.nii'), /export-labels path \S*x\.nii is absolute/],
        ['../x.nii', /export-labels path \.\.\/x\.nii leaves the working folder/],
        ['sub/../../x.nii', /leaves the working folder/],
        ['escape/x.nii', /export-labels path escape\/x\.nii lies in \S* \(through a symlink\), outside the working folder/],
        ['scan.nii.gz', /export-labels path scan\.nii\.gz resolves to the session's source \S*scan\.nii\.gz: refusing to overwrite an input/],
        ['./sub/../scan.nii.gz', /resolves to the session's source/]
      ];
      for (const [path, message] of refused) {
        const [reply] = await f.send('c6', { type: 'export-labels', path });
        expect(reply.content.data).toMatchObject({ type: 'error', request: 'export-labels', error: 'OutputPathError' });
        expect(reply.content.data.message).toMatch(message);
      }
      expect(readFileSync(join(root, 'scan.nii.gz'), 'utf8')).toBe('the scan');
      expect(readdirSync(outside)).toEqual([]);
      expect(readdirSync(root).sort()).toEqual(['escape', 'scan.nii.gz']);
      // The default name and a subfolder are fine.
      const [ok] = await f.send('c6', { type: 'export-labels', path: 'sub/labels.nii' });
      expect(ok.content.data).toMatchObject({ type: 'labels-exported', path: 'sub/labels.nii' });
      const [byDefault] = await f.send('c6', { type: 'export-labels' });
      expect(byDefault.content.data).toMatchObject({ type: 'labels-exported', path: 'scan-confined.labels.nii.gz' });
      // The user's own code may write anywhere, but not over the volume it names as the source.
      const mine = await exportAnnotationLabels(s.store, join(outside, 'mine.nii.gz'));
      expect(mine.absolutePath).toBe(join(outside, 'mine.nii.gz'));
      await expect(exportAnnotationLabels(s.store, `${root}/./scan.nii.gz`, { source: s.source })).rejects.toThrow(OutputPathError);
      expect(readFileSync(join(root, 'scan.nii.gz'), 'utf8')).toBe('the scan');
    } finally {
      process.chdir(cwd);
      [root, outside].forEach(d => rmSync(d, { recursive: true, force: true }));
    }
  });

  it('answers bad requests with typed errors and closes a comm for an unknown session', async () => {
    const f = frontend();
    registerAnnotationSession(session('scan-3'), f.registry);
    await f.open('c3', { session: 'scan-3' });
    const [bad] = await f.send('c3', { type: 'stroke', user: 'ana', axis: 'q', slice: 0, label: 1, runs: [0, 1] });
    expect(bad.content.data).toMatchObject({ type: 'error', request: 'stroke', error: 'ActiveLearningError' });
    const [unknown] = await f.send('c3', { type: 'paint' });
    expect(unknown.content.data.message).toMatch(/not one of stroke/);
    // Edits the panel makes in its own replica (undo included) are Yjs updates: there is no message for them.
    for (const type of ['undo', 'redo', 'set-slice', 'accept-prediction', 'state']) {
      const [gone] = await f.send('c3', { type, user: 'ana', axis: 'z', slice: 0 });
      expect(gone.content.data).toMatchObject({ type: 'error', request: type, error: 'ActiveLearningError' });
    }
    const [outside] = await f.send('c3', { type: 'stroke', user: 'ana', axis: 'z', slice: 0, label: 1, runs: [119, 5] });
    expect(outside.content.data.message).toMatch(/leaves slice 0 along z/);
    const before = f.sent.length;
    await f.open('c4', { session: 'nope' });
    expect(f.sent.slice(before).map(m => m.content.data.type ?? m.msgType)).toEqual(['error', 'comm_close']);
    expect(f.sent[f.sent.length - 1].msgType).toBe('comm_close');
  });
});
