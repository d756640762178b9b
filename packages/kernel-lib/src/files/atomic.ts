/**
 * Atomic writes: every output is written under a temporary name in the target's folder and
 * renamed into place only when complete, so a failed or interrupted write never leaves a
 * partial file (or folder) behind. One temporary-name scheme (`temporaryName`: a hidden
 * `.<name>.<pid>-<time>-<random>.tmp` beside the target) serves every writer of the library.
 *
 * @example
 * const out = await AtomicFile.create('labels.nii.gz', { gzipLevel: 1 });
 * try { await out.write(header); await out.write(voxels); await out.commit(); }
 * catch (e) { await out.abort(); throw e; }
 *
 * await writeAtomically('scan.zarr', async tmp => { ... write files under tmp ... });
 * await writeFileAtomically('config.json', text, { mode: 0o600 });
 * writeFileAtomicallySync('kernel.json', text, { createFolder: true });
 */
import { chmodSync, createWriteStream, mkdirSync, promises as fs, renameSync, rmSync, statSync, writeFileSync, WriteStream } from 'fs';
import { basename, dirname, join } from 'path';
import { once } from 'events';
import { pipeline } from 'stream/promises';
import { createGzip, Gzip } from 'zlib';

import { VolumeNotFoundError } from '../errors';

/** A file written sequentially under a temporary name, renamed into place by `commit`. */
export class AtomicFile {
  private constructor(readonly path: string, readonly temporary: string, private _stream: WriteStream, gzip: Gzip | null) {
    const head = gzip ?? _stream;
    this._done = gzip ? pipeline(gzip, _stream) : once(_stream, 'finish').then(() => undefined);
    // A failure surfaces on the next write or on commit; keep it from being unhandled meanwhile.
    this._done.catch(() => undefined);
    head.on('error', (error: Error) => (this._failure = error));
    _stream.on('error', error => (this._failure = error));
    this._head = head;
  }

  /** Start writing `path` (through gzip when `gzipLevel` is given). */
  static async create(path: string, options: AtomicFile.IOptions = {}): Promise<AtomicFile> {
    const temporary = temporaryName(path);
    await Private.checkFolder(path);
    const stream = createWriteStream(temporary, { flags: 'wx' });
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new VolumeNotFoundError(dirname(path), `cannot write ${basename(path)} here (${(error as { code?: string }).code ?? error})`);
    }
    const gzip = options.gzipLevel === undefined ? null : createGzip({ level: options.gzipLevel });
    return new AtomicFile(path, temporary, stream, gzip);
  }

  /** Bytes handed to `write` so far (before compression). */
  get bytesWritten(): number {
    return this._bytesWritten;
  }

  /** Append `bytes`, waiting while the stream is full. The caller must not change them until this resolves. */
  async write(bytes: Uint8Array): Promise<void> {
    if (this._failure) throw this._failure;
    this._bytesWritten += bytes.byteLength;
    if (!this._head.write(bytes)) {
      await Promise.race([once(this._head, 'drain'), this._done.then(() => Promise.reject(this._failure ?? new Error('stream closed')))]);
    }
    if (this._failure) throw this._failure;
  }

  /** Flush, close and rename into place. */
  async commit(): Promise<void> {
    this._head.end();
    await this._done;
    if (this._failure) throw this._failure;
    await fs.rename(this.temporary, this.path);
  }

  /** Stop and remove the temporary file (safe to call after a failure, and more than once). */
  async abort(): Promise<void> {
    this._head.destroy();
    this._stream.destroy();
    await fs.rm(this.temporary, { force: true });
  }

  private _head: Gzip | WriteStream;
  private _done: Promise<void>;
  private _failure: Error | null = null;
  private _bytesWritten = 0;
}

export namespace AtomicFile {
  /** Options of `AtomicFile.create`. */
  export interface IOptions {
    /** Compress with gzip at this level (0-9). */
    gzipLevel?: number;
  }
}

/** Run `write(temporary)` and rename its result (a file or a folder) to `path`; on failure remove it. */
export async function writeAtomically<T>(path: string, write: (temporary: string) => Promise<T>): Promise<T> {
  const temporary = temporaryName(path);
  await Private.checkFolder(path);
  try {
    const result = await write(temporary);
    await replace(temporary, path);
    return result;
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Write `data` to `path` through a temporary file and a rename. Unlike `writeAtomically`, a folder
 * in the way is an error, never replaced.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array, options: WriteFileAtomically.IOptions = {}): Promise<void> {
  if (options.createFolder) await fs.mkdir(dirname(path), { recursive: true });
  else await Private.checkFolder(path);
  const temporary = temporaryName(path);
  try {
    await fs.writeFile(temporary, data, { mode: options.mode });
    // The mode given at creation is masked by the umask; the file must end with exactly this one.
    if (options.mode !== undefined) await fs.chmod(temporary, options.mode);
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/** `writeFileAtomically` for synchronous callers (start-up paths: kernelspec, ESM resolver, saved state). */
export function writeFileAtomicallySync(path: string, data: string | Uint8Array, options: WriteFileAtomically.IOptions = {}): void {
  if (options.createFolder) mkdirSync(dirname(path), { recursive: true });
  else Private.checkFolderSync(path);
  const temporary = temporaryName(path);
  try {
    writeFileSync(temporary, data, { mode: options.mode });
    if (options.mode !== undefined) chmodSync(temporary, options.mode);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export namespace WriteFileAtomically {
  /** Options of `writeFileAtomically` and `writeFileAtomicallySync`. */
  export interface IOptions {
    /** Permission bits of the file (e.g. 0o600 for secrets), applied exactly, whatever the umask. */
    mode?: number;
    /** Create the folder (and its parents) first; otherwise a missing folder is an error. */
    createFolder?: boolean;
  }
}

/** A unique temporary name next to `path` (same folder, so the final rename is atomic). */
export function temporaryName(path: string): string {
  const nonce = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return join(dirname(path), `.${basename(path)}.${nonce}.tmp`);
}

/** Move `from` onto `to`; an existing folder at `to` is replaced (moved aside, then removed). */
export async function replace(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
    return;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'ENOTDIR') throw error;
  }
  const aside = temporaryName(to);
  await fs.rename(to, aside);
  await fs.rename(from, to);
  await fs.rm(aside, { recursive: true, force: true });
}

namespace Private {
  export async function checkFolder(path: string): Promise<void> {
    try {
      if ((await fs.stat(dirname(path))).isDirectory()) return;
    } catch {
      // fall through
    }
    throw missingFolder(path);
  }

  export function checkFolderSync(path: string): void {
    try {
      if (statSync(dirname(path)).isDirectory()) return;
    } catch {
      // fall through
    }
    throw missingFolder(path);
  }

  function missingFolder(path: string): VolumeNotFoundError {
    return new VolumeNotFoundError(dirname(path), `cannot write ${basename(path)}: the folder does not exist`);
  }
}
