/**
 * Writing TIFF: a multi-page file (little-endian; BigTIFF when it would pass 4 GiB) or a folder
 * of single-slice files; one strip per page, uncompressed or Deflate, SampleFormat set so that
 * int16 and float32 read back as such, spacing and origin in an ImageJ-style description
 * (tiff-meta.ts). Pages are written as slabs arrive: data, then its directory.
 *
 * utif2's own encoder writes big-endian directories into a fixed 20 kB buffer without
 * SampleFormat, so the directories are encoded here.
 *
 * @example
 * const out = await createTiffWriter('scan.tif', { shape, dtype: 'uint16', spacing, origin });
 * await out.writeSlab(0, volume); await out.commit();
 */
import { promises as fs } from 'fs';
import { dirname, join } from 'path';
import { deflateSync } from 'zlib';

import { VolumeNotFoundError } from '../../errors';
import { AtomicFile, replace, temporaryName } from '../../files';
import { Volume } from '../../volume';
import { storedTypeOf } from '../voxel-types';
import { SequentialWriter, WriteHeader } from '../writer';
import { TAG } from './ifd';
import { encodeTiffDescription } from './meta';

/** Options of the TIFF writers. */
export interface TiffWriteOptions {
  /** 'none' (default: fastest to read lazily) or 'deflate'. */
  compression?: 'none' | 'deflate';
  /** Force BigTIFF (default: only when the file would pass 4 GiB). */
  bigTiff?: boolean;
}

/** Start writing a multi-page TIFF. */
export async function createTiffWriter(path: string, header: WriteHeader, options: TiffWriteOptions = {}): Promise<TiffWriter> {
  return new TiffWriter(path, header, await AtomicFile.create(path), options);
}

/** Writer of a multi-page TIFF. */
export class TiffWriter extends SequentialWriter {
  constructor(path: string, header: WriteHeader, private _out: AtomicFile, private _options: TiffWriteOptions) {
    super(path, header);
    const [nz, ny, nx] = header.shape;
    const estimate = 16 + nz * (ny * nx * storedTypeOf(header.dtype).bytes + 1024);
    this._big = _options.bigTiff ?? estimate >= 0xffffffff;
  }

  protected async append(slab: Volume): Promise<void> {
    for (let z = 0; z < slab.shape[0]; z++) {
      const plane = Private.planeBytes(slab, z, this._options);
      if (this._pending === null) {
        await this._put(Private.fileHeader(this._big, this._headerSize + Private.even(plane.byteLength)));
      } else {
        await this._put(this._pending(this._position + this._pendingBytes + Private.even(plane.byteLength)));
      }
      const stripOffset = this._position;
      await this._put(plane);
      if (plane.byteLength % 2) await this._put(new Uint8Array(1));
      const ifdOffset = this._position;
      const description = this._pages === 0 ? encodeTiffDescription(this.header.shape[0], this.header.spacing, this.header.origin) : null;
      const entries = Private.pageEntries(this.header, stripOffset, plane.byteLength, description, this._options, this._big);
      this._pendingBytes = Private.encodeIfd(entries, ifdOffset, this._big, 0).byteLength;
      this._pending = next => Private.encodeIfd(entries, ifdOffset, this._big, next);
      this._pages++;
    }
  }

  protected async finish(): Promise<void> {
    if (this._pending) await this._put(this._pending(0));
    await this._out.commit();
  }

  async abort(): Promise<void> {
    await this._out.abort();
  }

  private async _put(bytes: Uint8Array): Promise<void> {
    await this._out.write(bytes);
    this._position += bytes.byteLength;
  }

  private get _headerSize(): number {
    return this._big ? 16 : 8;
  }

  private readonly _big: boolean;
  private _position = 0;
  private _pages = 0;
  /** The directory of the last page, waiting for the offset of the next one. */
  private _pending: ((next: number) => Uint8Array) | null = null;
  private _pendingBytes = 0;
}

/** Start writing a folder of single-slice TIFF files (`slice_0000.tif` ...), moved into place on commit. */
export async function createTiffStackWriter(path: string, header: WriteHeader, options: TiffWriteOptions = {}): Promise<TiffStackWriter> {
  const temporary = temporaryName(path.replace(/[\\/]+$/, ''));
  try {
    await fs.mkdir(temporary);
  } catch {
    throw new VolumeNotFoundError(dirname(temporary), 'cannot create the TIFF folder here: the parent folder does not exist');
  }
  return new TiffStackWriter(path.replace(/[\\/]+$/, ''), header, temporary, options);
}

/** Writer of a TIFF folder. */
export class TiffStackWriter extends SequentialWriter {
  constructor(path: string, header: WriteHeader, private _temporary: string, private _options: TiffWriteOptions) {
    super(path, header);
    this._digits = Math.max(4, String(header.shape[0] - 1).length);
  }

  protected async append(slab: Volume): Promise<void> {
    for (let z = 0; z < slab.shape[0]; z++) {
      const index = this.next + z;
      const plane = Private.planeBytes(slab, z, this._options);
      const origin = [this.header.origin[0] + index * this.header.spacing[0], this.header.origin[1], this.header.origin[2]] as const;
      const description = encodeTiffDescription(1, this.header.spacing, origin);
      const dataOffset = 8;
      const ifdOffset = dataOffset + Private.even(plane.byteLength);
      const entries = Private.pageEntries({ ...this.header, shape: [1, this.header.shape[1], this.header.shape[2]] }, dataOffset, plane.byteLength, description, this._options, false);
      const ifd = Private.encodeIfd(entries, ifdOffset, false, 0);
      const bytes = new Uint8Array(ifdOffset + ifd.byteLength);
      bytes.set(Private.fileHeader(false, ifdOffset));
      bytes.set(plane, dataOffset);
      bytes.set(ifd, ifdOffset);
      await fs.writeFile(join(this._temporary, `slice_${String(index).padStart(this._digits, '0')}.tif`), bytes);
    }
  }

  protected async finish(): Promise<void> {
    await replace(this._temporary, this.path);
  }

  async abort(): Promise<void> {
    await fs.rm(this._temporary, { recursive: true, force: true });
  }

  private readonly _digits: number;
}

namespace Private {
  /** TIFF field types. */
  const SHORT = 3, LONG = 4, RATIONAL = 5, ASCII = 2, LONG8 = 16;

  interface Entry {
    tag: number;
    type: number;
    values: number[] | string;
  }

  export function even(n: number): number {
    return n + (n % 2);
  }

  export function planeBytes(slab: Volume, z: number, options: TiffWriteOptions): Uint8Array {
    const plane = slab.shape[1] * slab.shape[2];
    const data = slab.data.subarray(z * plane, (z + 1) * plane);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return options.compression === 'deflate' ? new Uint8Array(deflateSync(bytes, { level: 6 })) : bytes;
  }

  export function fileHeader(big: boolean, firstIfd: number): Uint8Array {
    const out = new Uint8Array(big ? 16 : 8);
    const view = new DataView(out.buffer);
    out[0] = out[1] = 0x49; // "II": little-endian
    if (big) {
      view.setUint16(2, 43, true);
      view.setUint16(4, 8, true);
      view.setBigUint64(8, BigInt(firstIfd), true);
    } else {
      view.setUint16(2, 42, true);
      view.setUint32(4, firstIfd, true);
    }
    return out;
  }

  export function pageEntries(header: WriteHeader, stripOffset: number, stripBytes: number, description: string | null, options: TiffWriteOptions, big: boolean): Entry[] {
    const [, ny, nx] = header.shape;
    const stored = storedTypeOf(header.dtype);
    const perMicron = (s: number) => [Math.round(1e6 / s), 1e6];
    const entries: Entry[] = [
      { tag: TAG.ImageWidth, type: LONG, values: [nx] },
      { tag: TAG.ImageLength, type: LONG, values: [ny] },
      { tag: TAG.BitsPerSample, type: SHORT, values: [stored.bytes * 8] },
      { tag: TAG.Compression, type: SHORT, values: [options.compression === 'deflate' ? 8 : 1] },
      { tag: TAG.Photometric, type: SHORT, values: [1] },
      { tag: TAG.StripOffsets, type: big ? LONG8 : LONG, values: [stripOffset] },
      { tag: TAG.SamplesPerPixel, type: SHORT, values: [1] },
      { tag: TAG.RowsPerStrip, type: LONG, values: [ny] },
      { tag: TAG.StripByteCounts, type: big ? LONG8 : LONG, values: [stripBytes] },
      { tag: TAG.XResolution, type: RATIONAL, values: perMicron(header.spacing[2]) },
      { tag: TAG.YResolution, type: RATIONAL, values: perMicron(header.spacing[1]) },
      { tag: TAG.PlanarConfiguration, type: SHORT, values: [1] },
      { tag: TAG.ResolutionUnit, type: SHORT, values: [1] },
      { tag: TAG.SampleFormat, type: SHORT, values: [{ u: 1, i: 2, f: 3 }[stored.kind]] }
    ];
    if (description !== null) entries.push({ tag: TAG.ImageDescription, type: ASCII, values: description + '\0' });
    return entries.sort((a, b) => a.tag - b.tag);
  }

  /** A directory at `offset` with its out-of-line values right after it. */
  export function encodeIfd(entries: Entry[], offset: number, big: boolean, next: number): Uint8Array {
    const entrySize = big ? 20 : 12;
    const inlineSize = big ? 8 : 4;
    const tableSize = (big ? 8 : 2) + entries.length * entrySize + (big ? 8 : 4);
    const payloads = entries.map(e => encodeValues(e));
    const extra = payloads.reduce((sum, p) => sum + (p.byteLength > inlineSize ? even(p.byteLength) : 0), 0);
    const out = new Uint8Array(even(tableSize + extra));
    const view = new DataView(out.buffer);
    let at = 0;
    if (big) view.setBigUint64(0, BigInt(entries.length), true);
    else view.setUint16(0, entries.length, true);
    at = big ? 8 : 2;
    let outOfLine = tableSize;
    entries.forEach((entry, i) => {
      const payload = payloads[i];
      const count = typeof entry.values === 'string' ? entry.values.length : entry.type === RATIONAL ? entry.values.length / 2 : entry.values.length;
      view.setUint16(at, entry.tag, true);
      view.setUint16(at + 2, entry.type, true);
      if (big) view.setBigUint64(at + 4, BigInt(count), true);
      else view.setUint32(at + 4, count, true);
      const valueAt = at + (big ? 12 : 8);
      if (payload.byteLength <= inlineSize) {
        out.set(payload, valueAt);
      } else {
        if (big) view.setBigUint64(valueAt, BigInt(offset + outOfLine), true);
        else view.setUint32(valueAt, offset + outOfLine, true);
        out.set(payload, outOfLine);
        outOfLine += even(payload.byteLength);
      }
      at += entrySize;
    });
    if (big) view.setBigUint64(at, BigInt(next), true);
    else view.setUint32(at, next, true);
    return out;
  }

  function encodeValues(entry: Entry): Uint8Array {
    if (typeof entry.values === 'string') return new Uint8Array([...entry.values].map(c => c.charCodeAt(0) & 0xff));
    const size = { [SHORT]: 2, [LONG]: 4, [RATIONAL]: 4, [LONG8]: 8 }[entry.type]!;
    const out = new Uint8Array(size * entry.values.length);
    const view = new DataView(out.buffer);
    entry.values.forEach((v, i) => {
      if (size === 2) view.setUint16(2 * i, v, true);
      else if (size === 4) view.setUint32(4 * i, v, true);
      else view.setBigUint64(8 * i, BigInt(v), true);
    });
    return out;
  }
}
