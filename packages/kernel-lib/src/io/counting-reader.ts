/**
 * What the byte sources under the readers (a file, a gzip stream) have in common: reads by offset, all built on
 * `readInto`, and a count of the bytes pulled from disk, so a lazy source can prove it never reads more than asked.
 *
 * @example
 * const reader: CountingReader = gzipped ? new GzipCursor(path) : await RandomAccessFile.open(path);
 * const head = await reader.readUpTo(0, 348);
 * reader.bytesRead;   // 348 for a plain file, the compressed bytes inflated so far for gzip
 */
import type { PositionedReader } from './contiguous';

/** A byte source read by offset that counts the bytes it pulls from disk. */
export abstract class CountingReader implements PositionedReader {
  /** Bytes pulled from disk so far. */
  get bytesRead(): number {
    return this._bytesRead;
  }

  /** Exactly `length` bytes at `offset`; VolumeFormatError ("truncated") if the data ends first. */
  async readAt(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    await this.readInto(out, offset);
    return out;
  }

  /** Fill `target` with the bytes at `offset` (no intermediate copy); VolumeFormatError if the data ends first. */
  abstract readInto(target: Uint8Array, offset: number): Promise<void>;

  /** Up to `length` bytes at `offset` (fewer at the end of the data). */
  abstract readUpTo(offset: number, length: number): Promise<Uint8Array>;

  /** Release the source; further reads fail or start over. */
  abstract close(): Promise<void>;

  /** Added to by `readInto` as bytes come from disk. */
  protected _bytesRead = 0;
}
