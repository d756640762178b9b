/**
 * Reading rows of one TIFF page: uncompressed strips by positioned reads of just those rows;
 * compressed strips (LZW, Deflate, PackBits) and tiles only for the strips or tiles that hold
 * the rows, decompressed by utif2.
 *
 * @example
 * const layout = await pageLayout(file, dir, page);
 * await readPageRows(file, dir, page, layout, 0, layout.height, out, 0);
 */
import * as UTIF from 'utif2';

import { UnsupportedDTypeError, VolumeFormatError } from '../../errors';
import { dtypeOf, VoxelArray } from '../../volume';
import { RandomAccessFile } from '../file';
import { decodeVoxels, isVerbatim, StoredType } from '../voxel-types';
import { pageArray, pageScalar, TAG, TiffDirectory, TiffPage } from './ifd';

/** How a page's pixels are laid out. */
export interface PageLayout {
  width: number;
  height: number;
  stored: StoredType;
  compression: number;
  predictor: number;
  /** Strips: rows per strip; tiles: null. */
  rowsPerStrip: number | null;
  tile: { width: number; height: number } | null;
  offsets: number[];
  counts: number[];
}

/** Compression codes utif2 decodes for grey-level data: none, LZW, Deflate (both codes), PackBits. */
const COMPRESSIONS: Record<number, string> = { 1: 'none', 5: 'LZW', 8: 'Deflate', 32946: 'Deflate', 32773: 'PackBits' };

/** Read and check the layout of `page`. */
export async function pageLayout(file: RandomAccessFile, dir: TiffDirectory, page: TiffPage): Promise<PageLayout> {
  const where = `${file.path} (page ${page.index})`;
  const width = pageScalar(page, dir, TAG.ImageWidth, NaN);
  const height = pageScalar(page, dir, TAG.ImageLength, NaN);
  if (!(width > 0) || !(height > 0) || !Number.isInteger(width) || !Number.isInteger(height)) {
    throw new VolumeFormatError(where, `invalid image size ${width} x ${height}`);
  }
  const samples = pageScalar(page, dir, TAG.SamplesPerPixel, 1);
  if (samples !== 1) throw new UnsupportedDTypeError(`${samples} samples per pixel (RGB or multi-channel)`, where);
  const bits = pageScalar(page, dir, TAG.BitsPerSample, 1);
  const format = pageScalar(page, dir, TAG.SampleFormat, 1);
  const kind = ({ 1: 'u', 2: 'i', 3: 'f' } as const)[format as 1 | 2 | 3];
  if (!kind || ![8, 16, 32, 64].includes(bits) || (kind === 'f' && bits < 32)) {
    throw new UnsupportedDTypeError(`${bits}-bit ${['', 'unsigned', 'signed', 'float'][format] ?? `sample format ${format}`}`, where);
  }
  const compression = pageScalar(page, dir, TAG.Compression, 1);
  if (!COMPRESSIONS[compression]) throw new VolumeFormatError(where, `unsupported TIFF compression ${compression} (supported: none, LZW, Deflate, PackBits)`);
  const predictor = pageScalar(page, dir, TAG.Predictor, 1);
  if (predictor !== 1 && !(predictor === 2 && bits <= 16)) throw new VolumeFormatError(where, `unsupported TIFF predictor ${predictor} for ${bits}-bit data`);
  const tiled = page.entries.has(TAG.TileWidth);
  const offsets = await pageArray(file, dir, page, tiled ? TAG.TileOffsets : TAG.StripOffsets);
  const counts = await pageArray(file, dir, page, tiled ? TAG.TileByteCounts : TAG.StripByteCounts);
  const bytes = bits / 8;
  const layout: PageLayout = {
    width,
    height,
    // utif2 hands back 16-bit data little-endian whatever the file's order; 32/64-bit in file order.
    stored: { kind, bytes, littleEndian: dir.littleEndian },
    compression,
    predictor,
    rowsPerStrip: tiled ? null : Math.min(height, pageScalar(page, dir, TAG.RowsPerStrip, height)),
    tile: tiled ? { width: pageScalar(page, dir, TAG.TileWidth, NaN), height: pageScalar(page, dir, TAG.TileLength, NaN) } : null,
    offsets: offsets ?? [],
    counts: counts ?? []
  };
  Private.checkBlocks(where, file.size, layout);
  return layout;
}

/** Decode rows y0 <= y < y1 of a page into `out` at voxel `outOffset` (rows * width voxels). */
export async function readPageRows(
  file: RandomAccessFile,
  dir: TiffDirectory,
  layout: PageLayout,
  y0: number,
  y1: number,
  out: VoxelArray,
  outOffset: number
): Promise<void> {
  if (layout.tile) return Private.readTiles(file, dir, layout, y0, y1, out, outOffset);
  const rps = layout.rowsPerStrip!;
  const rowBytes = layout.width * layout.stored.bytes;
  const s0 = Math.floor(y0 / rps);
  const s1 = Math.floor((y1 - 1) / rps);
  if (layout.compression === 1) {
    // Runs of rows contiguous in the file are read at once.
    let run: { at: number; length: number; row: number } | null = null;
    const verbatim = isVerbatim(layout.stored, dtypeOf(out));
    const flush = async () => {
      if (!run) return;
      const voxel = outOffset + (run.row - y0) * layout.width;
      if (verbatim) {
        // Same type and byte order: read straight into the output.
        await file.readInto(new Uint8Array(out.buffer, out.byteOffset + voxel * layout.stored.bytes, run.length), run.at);
      } else {
        decodeVoxels(await file.readAt(run.at, run.length), layout.stored, out, voxel);
      }
      run = null;
    };
    for (let s = s0; s <= s1; s++) {
      const r0 = Math.max(y0, s * rps);
      const r1 = Math.min(y1, (s + 1) * rps, layout.height);
      const at = layout.offsets[s] + (r0 - s * rps) * rowBytes;
      const length = (r1 - r0) * rowBytes;
      const current = run as { at: number; length: number; row: number } | null;
      if (current && current.at + current.length === at) current.length += length;
      else {
        await flush();
        run = { at, length, row: r0 };
      }
    }
    await flush();
    return;
  }
  const top = s0 * rps;
  const rows = Math.min(layout.height, (s1 + 1) * rps) - top;
  const decoded = await Private.decompress(file, dir, layout, layout.width, rows, rps, layout.offsets.slice(s0, s1 + 1), layout.counts.slice(s0, s1 + 1));
  const stored = Private.decodedOrder(layout.stored);
  decodeVoxels(decoded.subarray((y0 - top) * rowBytes, (y1 - top) * rowBytes), stored, out, outOffset);
}

namespace Private {
  export function checkBlocks(where: string, size: number, layout: PageLayout): void {
    const blocks = layout.tile
      ? Math.ceil(layout.width / layout.tile.width) * Math.ceil(layout.height / layout.tile.height)
      : Math.ceil(layout.height / layout.rowsPerStrip!);
    if (layout.tile && !(layout.tile.width > 0 && layout.tile.height > 0)) throw new VolumeFormatError(where, 'invalid tile size');
    if (!(layout.rowsPerStrip === null || layout.rowsPerStrip > 0)) throw new VolumeFormatError(where, `invalid RowsPerStrip ${layout.rowsPerStrip}`);
    if (layout.offsets.length < blocks || (layout.counts.length < blocks && layout.compression !== 1)) {
      throw new VolumeFormatError(where, `has ${layout.offsets.length} strip/tile offsets but needs ${blocks}`);
    }
    const rowBytes = layout.width * layout.stored.bytes;
    for (let i = 0; i < blocks; i++) {
      const needed = layout.compression === 1
        ? (layout.tile ? layout.tile.width * layout.tile.height * layout.stored.bytes : Math.min(layout.rowsPerStrip!, layout.height - i * layout.rowsPerStrip!) * rowBytes)
        : layout.counts[i];
      if (layout.offsets[i] + needed > size) {
        throw new VolumeFormatError(where, `truncated: strip/tile ${i} needs bytes ${layout.offsets[i]}..${layout.offsets[i] + needed} but the file has ${size}`);
      }
    }
  }

  /** Byte order of utif2's output for data of `stored` (16-bit comes back little-endian). */
  export function decodedOrder(stored: StoredType): StoredType {
    return stored.bytes === 2 ? { ...stored, littleEndian: true } : stored;
  }

  /** Decompress blocks forming a `width` x `rows` image with utif2, on a small buffer holding only those blocks. */
  export async function decompress(
    file: RandomAccessFile,
    dir: TiffDirectory,
    layout: PageLayout,
    width: number,
    rows: number,
    rowsPerBlock: number,
    offsets: number[],
    counts: number[]
  ): Promise<Uint8Array> {
    const total = counts.reduce((a, b) => a + b, 0);
    // utif2 reads the byte order from the first two bytes and block data at absolute offsets.
    const buffer = new Uint8Array(8 + total);
    buffer.set(dir.prefix.subarray(0, 8));
    const shifted: number[] = [];
    let at = 8;
    for (let i = 0; i < offsets.length; i++) {
      await file.readInto(buffer.subarray(at, at + counts[i]), offsets[i]);
      shifted.push(at);
      at += counts[i];
    }
    const ifd: Record<string, unknown> = {
      t256: [width], t257: [rows], t258: [layout.stored.bytes * 8], t259: [layout.compression], t262: [1],
      t273: shifted, t277: [1], t278: [rowsPerBlock], t279: counts, t317: [layout.predictor]
    };
    try {
      UTIF.decodeImage(buffer.buffer, ifd as unknown as UTIF.IFD);
    } catch (error) {
      throw new VolumeFormatError(file.path, `corrupt ${COMPRESSIONS[layout.compression]} data (${(error as Error)?.message ?? String(error)})`);
    }
    const data = (ifd as { data?: Uint8Array }).data;
    const expected = width * rows * layout.stored.bytes;
    if (!data || data.byteLength < expected) throw new VolumeFormatError(file.path, `corrupt ${COMPRESSIONS[layout.compression]} data (decoded ${data?.byteLength ?? 0} of ${expected} bytes)`);
    return data;
  }

  export async function readTiles(file: RandomAccessFile, dir: TiffDirectory, layout: PageLayout, y0: number, y1: number, out: VoxelArray, outOffset: number): Promise<void> {
    const { width: tw, height: th } = layout.tile!;
    const b = layout.stored.bytes;
    const across = Math.ceil(layout.width / tw);
    const rowBytes = new Uint8Array(layout.width * b);
    for (let ty = Math.floor(y0 / th); ty <= Math.floor((y1 - 1) / th); ty++) {
      const tiles: Uint8Array[] = [];
      for (let tx = 0; tx < across; tx++) {
        const i = ty * across + tx;
        tiles.push(
          layout.compression === 1
            ? await file.readAt(layout.offsets[i], tw * th * b)
            : await decompress(file, dir, layout, tw, th, th, [layout.offsets[i]], [layout.counts[i]])
        );
      }
      const stored = layout.compression === 1 ? layout.stored : decodedOrder(layout.stored);
      for (let y = Math.max(y0, ty * th); y < Math.min(y1, (ty + 1) * th); y++) {
        for (let tx = 0; tx < across; tx++) {
          const cols = Math.min(tw, layout.width - tx * tw);
          const start = (y - ty * th) * tw * b;
          rowBytes.set(tiles[tx].subarray(start, start + cols * b), tx * tw * b);
        }
        decodeVoxels(rowBytes, stored, out, outOffset + (y - y0) * layout.width);
      }
    }
  }
}
