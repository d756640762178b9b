import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { gunzipSync } from 'zlib';

import { open } from '../../io';
import { VOLUME_MIME, type VolumeOutput } from '../../protocol';
import { Volume } from '../../volume';
import { setDisplaySink, MimeBundle } from '../output';
import { describeLayer, volumeOutput } from './payload';
import { niftiBytes } from './nifti-bytes';
import { embeddedPreview, reductionFactor } from './preview';
import { show } from './show';

describe('volume output payload', () => {
  const image = Volume.zeros([8, 16, 32], 'uint16', { spacing: [4, 2, 1], origin: [10, 20, 30] });
  image.data.forEach((_, i) => (image.data[i] = i % 1000));
  const labels = Volume.zeros(image.shape, 'uint8', { spacing: [4, 2, 1], origin: [10, 20, 30] });
  labels.set(4, 8, 16, 2);

  it('fills in the defaults of each kind', () => {
    const layer = describeLayer({ name: 'labels', kind: 'labels', volume: labels, src: { path: '.mdlma/cache/x.nii' } });
    expect(layer).toMatchObject({ kind: 'labels', colormap: 'mdlma-labels', range: [0, 3], visible: true, shape: [8, 16, 32], dtype: 'uint8', spacing: [4, 2, 1] });
    const img = describeLayer({ name: 'image', kind: 'image', volume: image, src: { path: 'a.nii' } });
    expect(img.range[0]).toBeLessThan(img.range[1]);
    expect(img.colormap).toBe('gray');
    const out = volumeOutput({ layers: [img, layer], view: { slice: [4, 8, 16], layout: 'multiplanar' } });
    expect(out.version).toBe(1);
    expect(out.classes[2].color).toBe('#d9534f');
  });

  it('writes NIfTI that our reader understands, in our voxel order and µm geometry', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'mdlma-nifti-'));
    try {
      writeFileSync(path.join(folder, 'v.nii'), niftiBytes(image));
      const source = await open(path.join(folder, 'v.nii'));
      expect(source.shape).toEqual([8, 16, 32]);
      expect(source.dtype).toBe('uint16');
      expect([...source.spacing]).toEqual([4, 2, 1]);
      const read = await source.readSlab(0, 8);
      await source.close();
      expect([...read.origin]).toEqual([10, 20, 30]);
      expect(read.get(3, 5, 7)).toBe(image.get(3, 5, 7));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('chooses a preview factor within the budget and embeds gzip NIfTI', () => {
    expect(reductionFactor([image, labels], 1e9)).toBe(1);
    const factor = reductionFactor([image, labels], 4096);
    expect(factor).toBeGreaterThan(1);
    const preview = embeddedPreview(labels, 'labels', 2, [0, 3]);
    expect(preview.shape).toEqual([4, 8, 16]);
    const raw = gunzipSync(Buffer.from((preview.src as { data: string }).data, 'base64'));
    expect(raw.length).toBe(352 + 4 * 8 * 16);
  });

  it('stores image previews as bytes over the display range, with the scaling back to true values', async () => {
    const preview = embeddedPreview(image, 'image', 1, [0, 1000]);
    const raw = gunzipSync(Buffer.from((preview.src as { data: string }).data, 'base64'));
    expect(raw.length).toBe(352 + image.size);
    const folder = mkdtempSync(path.join(tmpdir(), 'mdlma-preview-'));
    try {
      writeFileSync(path.join(folder, 'p.nii'), raw);
      const back = await (await open(path.join(folder, 'p.nii'))).readSlab(0, 8);
      // One byte spans 1000/255 ≈ 3.9 intensity units.
      expect(Math.abs(back.get(3, 5, 7) - image.get(3, 5, 7))).toBeLessThanOrEqual(2);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  describe('show() outside the kernel', () => {
    let folder: string;
    let bundles: MimeBundle[];
    let previous: ReturnType<typeof setDisplaySink>;
    beforeEach(() => {
      folder = mkdtempSync(path.join(tmpdir(), 'mdlma-show-'));
      bundles = [];
      previous = setDisplaySink(bundle => bundles.push(bundle));
    });
    afterEach(() => {
      setDisplaySink(previous);
      rmSync(folder, { recursive: true, force: true });
    });

    it('emits the volume JSON, the PNG slices and text, with layers in the cache', async () => {
      const confidence = Volume.zeros(image.shape, 'float32', { spacing: image.spacing, origin: image.origin });
      confidence.data.fill(0.9);
      const viewer = await show({ image, labels, confidence }, { cache: { root: folder }, title: 'test' });
      expect(bundles).toHaveLength(1);
      const output = bundles[0][VOLUME_MIME] as VolumeOutput;
      expect(output.layers.map(l => [l.name, l.kind])).toEqual([['image', 'image'], ['labels', 'labels'], ['confidence', 'confidence']]);
      expect(output.layers[0].src).toEqual({ path: expect.stringMatching(/^\.mdlma\/cache\/[0-9a-f]{32}\.nii$/) });
      expect(output.layers.every(l => l.preview && l.preview.factor === 1)).toBe(true);
      expect(output.session).toEqual({ viewId: viewer.viewId, target: 'mdlma.viewer' });
      expect(output.view.slice).toEqual([4, 8, 16]);
      expect(Buffer.from(bundles[0]['image/png'] as string, 'base64').subarray(1, 4).toString()).toBe('PNG');
      expect(bundles[0]['text/plain']).toContain('8 x 16 x 32 uint16');
      expect(viewer.slice).toEqual([4, 8, 16]);
      viewer.setSlice({ z: 100 }); // clamped, no frontend attached: only state
      expect(viewer.slice).toEqual([7, 8, 16]);
    });

    it('writes an overview within the limits for layers that exceed them, and passes the limits to the browser', async () => {
      const small = await show({ image, labels }, { cache: { root: folder } });
      expect((bundles[0][VOLUME_MIME] as VolumeOutput).layers.some(l => l.overview)).toBe(false);
      small.close();
      await show({ image, labels }, { cache: { root: folder }, limits: { maxSide: 12 } });
      const output = bundles[1][VOLUME_MIME] as VolumeOutput;
      expect(output.view.limits).toEqual({ maxSide: 12 });
      for (const layer of output.layers) {
        // 32 / 3 = 10 per side: the smallest factor within 12; labels binned by mode stay labels.
        expect(layer.overview).toMatchObject({ factor: 3, shape: [2, 5, 10], src: { path: expect.stringMatching(/^\.mdlma\/cache\/[0-9a-f]{32}\.nii$/) } });
      }
      const overview = await open(path.join(folder, (output.layers[1].overview!.src as { path: string }).path));
      expect(overview.shape).toEqual([2, 5, 10]);
      expect(overview.dtype).toBe('uint8');
    });

    it('rejects layers of another shape with a message that says what to do', async () => {
      const wrong = Volume.zeros([8, 16, 31], 'uint8');
      await expect(show({ image, labels: wrong }, { cache: { root: folder } })).rejects.toThrow(/resample it/);
    });
  });
});
