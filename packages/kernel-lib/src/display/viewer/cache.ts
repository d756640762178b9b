/**
 * The viewer's layer cache: volumes written as NIfTI under `.mdlma/cache/` next to the
 * notebook (the kernel's working folder), named by a hash of voxels and geometry so that
 * showing the same volume again writes nothing. Least recently used files (by mtime) are
 * removed once the folder exceeds its size limit.
 *
 * @example
 * const cache = new LayerCache({ limitBytes: 2 ** 30 });
 * const entry = await cache.put(labels);   // { relativePath: '.mdlma/cache/3f…e1.nii', reused: false, … }
 * await cache.prune([entry.path]);
 */
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

import { writeAtomically } from '../../files';
import type { Volume } from '../../volume';
import { niftiHeader, voxelBuffer } from './nifti-bytes';

/** Default size limit of the cache folder: 4 GiB, or MDLMA_VIEWER_CACHE_BYTES. */
export const DEFAULT_CACHE_LIMIT_BYTES = 4 * 2 ** 30;

/** A volume stored in the cache. */
export interface CacheEntry {
  /** Absolute path of the NIfTI file. */
  path: string;
  /** Path relative to the kernel's working folder (the notebook's folder), with '/' separators. */
  relativePath: string;
  /** Content hash (hex) of voxels, dtype, shape, spacing and origin. */
  hash: string;
  /** File size in bytes. */
  bytes: number;
  /** Whether the file was there already (nothing written). */
  reused: boolean;
}

/** Content-addressed NIfTI files for the volume viewer, cleaned by size (LRU by mtime). */
export class LayerCache {
  constructor(options: LayerCache.IOptions = {}) {
    this.root = path.resolve(options.root ?? process.cwd());
    this.dir = path.resolve(this.root, options.dir ?? path.join('.mdlma', 'cache'));
    const fromEnv = Number(process.env.MDLMA_VIEWER_CACHE_BYTES);
    this.limitBytes = options.limitBytes ?? (fromEnv > 0 ? fromEnv : DEFAULT_CACHE_LIMIT_BYTES);
  }

  /** The folder paths in the payload are relative to (the notebook's folder). */
  readonly root: string;
  /** The cache folder. */
  readonly dir: string;
  /** Size above which `prune` removes the least recently used files. */
  readonly limitBytes: number;

  /** Store `volume` (or find it stored) and mark it as just used. */
  async put(volume: Volume): Promise<CacheEntry> {
    const hash = LayerCache.hash(volume);
    const file = path.join(this.dir, `${hash}.nii`);
    const relativePath = path.relative(this.root, file).split(path.sep).join('/');
    const bytes = 352 + volume.byteLength;
    try {
      const stat = await fs.stat(file);
      if (stat.size === bytes) {
        const now = new Date();
        await fs.utimes(file, now, now);
        return { path: file, relativePath, hash, bytes, reused: true };
      }
    } catch {
      // not cached yet
    }
    await fs.mkdir(this.dir, { recursive: true });
    await Private.writeLayer(file, volume);
    return { path: file, relativePath, hash, bytes, reused: false };
  }

  /** Total size of the cached files. */
  async usage(): Promise<number> {
    return (await Private.listFiles(this.dir)).reduce((sum, f) => sum + f.size, 0);
  }

  /** Remove least recently used files until the folder fits the limit; never those in `keep`. Returns the removed paths. */
  async prune(keep: Iterable<string> = []): Promise<string[]> {
    const kept = new Set([...keep].map(p => path.resolve(p)));
    const files = await Private.listFiles(this.dir);
    let total = files.reduce((sum, f) => sum + f.size, 0);
    const removed: string[] = [];
    for (const file of files.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      if (total <= this.limitBytes) break;
      if (kept.has(file.path)) continue;
      await fs.rm(file.path, { force: true });
      total -= file.size;
      removed.push(file.path);
    }
    return removed;
  }

  /** The content hash of a volume (voxels and geometry), 32 hex digits. */
  static hash(volume: Volume): string {
    const hash = createHash('sha256');
    hash.update(JSON.stringify({ v: 1, dtype: volume.dtype, shape: volume.shape, spacing: volume.spacing, origin: volume.origin }));
    const voxels = voxelBuffer(volume);
    const chunk = 64 * 2 ** 20;
    for (let offset = 0; offset < voxels.length; offset += chunk) {
      hash.update(voxels.subarray(offset, offset + chunk));
    }
    return hash.digest('hex').slice(0, 32);
  }
}

export namespace LayerCache {
  /** Options of the LayerCache constructor. */
  export interface IOptions {
    /** Folder that relative paths start from (default: the working folder, i.e. the notebook's). */
    root?: string;
    /** Cache folder, relative to `root` or absolute (default `.mdlma/cache`). */
    dir?: string;
    /** Size limit in bytes (default MDLMA_VIEWER_CACHE_BYTES or 4 GiB). */
    limitBytes?: number;
  }
}

namespace Private {
  export interface CachedFile {
    path: string;
    size: number;
    mtimeMs: number;
  }

  export async function listFiles(dir: string): Promise<CachedFile[]> {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return [];
    }
    const files: CachedFile[] = [];
    for (const name of names) {
      if (!/^[0-9a-f]+\.nii$/.test(name)) continue; // temporary files of a write in progress are not ours to judge
      try {
        const stat = await fs.stat(path.join(dir, name));
        files.push({ path: path.join(dir, name), size: stat.size, mtimeMs: stat.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    return files;
  }

  /** Header and voxels to a temporary name, then rename: a reader never sees half a file. */
  export async function writeLayer(file: string, volume: Volume): Promise<void> {
    await writeAtomically(file, async temporary => {
      const handle = await fs.open(temporary, 'w');
      try {
        await handle.write(niftiHeader(volume));
        const voxels = voxelBuffer(volume);
        const chunk = 256 * 2 ** 20;
        for (let offset = 0; offset < voxels.length; offset += chunk) {
          await handle.write(voxels.subarray(offset, offset + chunk));
        }
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw error;
      }
      await handle.close();
    });
  }
}
