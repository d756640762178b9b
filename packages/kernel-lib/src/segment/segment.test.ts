import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { InterruptedError, SegmentOptionError } from '../errors';
import { open, read, write } from '../io';
import { segmentationMetrics } from '../metrics';
import { SegmentationModel } from '../models';
import { implantPhantom } from '../phantom';
import { Volume } from '../volume';
import { segment } from './index';

// A slab of a held-out phantom (seeds >= 1000 are never used in training; see the model card), at the
// in-plane size and spacing the model was trained on.
let image: Volume;
let truth: Volume;
let model: SegmentationModel;
let dir: string;

beforeAll(async () => {
  ({ image, labels: truth } = await implantPhantom({ shape: [64, 128, 128], seed: 1003, stage: 8 }));
  model = await SegmentationModel.load('sun-implant', { threads: 2 });
  dir = mkdtempSync(join(tmpdir(), 'mdlma-segment-'));
}, 60000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segment', () => {
  it('segments a phantom with 3 axes: labels, maps and stats', async () => {
    const seen: number[] = [];
    const r = await segment(image, {
      model,
      axes: 3,
      outputs: { confidence: true, agreement: true, maxProbability: true, probabilities: true },
      onProgress: (done, total) => seen.push(done / total)
    });
    expect(r.labels.shape).toEqual(image.shape);
    expect(r.labels.spacing).toEqual(image.spacing);
    const m = segmentationMetrics(r.labels, truth, { surface: false });
    expect(m.classes[3].dice).toBeGreaterThan(0.7); // residual material is the easiest class
    expect(m.classes[0].dice).toBeGreaterThan(0.9);
    expect(r.stats.provider).toBe('cpu');
    expect(r.stats.slices).toBe(64 + 128 + 128);
    expect(seen[seen.length - 1]).toBe(1);
    for (const map of [r.confidence!, r.agreement!, r.maxProbability!]) {
      expect(map.data.reduce((a, b) => Math.min(a, b), 1)).toBeGreaterThanOrEqual(0);
      expect(map.data.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(1 + 1e-6);
    }
    // Agreement takes the values k/3 (0 too: the mean can differ from every axis); probabilities are uint8 summing to ~255.
    expect(new Set(Array.from(r.agreement!.data, a => Math.round(a * 3))).size).toBeLessThanOrEqual(4);
    const sum = r.probabilities!.reduce((s, p) => s + p.data[1000], 0);
    expect(Math.abs(sum - 255)).toBeLessThanOrEqual(2);
    // Confidence is informative: wrong voxels are less confident than right ones.
    let wrong = 0, right = 0, nw = 0, nr = 0;
    r.labels.data.forEach((l, i) => (l === truth.data[i] ? ((right += r.confidence!.data[i]), nr++) : ((wrong += r.confidence!.data[i]), nw++)));
    expect(wrong / nw).toBeLessThan(right / nr);
  }, 120000);

  it('gives the same sums with two batches in flight in session threads as one at a time on the main thread', async () => {
    // Back-projection keeps slice order whatever the threads do: soft votes equal bit for bit, on all 9 axes.
    const small = image.slab(16, 40);
    const onMain = await SegmentationModel.load('sun-implant', { threads: 2, sessionThreads: 0 });
    const [a, b] = [await segment(small, { model, axes: 9, outputs: { confidence: true } }), await segment(small, { model: onMain, axes: 9, outputs: { confidence: true } })];
    expect(model.sessionThreads).toBe(2);
    expect(Buffer.compare(Buffer.from(a.labels.data), Buffer.from(b.labels.data))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.confidence!.data.buffer), Buffer.from(b.confidence!.data.buffer))).toBe(0);
    expect(a.stats.calls).toEqual(b.stats.calls);
  }, 120000);

  it('streams a file through z-slabs: the z axis gives the same labels as in memory', async () => {
    const input = join(dir, 'image.nii');
    await write(input, image);
    const whole = await segment(image, { model, axes: 1 });
    const source = await open(input);
    const files = { labels: join(dir, 'labels.nii.gz'), confidence: join(dir, 'confidence.nii') };
    const r = await segment(source, { model, axes: 1, slabDepth: 10, out: files });
    await source.close();
    expect(r.stats.slabs).toBe(7);
    expect(Array.from((await read(files.labels)).data)).toEqual(Array.from(whole.labels.data));
    expect((await read(files.confidence)).dtype).toBe('float32');
  }, 120000);

  it('streams all 9 axes with halos close to the in-memory result', async () => {
    const whole = await segment(image, { model, axes: 9, voting: 'hard' });
    const slabbed = await segment(image, { model, axes: 9, voting: 'hard', slabDepth: 24, halo: 16 });
    let same = 0;
    whole.labels.data.forEach((l, i) => (same += l === slabbed.labels.data[i] ? 1 : 0));
    expect(same / image.size).toBeGreaterThan(0.97);
  }, 240000);

  it('pads volumes smaller than a tile', async () => {
    const tiny = image.slab(20, 23);
    const r = await segment(tiny, { model, axes: 3 });
    expect(r.labels.shape).toEqual([3, 128, 128]);
  }, 60000);

  it('rejects bad options and NaN voxels, and stops when aborted, leaving no file behind', async () => {
    await expect(segment(image, { model, axes: 4 as 3 })).rejects.toThrow(SegmentOptionError);
    await expect(segment(image, { model, axes: ['z', 'q' as 'z'] })).rejects.toThrow(/must be 1, 3, 9 or a list/);
    await expect(segment(image, { model, voting: 'mean' as 'soft' })).rejects.toThrow(SegmentOptionError);
    await expect(segment(image, { model, batchSize: 0 })).rejects.toThrow(SegmentOptionError);
    const holed = image.astype('float32');
    holed.data[50000] = NaN;
    await expect(segment(holed, { model, axes: 1 })).rejects.toThrow(/NaN or infinite voxels/);
    const controller = new AbortController();
    controller.abort(new InterruptedError('Segmentation'));
    const out = join(dir, 'aborted');
    await expect(segment(image, { model, axes: 1, signal: controller.signal, out: `${out}.nii` })).rejects.toThrow(InterruptedError);
    expect(readdirSync(dir).filter(f => f.startsWith('aborted'))).toEqual([]);
  }, 60000);
});
