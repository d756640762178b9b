import { Volume } from '../volume';
import { IMAGE_FEATURE_SIGMAS, withImageFeatures } from './image-features';
import type { ModelOutputs } from './outputs';

/** Outputs of a "model" with 2 feature channels of known values on a [4, 6, 40] volume. */
function outputsOf(shape: [number, number, number]): ModelOutputs {
  const V = shape[0] * shape[1] * shape[2];
  const features = Float32Array.from({ length: 2 * V }, (_, i) => (i < V ? 7 : -3));
  return { shape, axis: 'z', classes: 2, probs: new Float32Array(2 * V).fill(0.5), featureCount: 2, features, seconds: 0, inferenceSeconds: 0 };
}

describe('withImageFeatures', () => {
  const shape: [number, number, number] = [4, 6, 40];
  // A checkerboard in x: intensity alternates 0 / 10 from voxel to voxel, so smoothing pulls it towards 5.
  const data = Float32Array.from({ length: 4 * 6 * 40 }, (_, v) => (v % 2) * 10);
  const image = new Volume({ data, shape, spacing: [2.5, 2.5, 2.5] });

  it('keeps the U-Net channels and appends intensity and two smoothed intensities', () => {
    const out = withImageFeatures(outputsOf(shape), image);
    const V = image.size;
    expect(out.featureCount).toBe(2 + IMAGE_FEATURE_SIGMAS.length);
    expect(out.imageFeatureCount).toBe(3);
    expect(out.features!.length).toBe(5 * V);
    expect(out.features![0]).toBe(7);
    expect(out.features![V]).toBe(-3);
    expect(Array.from(out.features!.subarray(2 * V, 3 * V))).toEqual(Array.from(data));
    // Smoothing at 1 voxel flattens the checkerboard away from the borders, at 2 voxels even more (sigma is in
    // voxels whatever the spacing in µm).
    const interiorSpread = (c: number) => {
      const row = Array.from({ length: 4 }, (_, i) => out.features![c * V + 2 * 240 + 3 * 40 + 18 + i]);
      return Math.max(...row) - Math.min(...row);
    };
    expect(interiorSpread(2)).toBe(10);
    expect(interiorSpread(3)).toBeLessThan(2);
    expect(interiorSpread(4)).toBeLessThan(interiorSpread(3));
    expect(out.features![3 * V + 2 * 240 + 3 * 40 + 19]).toBeCloseTo(5, 0);
  });
});
