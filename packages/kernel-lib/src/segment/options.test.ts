import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'fs';
import { availableParallelism, tmpdir } from 'os';
import { join } from 'path';

import { OutputPathError, SegmentOptionError } from '../errors';
import { open, write } from '../io';
import { Volume } from '../volume';
import { BATCH_BUFFER_BYTES, checkBatchSize } from './options';
import { resolveSegmentOptions } from './segment';
import { segment } from './segment';

describe('segment options a user can get wrong', () => {
  let dir: string;
  const at = (name: string) => join(dir, name);
  const image = new Volume({ data: new Float32Array(16 * 32 * 32).map((_, i) => i % 7), shape: [16, 32, 32] });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-segment-options-'));
    await write(at('scan.nii.gz'), image);
    symlinkSync(at('scan.nii.gz'), at('alias.nii.gz'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('out: never the file the source was opened from, nor one file for two maps; the scan stays as it was', async () => {
    const before = readFileSync(at('scan.nii.gz'));
    const source = await open(at('scan.nii.gz'));
    try {
      await expect(segment(source, { out: at('alias.nii.gz') })).rejects.toThrow(/out\.labels \S*alias\.nii\.gz resolves to the input \S*scan\.nii\.gz/);
      await expect(segment(source, { out: { labels: at('labels.nii'), confidence: at('scan.nii.gz') } })).rejects.toThrow(OutputPathError);
      await expect(segment(source, { out: { labels: at('labels.nii'), agreement: `${dir}/./labels.nii` } })).rejects.toThrow(
        /out\.agreement \S*labels\.nii resolves to out\.labels \S*labels\.nii as well/
      );
    } finally {
      await source.close();
    }
    expect(readFileSync(at('scan.nii.gz')).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['alias.nii.gz', 'scan.nii.gz']);
  });

  it('threads: an integer from 1 to the cores available', () => {
    const cores = availableParallelism();
    expect(() => resolveSegmentOptions({ threads: cores }, [16, 32, 32])).not.toThrow();
    for (const threads of [0, 1.5, NaN, cores + 1, 1e6]) {
      expect(() => resolveSegmentOptions({ threads }, [16, 32, 32])).toThrow(new SegmentOptionError('threads', `must be an integer in 1..${cores} (the cores available), got ${threads}`));
    }
  });

  it('batchSize: bounded by the buffers a batch of the model\'s tiles needs', async () => {
    // 256 x 256 tiles, 4 classes: 9 float32 maps of 64 Ki pixels per tile.
    const most = Math.floor(BATCH_BUFFER_BYTES / (256 * 256 * 4 * 9));
    expect(() => checkBatchSize(most, [256, 256], 4)).not.toThrow();
    expect(() => checkBatchSize(most + 1, [256, 256], 4)).toThrow(`batchSize must be at most ${most} for 256x256 tiles and 4 classes`);
    // Through segment() with the real model: a typed error instead of a RangeError from a huge allocation.
    const error = await segment(image, { model: 'sun-implant', threads: 1, batchSize: 1e9, progress: false }).catch(e => e);
    expect(error).toBeInstanceOf(SegmentOptionError);
    expect(error.message).toMatch(/^segment: batchSize must be at most \d+ for 256x256 tiles and 4 classes/);
  }, 30000);
});
