/**
 * A zarrita store on the local filesystem: keys are files under a root folder, every `set` is
 * atomic (temporary name, then rename), so a cluster job killed mid-write leaves either the old
 * chunk or the new one, never half of one. Reads are counted.
 *
 * (@zarrita/storage has a FileSystemStore, but its writes are not atomic and it is not a
 * declared dependency of ours.)
 *
 * @example
 * const store = new ZarrFileStore('scan.zarr');
 * const arr = await zarr.open(store, { kind: 'array' });
 */
import { promises as fs } from 'fs';
import { dirname, join, resolve, sep } from 'path';

import { writeFileAtomically } from '../../files';

/** zarrita's store key: an absolute path inside the store. */
export type StoreKey = `/${string}`;

/** A folder as a readable and writable zarrita store. */
export class ZarrFileStore {
  constructor(readonly root: string) {
    this._base = resolve(root);
  }

  /** Bytes read from chunk and metadata files so far. */
  get bytesRead(): number {
    return this._bytesRead;
  }

  /** The file's bytes, or undefined when the key does not exist (an empty chunk). */
  async get(key: StoreKey, options: { signal?: AbortSignal } = {}): Promise<Uint8Array | undefined> {
    options.signal?.throwIfAborted();
    try {
      const bytes = await fs.readFile(this._file(key));
      this._bytesRead += bytes.byteLength;
      const out = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.check?.(key, out);
      return out;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  /** Called with every value read (e.g. to check chunk sizes of uncompressed arrays); throws to reject it. */
  check: ((key: StoreKey, value: Uint8Array) => void) | null = null;

  /** Write a key atomically, creating folders as needed. */
  async set(key: StoreKey, value: Uint8Array): Promise<void> {
    const path = this._file(key);
    await fs.mkdir(dirname(path), { recursive: true });
    await writeFileAtomically(path, value);
  }

  /** Whether a key exists. */
  async has(key: StoreKey): Promise<boolean> {
    return fs.access(this._file(key)).then(
      () => true,
      () => false
    );
  }

  private _file(key: string): string {
    const path = join(this._base, ...key.split('/').filter(Boolean));
    if (path !== this._base && !path.startsWith(this._base + sep)) throw new Error(`Zarr key ${key} leaves the store`);
    return path;
  }

  private readonly _base: string;
  private _bytesRead = 0;
}
