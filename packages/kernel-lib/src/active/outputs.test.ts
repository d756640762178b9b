import { SegmentationModel } from '../models';
import { implantPhantom } from '../phantom';
import { InferenceRun, predictAxis } from '../segment';
import { Volume } from '../volume';
import { predictOutputs } from './outputs';

/** The SUN pipeline's own probabilities for one axis, [C, z, y, x]. */
async function pipelineProbs(model: SegmentationModel, volume: Volume, axis: 'z' | 'y' | 'x'): Promise<Float32Array> {
  const run = new InferenceRun({ model, batchSize: 8, signal: new AbortController().signal });
  const target = new Float32Array(model.classes * volume.size);
  await predictAxis(run, volume, axis, 0, volume.shape[0], target);
  return target;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('predictOutputs', () => {
  let model: SegmentationModel;
  beforeAll(async () => {
    model = await SegmentationModel.load('sun-implant', { threads: 1 });
  });

  it('gives the SUN pipeline probabilities along z, y and x, plus 16 features per voxel', async () => {
    const { image } = await implantPhantom({ shape: [20, 24, 28], seed: 3 });
    for (const axis of ['z', 'y', 'x'] as const) {
      const out = await predictOutputs(image, model, { axis });
      expect(out.classes).toBe(4);
      expect(out.featureCount).toBe(16);
      expect(out.features!.length).toBe(16 * image.size);
      expect(maxDiff(out.probs, await pipelineProbs(model, image, axis))).toBeLessThan(1e-5);
    }
  });

  it('tiles slices larger than the model tile like the pipeline does', async () => {
    // Any image will do: the point is that tiles are cut and blended back as the pipeline does.
    const data = Float32Array.from({ length: 2 * 272 * 24 }, (_, v) => Math.sin(v / 7) + ((v * 2654435761) % 97) / 97);
    const image = new Volume({ data, shape: [2, 272, 24] });
    const out = await predictOutputs(image, model, { axis: 'z' });
    expect(maxDiff(out.probs, await pipelineProbs(model, image, 'z'))).toBeLessThan(1e-5);
    let sum = 0;
    for (let c = 0; c < 4; c++) sum += out.probs[c * image.size + 1000];
    expect(sum).toBeCloseTo(1, 4);
  });
});
