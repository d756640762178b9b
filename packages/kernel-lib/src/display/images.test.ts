import { PNG } from 'pngjs';

import { VolumeShapeError } from '../errors';
import { Volume } from '../volume';
import { imagesPng } from './images';
import { LABEL_COLORS } from './slices';

describe('imagesPng', () => {
  const ramp = Volume.zeros([1, 10, 20], 'float32', { spacing: [1, 1, 1] });
  ramp.data.forEach((_, i) => (ramp.data[i] = i % 20)); // dark left, bright right

  it('puts 2D images side by side in physical proportions, each with its own window', () => {
    const tall = Volume.zeros([1, 20, 10], 'float32', { spacing: [2, 2, 2] });
    tall.data.forEach((_, i) => (tall.data[i] = 100 + Math.floor(i / 10))); // dark top, bright bottom
    const png = PNG.sync.read(Buffer.from(imagesPng([{ image: ramp }, { image: tall }], { maxPanel: 40 })));
    // 20 x 10 µm -> 40 x 20 px; 10 x 20 voxels of 2 µm (20 x 40 µm) -> 20 x 40 px; one gap of 4 px.
    expect(png.width).toBe(40 + 4 + 20);
    expect(png.height).toBe(40);
    const at = (x: number, y: number) => png.data[(y * png.width + x) * 4];
    expect(at(1, 5)).toBeLessThan(20);
    expect(at(38, 5)).toBeGreaterThan(230);
    expect(at(50, 1)).toBeLessThan(20);
    expect(at(50, 38)).toBeGreaterThan(230);
    expect(at(2, 30)).toBe(255); // below the short panel: white
  });

  it('tints labelled pixels and refuses overlays of another shape', () => {
    const labels = Volume.zeros([1, 10, 20], 'uint8');
    labels.data.fill(1);
    const png = PNG.sync.read(Buffer.from(imagesPng([{ image: ramp, labels }], { maxPanel: 20, labelOpacity: 1 })));
    expect(Array.from(png.data.subarray(0, 3))).toEqual([...LABEL_COLORS[1]]);
    expect(() => imagesPng([{ image: ramp, labels: Volume.zeros([1, 10, 19], 'uint8') }])).toThrow(VolumeShapeError);
    expect(() => imagesPng([])).toThrow(VolumeShapeError);
  });
});
