/**
 * TIFF and BigTIFF image file directories (IFDs), read with positioned reads so that opening a
 * 3000-page stack reads only its directories, and strip offsets are read when a page is.
 *
 * @example
 * const dir = await readTiffDirectory(file);
 * dir.pages.length;                    // slices
 * await pageArray(file, dir, dir.pages[0], TAG.StripOffsets);
 */
import { VolumeFormatError } from '../../errors';
import { RandomAccessFile } from '../file';

/** TIFF tag numbers we use (TIFF 6.0 and BigTIFF). */
export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SampleFormat: 339
} as const;

/** One directory entry: its type, count and either the inline bytes or the offset of its values. */
export interface TiffEntry {
  type: number;
  count: number;
  /** The 4 (TIFF) or 8 (BigTIFF) value bytes of the entry. */
  inline: Uint8Array;
}

/** A page (IFD). */
export interface TiffPage {
  index: number;
  entries: Map<number, TiffEntry>;
}

/** A file's byte order, flavour and pages. */
export interface TiffDirectory {
  littleEndian: boolean;
  big: boolean;
  /** The first 8 (or 16) bytes, needed to hand a page to utif2. */
  prefix: Uint8Array;
  pages: TiffPage[];
}

/** Sizes of the TIFF field types, by type code. */
export const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8, 17: 8, 18: 8 };

/** Whether `head` starts like a TIFF or BigTIFF file. */
export function isTiffMagic(head: Uint8Array): boolean {
  if (head.byteLength < 4) return false;
  const le = head[0] === 0x49 && head[1] === 0x49;
  const be = head[0] === 0x4d && head[1] === 0x4d;
  if (!le && !be) return false;
  const version = le ? head[2] | (head[3] << 8) : (head[2] << 8) | head[3];
  return version === 42 || version === 43;
}

/** Walk the IFD chain (pages that are reduced-resolution copies are skipped). */
export async function readTiffDirectory(file: RandomAccessFile, options: { firstPageOnly?: boolean } = {}): Promise<TiffDirectory> {
  const head = await file.readUpTo(0, 16);
  if (!isTiffMagic(head)) throw new VolumeFormatError(file.path, 'not a TIFF file (wrong magic: expected "II*\\0" or "MM\\0*")');
  const littleEndian = head[0] === 0x49;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const big = view.getUint16(2, littleEndian) === 43;
  if (head.byteLength < (big ? 16 : 8)) throw new VolumeFormatError(file.path, 'truncated TIFF header');
  let offset = big ? Number(view.getBigUint64(8, littleEndian)) : view.getUint32(4, littleEndian);
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  while (offset !== 0) {
    if (seen.has(offset)) throw new VolumeFormatError(file.path, `IFD chain loops back to byte ${offset}`);
    seen.add(offset);
    if (offset + (big ? 8 : 2) > file.size) throw new VolumeFormatError(file.path, `truncated: IFD at byte ${offset} is past the end of the file (${file.size} bytes)`);
    const { entries, next } = await Private.readIfd(file, offset, littleEndian, big);
    const subfile = entries.get(TAG.NewSubfileType);
    const reduced = subfile ? (Private.scalar(subfile, littleEndian) & 1) === 1 : false;
    if (!reduced) pages.push({ index: pages.length, entries });
    if (options.firstPageOnly && pages.length) break;
    offset = next;
  }
  if (!pages.length) throw new VolumeFormatError(file.path, 'TIFF file has no image pages');
  return { littleEndian, big, prefix: head.slice(0, big ? 16 : 8), pages };
}

/** The values of `tag` in `page` as numbers (rationals as numerator/denominator), or null if absent. */
export async function pageArray(file: RandomAccessFile, dir: TiffDirectory, page: TiffPage, tag: number): Promise<number[] | null> {
  const entry = page.entries.get(tag);
  if (!entry) return null;
  const size = TYPE_SIZES[entry.type];
  if (!size) throw new VolumeFormatError(file.path, `page ${page.index}: tag ${tag} has unknown type ${entry.type}`);
  const bytes = await Private.valueBytes(file, dir.littleEndian, dir.big, entry, size);
  return Private.decode(bytes, entry.type, entry.count, dir.littleEndian);
}

/** The first value of `tag`, or `fallback` when absent. */
export function pageScalar(page: TiffPage, dir: TiffDirectory, tag: number, fallback: number): number {
  const entry = page.entries.get(tag);
  return entry ? Private.scalar(entry, dir.littleEndian) : fallback;
}

/** An ASCII tag's text (e.g. ImageDescription), or null. */
export async function pageText(file: RandomAccessFile, dir: TiffDirectory, page: TiffPage, tag: number): Promise<string | null> {
  const entry = page.entries.get(tag);
  if (!entry || entry.type !== 2) return null;
  const bytes = await Private.valueBytes(file, dir.littleEndian, dir.big, entry, 1);
  return new TextDecoder('latin1').decode(bytes).replace(/\0+$/, '');
}

namespace Private {
  export async function readIfd(file: RandomAccessFile, offset: number, le: boolean, big: boolean): Promise<{ entries: Map<number, TiffEntry>; next: number }> {
    const countBytes = await file.readAt(offset, big ? 8 : 2);
    const countView = new DataView(countBytes.buffer);
    const count = big ? Number(countView.getBigUint64(0, le)) : countView.getUint16(0, le);
    const entrySize = big ? 20 : 12;
    const tableSize = count * entrySize + (big ? 8 : 4);
    if (count === 0 || count > 4096) throw new VolumeFormatError(file.path, `IFD at byte ${offset} has ${count} entries`);
    const table = await file.readAt(offset + (big ? 8 : 2), tableSize);
    const view = new DataView(table.buffer);
    const entries = new Map<number, TiffEntry>();
    for (let i = 0; i < count; i++) {
      const at = i * entrySize;
      const tag = view.getUint16(at, le);
      const type = view.getUint16(at + 2, le);
      const n = big ? Number(view.getBigUint64(at + 4, le)) : view.getUint32(at + 4, le);
      entries.set(tag, { type, count: n, inline: table.slice(at + (big ? 12 : 8), at + entrySize) });
    }
    const nextAt = count * entrySize;
    const next = big ? Number(view.getBigUint64(nextAt, le)) : view.getUint32(nextAt, le);
    return { entries, next };
  }

  export async function valueBytes(file: RandomAccessFile, le: boolean, big: boolean, entry: TiffEntry, size: number): Promise<Uint8Array> {
    const total = size * entry.count;
    if (total <= entry.inline.byteLength) return entry.inline.subarray(0, total);
    const view = new DataView(entry.inline.buffer, entry.inline.byteOffset, entry.inline.byteLength);
    const at = big ? Number(view.getBigUint64(0, le)) : view.getUint32(0, le);
    return file.readAt(at, total);
  }

  export function scalar(entry: TiffEntry, le: boolean): number {
    const size = TYPE_SIZES[entry.type] ?? 4;
    if (size > entry.inline.byteLength) return NaN;
    return decode(entry.inline.subarray(0, size), entry.type, 1, le)[0];
  }

  export function decode(bytes: Uint8Array, type: number, count: number, le: boolean): number[] {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: number[] = new Array(count);
    for (let i = 0; i < count; i++) {
      switch (type) {
        case 1: case 2: case 7: out[i] = view.getUint8(i); break;
        case 6: out[i] = view.getInt8(i); break;
        case 3: out[i] = view.getUint16(2 * i, le); break;
        case 8: out[i] = view.getInt16(2 * i, le); break;
        case 4: out[i] = view.getUint32(4 * i, le); break;
        case 9: out[i] = view.getInt32(4 * i, le); break;
        case 5: out[i] = view.getUint32(8 * i, le) / view.getUint32(8 * i + 4, le); break;
        case 10: out[i] = view.getInt32(8 * i, le) / view.getInt32(8 * i + 4, le); break;
        case 11: out[i] = view.getFloat32(4 * i, le); break;
        case 12: out[i] = view.getFloat64(8 * i, le); break;
        case 16: case 18: out[i] = Number(view.getBigUint64(8 * i, le)); break;
        case 17: out[i] = Number(view.getBigInt64(8 * i, le)); break;
        default: out[i] = NaN;
      }
    }
    return out;
  }
}
