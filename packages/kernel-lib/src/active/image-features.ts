/**
 * Image channels for the fast head, appended to the U-Net's frozen `features`: the voxel's intensity and its
 * Gaussian-smoothed intensity at 1 and 2 voxels. Under a domain shift (another alloy, scanner, stage) the U-Net's
 * features can lose what tells a thin degradation layer from the residual metal, while the attenuation itself still
 * does: these channels let a few annotated slices recalibrate the head to the new scan (the classic ilastik recipe
 * of intensity and smoothed intensity, here beside the deep features). The head standardises every channel, so their
 * scale does not matter.
 *
 * @example
 * const outputs = withImageFeatures(await predictOutputs(image, model), image);
 * outputs.featureCount;         // 16 U-Net channels + 3 image channels
 */
import { gaussian } from '../filters';
import type { Volume } from '../volume';
import type { ModelOutputs } from './outputs';

/** Smoothing widths of the image channels, in voxels (0 = the intensity itself). */
export const IMAGE_FEATURE_SIGMAS: readonly number[] = [0, 1, 2];

/** `outputs` with the image channels appended to its features ([F + 3, z, y, x]); `imageFeatureCount` says how many. */
export function withImageFeatures(outputs: ModelOutputs, volume: Volume): ModelOutputs & { imageFeatureCount: number } {
  const V = volume.size;
  const F = outputs.featureCount;
  const extra = IMAGE_FEATURE_SIGMAS.length;
  const features = new Float32Array((F + extra) * V);
  if (outputs.features) features.set(outputs.features);
  IMAGE_FEATURE_SIGMAS.forEach((sigmaVoxels, i) => {
    const channel = features.subarray((F + i) * V, (F + i + 1) * V);
    if (sigmaVoxels === 0) {
      channel.set(volume.data as ArrayLike<number>);
      return;
    }
    // gaussian() takes µm; one voxel is the volume's spacing along each axis.
    const sigma = volume.spacing.map(s => s * sigmaVoxels) as unknown as [number, number, number];
    channel.set(gaussian(volume, { sigma }).data);
  });
  return { ...outputs, features, featureCount: F + extra, imageFeatureCount: extra };
}
