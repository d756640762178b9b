/**
 * Positioned reads from a gzip file by streaming inflate: reading forwards continues the
 * stream, reading backwards restarts it, and the stream stops (by backpressure) as soon as the
 * requested bytes are out. Slab after slab, a whole .nii.gz is inflated once.
 *
 * @example
 * const gz = new GzipCursor('scan.nii.gz');
 * const header = await gz.readAt(0, 348);
 * await gz.close();
 */
import { createReadStream, ReadStream } from 'fs';
import { createGunzip, Gunzip } from 'zlib';

import { VolumeFormatError } from '../errors';
import { CountingReader } from './counting-reader';

/** A gzip file read by offsets into its decompressed content; `bytesRead` counts compressed bytes, all restarts included. */
export class GzipCursor extends CountingReader {
  constructor(readonly path: string) {
    super();
  }

  /** Up to `length` decompressed bytes at `offset` (fewer at the end of the data). */
  async readUpTo(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const got = await this._fill(out, offset);
    return out.subarray(0, got);
  }

  /** Fill `target` with the decompressed bytes at `offset`; VolumeFormatError if the data ends first. */
  async readInto(target: Uint8Array, offset: number): Promise<void> {
    const got = await this._fill(target, offset);
    if (got < target.byteLength) {
      throw new VolumeFormatError(this.path, `truncated: the decompressed data ends at byte ${offset + got}, before byte ${offset + target.byteLength}`);
    }
  }

  /**
   * Inflate the rest of the stream, checking the gzip trailer (CRC and length): VolumeFormatError
   * if the file is cut or corrupt. Returns the number of decompressed bytes after `offset`.
   */
  async bytesAfter(offset: number): Promise<number> {
    if (offset < this._position || !this._chunks) this._restart();
    let extra = 0;
    for (;;) {
      const chunk = this._pending && this._pending.byteLength ? this._pending : await this._nextChunk();
      this._pending = null;
      if (!chunk) break;
      const skip = Math.min(chunk.byteLength, Math.max(0, offset - this._position));
      extra += chunk.byteLength - skip;
      this._position += chunk.byteLength;
    }
    this._stop();
    return extra;
  }

  /** Stop inflating and close the file. */
  async close(): Promise<void> {
    this._stop();
  }

  private async _fill(target: Uint8Array, offset: number): Promise<number> {
    if (offset < this._position || !this._chunks) this._restart();
    let done = 0;
    while (done < target.byteLength) {
      if (!this._pending || this._pending.byteLength === 0) {
        const next = await this._nextChunk();
        if (!next) return done;
        this._pending = next;
      }
      const chunk = this._pending;
      const skip = Math.min(chunk.byteLength, Math.max(0, offset - this._position));
      const take = Math.min(chunk.byteLength - skip, target.byteLength - done);
      if (take > 0) target.set(chunk.subarray(skip, skip + take), done);
      done += take;
      this._position += skip + take;
      this._pending = chunk.subarray(skip + take);
    }
    return done;
  }

  private async _nextChunk(): Promise<Uint8Array | null> {
    try {
      const { value, done } = await this._chunks!.next();
      return done ? null : (value as Uint8Array);
    } catch (error) {
      this._stop();
      const message = (error as Error).message ?? String(error);
      const reason = /unexpected end/i.test(message) ? 'truncated gzip data' : `corrupt gzip data (${message})`;
      throw new VolumeFormatError(this.path, reason);
    }
  }

  private _restart(): void {
    this._stop();
    this._file = createReadStream(this.path, { highWaterMark: 256 * 1024 });
    this._file.on('data', chunk => (this._bytesRead += chunk.length));
    this._inflate = createGunzip({ chunkSize: 256 * 1024 });
    this._file.on('error', error => this._inflate?.destroy(error));
    this._file.pipe(this._inflate);
    this._chunks = this._inflate[Symbol.asyncIterator]();
    this._position = 0;
    this._pending = null;
  }

  private _stop(): void {
    this._file?.destroy();
    this._inflate?.destroy();
    this._file = null;
    this._inflate = null;
    this._chunks = null;
  }

  private _file: ReadStream | null = null;
  private _inflate: Gunzip | null = null;
  private _chunks: AsyncIterator<Uint8Array> | null = null;
  private _pending: Uint8Array | null = null;
  private _position = 0;
}
