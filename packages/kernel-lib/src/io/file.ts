/**
 * The file-handle layer under every reader: positioned reads that count the bytes they pull,
 * so a lazy source can prove it never reads more than asked.
 *
 * @example
 * const file = await RandomAccessFile.open('scan.raw');
 * const head = await file.readAt(0, 348);
 * file.bytesRead; // 348
 * await file.close();
 */
import { constants, promises as fs, Stats } from 'fs';

import { VolumeFormatError, VolumeNotFoundError } from '../errors';
import { CountingReader } from './counting-reader';

/** A read-only file read by offset (never sequentially), counting the bytes it reads. */
export class RandomAccessFile extends CountingReader {
  private constructor(readonly path: string, private _handle: fs.FileHandle, readonly size: number) {
    super();
  }

  /** Open `path` for reading; a missing path raises VolumeNotFoundError, anything but a regular file VolumeFormatError. */
  static async open(path: string): Promise<RandomAccessFile> {
    await checkRegularFile(path);
    let handle: fs.FileHandle;
    try {
      // Non-blocking, should the file have been swapped for a FIFO since the check: the open returns, fstat refuses it.
      handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw Private.openError(path, error);
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw notRegularFileError(path, stat);
    }
    return new RandomAccessFile(path, handle, stat.size);
  }

  /** Fill `target` with the bytes at `offset` (no intermediate copy). */
  async readInto(target: Uint8Array, offset: number): Promise<void> {
    if (offset + target.byteLength > this.size) {
      throw new VolumeFormatError(
        this.path,
        `truncated: needs bytes ${offset}..${offset + target.byteLength} but the file has ${this.size}`
      );
    }
    let done = 0;
    while (done < target.byteLength) {
      // fs.read reads at most 2 GiB at a time.
      const step = Math.min(target.byteLength - done, 0x40000000);
      const { bytesRead } = await this._handle.read(target, done, step, offset + done);
      if (bytesRead === 0) {
        throw new VolumeFormatError(this.path, `truncated while reading at byte ${offset + done}`);
      }
      done += bytesRead;
      this._bytesRead += bytesRead;
    }
  }

  /** Read up to `length` bytes at `offset` (fewer at the end of the file). */
  async readUpTo(offset: number, length: number): Promise<Uint8Array> {
    return this.readAt(offset, Math.max(0, Math.min(length, this.size - offset)));
  }

  /** Release the handle; further reads fail. */
  async close(): Promise<void> {
    await this._handle.close().catch(() => undefined);
  }
}

/** Read the first `length` bytes of a file (fewer if it is shorter); used by format sniffing. */
export async function readHead(path: string, length: number): Promise<Uint8Array> {
  const file = await RandomAccessFile.open(path);
  try {
    return await file.readUpTo(0, length);
  } finally {
    await file.close();
  }
}

/**
 * Throws unless `path` is a regular file (symlinks followed), without opening it: opening a FIFO blocks until a
 * writer comes, and a device can stream forever. VolumeNotFoundError when it is missing, VolumeFormatError otherwise.
 */
export async function checkRegularFile(path: string): Promise<void> {
  let stat: Stats;
  try {
    stat = await fs.stat(path);
  } catch (error) {
    throw Private.openError(path, error);
  }
  if (!stat.isFile()) throw notRegularFileError(path, stat);
}

/** The VolumeFormatError for `path` that `stat` shows to be a folder, FIFO, socket or device. */
export function notRegularFileError(path: string, stat: Stats): VolumeFormatError {
  const kind = stat.isDirectory()
    ? 'a folder'
    : stat.isFIFO()
      ? 'a FIFO (named pipe)'
      : stat.isSocket()
        ? 'a socket'
        : stat.isCharacterDevice() || stat.isBlockDevice()
          ? 'a device'
          : 'a special file';
  return new VolumeFormatError(path, `is ${kind}, not a regular file; refusing to read it (it could block or never end)`);
}

/** Whether `path` is a folder (false when it does not exist). */
export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Throws VolumeNotFoundError unless `path` exists. */
export async function assertExists(path: string): Promise<void> {
  try {
    await fs.stat(path);
  } catch (error) {
    throw Private.openError(path, error);
  }
}

namespace Private {
  export function openError(path: string, error: unknown): Error {
    const code = (error as { code?: string })?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new VolumeNotFoundError(path);
    if (code === 'EACCES' || code === 'EPERM') return new VolumeNotFoundError(path, 'permission denied');
    if (code === 'EISDIR') return new VolumeFormatError(path, 'is a folder, not a file');
    return new VolumeFormatError(path, `cannot be opened (${(error as Error)?.message ?? error})`);
  }
}
