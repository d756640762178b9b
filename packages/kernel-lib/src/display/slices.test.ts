import { PNG } from 'pngjs';

import { VolumeShapeError } from '../errors';
import { Volume } from '../volume';
import { LABEL_COLORS, orthoSlicesPng } from './slices';

describe('orthoSlicesPng', () => {
  const image = Volume.zeros([8, 16, 32], 'uint16', { spacing: [4, 2, 1] });
  image.data.forEach((_, i) => (image.data[i] = i % 32)); // a ramp along x
  const labels = Volume.zeros(image.shape, 'uint8');
  labels.set(4, 8, 16, 2); // one degradation-layer voxel at the centre

  it('draws three planes side by side in physical proportions', () => {
    const png = PNG.sync.read(Buffer.from(orthoSlicesPng(image, { maxPanel: 64 })));
    // axial 32x32 µm, coronal 32 µm tall x 32 wide, sagittal 32 x 32: three 64 px squares + 2 gaps of 4 px
    expect(png.width).toBe(3 * 64 + 8);
    expect(png.height).toBe(64);
    // The ramp along x: left of the axial panel dark, right bright.
    expect(png.data[(32 * png.width + 1) * 4]).toBeLessThan(20);
    expect(png.data[(32 * png.width + 62) * 4]).toBeGreaterThan(230);
  });

  it('tints labelled voxels with their class colour and adds a confidence row', () => {
    const confidence = Volume.zeros(image.shape, 'float32');
    confidence.data.fill(1);
    const png = PNG.sync.read(Buffer.from(orthoSlicesPng(image, { labels, labelOpacity: 1, confidence, maxPanel: 64 })));
    expect(png.height).toBe(2 * 64 + 4);
    const centre = (32 * png.width + 32) * 4; // voxel (4, 8, 16) in the axial panel
    expect(Array.from(png.data.subarray(centre, centre + 3))).toEqual([...LABEL_COLORS[2]]);
    const sure = ((64 + 4 + 10) * png.width + 10) * 4; // confidence 1: black
    expect(Array.from(png.data.subarray(sure, sure + 3))).toEqual([0, 0, 0]);
  });

  it('refuses an overlay of another shape', () => {
    expect(() => orthoSlicesPng(image, { labels: Volume.zeros([8, 16, 31], 'uint8') })).toThrow(VolumeShapeError);
  });
});
