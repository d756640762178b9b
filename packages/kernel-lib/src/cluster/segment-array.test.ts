// segmentOnCluster, the array-job path of segment(): what the tasks cannot do is refused before anything is submitted.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { OutputPathError, SegmentOptionError } from '../errors';
import { open, write } from '../io';
import { Volume } from '../volume';
import { SlurmClient } from './client';
import { segmentOnCluster } from './segment-array';

describe('segmentOnCluster', () => {
  // jscpd:ignore-start: the scan of segment/options.test.ts, set up the same way on purpose: these cases mirror its refusals
  let dir: string;
  const at = (name: string) => join(dir, name);
  const image = new Volume({ data: new Float32Array(16 * 32 * 32).map((_, i) => i % 7), shape: [16, 32, 32] });
  // jscpd:ignore-end
  // Slurm programs that do not exist: a call that got as far as submitting would fail with SlurmUnavailableError.
  const client = new SlurmClient({ commands: { bin: '/nonexistent-slurm-bin' } });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-segment-on-cluster-'));
    await write(at('scan.nii.gz'), image);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('guards out against the file the source was opened from, as segment() does; the scan stays as it was', async () => {
    const before = readFileSync(at('scan.nii.gz'));
    const source = await open(at('scan.nii.gz'));
    try {
      await expect(segmentOnCluster(source, { out: at('scan.nii.gz'), client })).rejects.toThrow(OutputPathError);
    } finally {
      await source.close();
    }
    expect(readFileSync(at('scan.nii.gz')).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['scan.nii.gz']);
  });

  it('refuses a volume in memory and maps besides the labels: the tasks read a file and write labels only', async () => {
    await expect(segmentOnCluster(image, { out: at('labels.nii.gz'), client })).rejects.toThrow(SegmentOptionError);
    await expect(segmentOnCluster(image, { out: at('labels.nii.gz'), client })).rejects.toThrow(/opened from a file/);
    const source = await open(at('scan.nii.gz'));
    try {
      await expect(segmentOnCluster(source, { out: { labels: at('labels.nii.gz'), confidence: at('c.nii.gz') }, client })).rejects.toThrow(
        /outputs cannot hold confidence \(the tasks write labels only\)/
      );
    } finally {
      await source.close();
    }
    expect(existsSync(at('labels.nii.gz.zarr'))).toBe(false);
  });
});
