import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

import { Volume } from '../../volume';
import { LayerCache } from './cache';

describe('LayerCache', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(tmpdir(), 'mdlma-cache-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const volume = (value: number, spacing: [number, number, number] = [2.4, 2.4, 2.4]) => {
    const v = Volume.zeros([4, 8, 16], 'uint16', { spacing });
    v.data.fill(value);
    return v;
  };

  it('names files by content and reuses them', async () => {
    const cache = new LayerCache({ root });
    const first = await cache.put(volume(7));
    expect(first.reused).toBe(false);
    expect(first.relativePath).toBe(`.mdlma/cache/${first.hash}.nii`);
    expect(statSync(first.path).size).toBe(352 + 4 * 8 * 16 * 2);
    expect(readFileSync(first.path).readUInt16LE(352)).toBe(7);

    const again = await cache.put(volume(7));
    expect(again).toMatchObject({ path: first.path, reused: true });
    // Same voxels, other geometry: another file.
    expect((await cache.put(volume(7, [1, 1, 1]))).hash).not.toBe(first.hash);
    expect((await cache.put(volume(8))).hash).not.toBe(first.hash);
  });

  it('removes the least recently used files above the limit, never the kept ones', async () => {
    const size = 352 + 4 * 8 * 16 * 2;
    const cache = new LayerCache({ root, limitBytes: 2 * size });
    const entries = [];
    for (let i = 0; i < 4; i++) {
      const entry = await cache.put(volume(i));
      utimesSync(entry.path, 1000 + i, 1000 + i); // i = 0 is the oldest
      entries.push(entry);
    }
    // Using entry 0 again makes it the most recent.
    await cache.put(volume(0));
    writeFileSync(path.join(cache.dir, 'foreign.txt'), 'not ours');
    const removed = await cache.prune([entries[1].path]);
    expect(removed.sort()).toEqual([entries[2].path, entries[3].path].sort());
    expect(await cache.usage()).toBe(2 * size);
    expect(readFileSync(path.join(cache.dir, 'foreign.txt'), 'utf8')).toBe('not ours');
  });

  it('honours MDLMA_VIEWER_CACHE_BYTES', () => {
    process.env.MDLMA_VIEWER_CACHE_BYTES = '12345';
    try {
      expect(new LayerCache({ root }).limitBytes).toBe(12345);
    } finally {
      delete process.env.MDLMA_VIEWER_CACHE_BYTES;
    }
  });
});
