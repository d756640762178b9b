import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { ActiveLearningError, StochasticInferenceError } from '../errors';
import { read } from '../io';
import { SegmentationModel } from '../models';
import { implantPhantom, type Phantom } from '../phantom';
import { type OrthogonalAxis, sliceShape, voxelOf } from '../protocol';
import { handleAnnotationMessage } from './comm';
import { ActiveLearning, activeLearning } from './loop';

/** The truth of one slice, as an expert (the oracle) would paint it. */
function truthSlice(p: Phantom, axis: OrthogonalAxis, k: number): Uint8Array {
  const [h, w] = sliceShape(p.labels.shape, axis);
  const out = new Uint8Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[i * w + j] = p.labels.data[voxelOf(p.labels.shape, axis, k, i, j)];
  return out;
}

describe('activeLearning', () => {
  let phantom: Phantom;
  let model: SegmentationModel;
  let al: ActiveLearning;
  beforeAll(async () => {
    phantom = await implantPhantom({ size: 32, seed: 2001, stage: 4, material: 'Mg-5Gd' });
    model = await SegmentationModel.load('sun-implant', { threads: 1 });
    al = await activeLearning({ volume: phantom.image, model, strategy: 'entropy', axis: 'y', truth: phantom.labels, name: 'loop-test', register: false, train: { steps: 300 } });
  });

  it('starts from the U-Net alone (round 0, with its Dice) and suggests distinct slices with reasons', () => {
    expect(al.history).toHaveLength(1);
    expect(al.history[0]).toMatchObject({ round: 0, trainingVoxels: 0, annotatedSlices: [] });
    expect(al.history[0].dice).toHaveLength(4);
    const picks = al.suggest(3);
    expect(picks.map(p => p.rank)).toEqual([1, 2, 3]);
    expect(new Set(picks.map(p => p.index)).size).toBe(3);
    expect(picks.every(p => p.axis === 'y' && /^entropy: mean class-weighted voxel entropy/.test(p.reason))).toBe(true);
    expect(al.suggest(2, { strategy: 'coreset', axis: 'x' }).every(p => p.axis === 'x')).toBe(true);
  });

  it('annotates suggested slices, trains the head and re-predicts: the annotated slices become right', async () => {
    const picks = al.suggest(3);
    for (const p of picks) al.annotate(p.axis, p.index, truthSlice(phantom, p.axis, p.index));
    al.annotateVoxels({ user: 'ana', axis: 'z', slice: 16, label: 1, pixels: [0, 1, 2] });
    expect(al.annotated('y').sort()).toEqual(picks.map(p => p.index).sort());
    const errorsOnAnnotated = () => {
      const labels = al.labels().data;
      let wrong = 0;
      for (const p of picks) for (let i = 0; i < 32; i++) for (let j = 0; j < 32; j++) {
        const v = voxelOf(phantom.labels.shape, 'y', p.index, i, j);
        if (labels[v] !== phantom.labels.data[v]) wrong++;
      }
      return wrong;
    };
    const before = errorsOnAnnotated();
    const record = await al.update();
    expect(record.round).toBe(1);
    expect(record.trainingVoxels).toBe(al.store.labels().filter(v => v !== 255).length);
    expect(record.trainingVoxels).toBeGreaterThanOrEqual(3 * 32 * 32);
    expect(record.timings.trainSeconds).toBeGreaterThan(0);
    expect(record.dice).toHaveLength(4);
    expect(errorsOnAnnotated()).toBeLessThan(before);
    // Suggestions keep away from what is annotated.
    const next = al.suggest(3).map(p => p.index);
    for (const p of picks) expect(next).not.toContain(p.index);
  });

  it('saves and loads the session: same head, same history, same annotations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdlma-al-'));
    try {
      const { annotations } = al.save(join(dir, 'session.json'));
      expect(annotations).toMatch(/session\.annot\.yjs$/);
      const again = await ActiveLearning.load(join(dir, 'session.json'), { volume: phantom.image, model, truth: phantom.labels, register: false });
      expect(again.history).toEqual(al.history);
      expect(Array.from(again.store.labels())).toEqual(Array.from(al.store.labels()));
      expect(Array.from(again.labels().data)).toEqual(Array.from(al.labels().data));
      await expect(ActiveLearning.load(join(dir, 'session.json'), { volume: (await implantPhantom({ size: 16, seed: 1 })).image, model })).rejects.toThrow(ActiveLearningError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports NIfTI image/label pairs named as models/train expects, 255 where unlabelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdlma-al-export-'));
    try {
      const out = await al.exportTrainingSet(dir);
      expect(readdirSync(dir).sort()).toEqual(['loop-test.labels.nii.gz', 'loop-test.nii.gz']);
      const labels = await read(out.labels);
      const image = await read(out.image);
      expect(labels.shape).toEqual(phantom.labels.shape);
      expect(labels.dtype).toBe('uint8');
      expect(image.dtype).toBe('float32');
      const labelled = Array.from(labels.data).filter(v => v !== 255);
      expect(labelled.length).toBe(out.labelledVoxels);
      expect(labelled.length).toBeGreaterThan(3 * 32 * 32 - 1);
      expect(labelled.every(v => v <= 3)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports the annotations alone as a uint8 NIfTI label volume, by default <name>.labels.nii.gz in the working folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdlma-al-labels-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const out = await al.exportLabels();
      expect(out.path).toBe('loop-test.labels.nii.gz');
      expect(out.absolutePath).toBe(join(realpathSync(dir), 'loop-test.labels.nii.gz'));
      expect(readdirSync(dir)).toEqual(['loop-test.labels.nii.gz']);
      const labels = await read(out.absolutePath);
      expect(labels.dtype).toBe('uint8');
      expect(labels.shape).toEqual(phantom.image.shape);
      expect(labels.spacing).toEqual(phantom.image.spacing);
      expect(Array.from(labels.data)).toEqual(Array.from(al.store.labels()));
      expect(out.labelledVoxels).toBe(Array.from(labels.data).filter(v => v !== 255).length);
      expect(out.counts.reduce((a, b) => a + b, 0)).toBe(out.labelledVoxels);
      expect(out.counts[1]).toBe(Array.from(labels.data).filter(v => v === 1).length);
      // Through the panel's comm request, to a path of its choosing.
      const [reply] = await handleAnnotationMessage(al, { data: { type: 'export-labels', id: 7, path: 'sub/again.nii' }, buffers: [], metadata: {} });
      expect(reply.data).toMatchObject({ type: 'labels-exported', replyTo: 7, path: 'sub/again.nii', labelledVoxels: out.labelledVoxels, counts: out.counts });
      expect(Array.from((await read(join(dir, 'sub/again.nii'))).data)).toEqual(Array.from(al.store.labels()));
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves a slice to the panel: annotations, prediction, confidence and the image', async () => {
    const [reply] = await handleAnnotationMessage(al, { data: { type: 'get-slice', axis: 'z', slice: 16, image: true }, buffers: [], metadata: {} });
    expect(reply.data).toMatchObject({ type: 'slice', shape: [32, 32], layers: ['annotations', 'prediction', 'confidence', 'image'] });
    expect(reply.buffers.map(b => b.length)).toEqual([1024, 1024, 1024, 4096]);
    expect(new Float32Array(reply.buffers[3].slice().buffer)[33]).toBe(phantom.image.get(16, 1, 1));
    expect(Array.from(reply.buffers[1].subarray(0, 8))).toEqual(Array.from(al.labels().data.subarray(16 * 1024, 16 * 1024 + 8)));
  });

  it('says that MC dropout and BALD are not in the ONNX model, and refuses unknown strategies', () => {
    expect(() => al.suggest(1, { strategy: 'bald' })).toThrow(StochasticInferenceError);
    expect(() => (al.strategy = 'best' as never)).toThrow(/strategy must be one of/);
  });
});
