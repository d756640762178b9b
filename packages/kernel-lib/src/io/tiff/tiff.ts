/**
 * TIFF volumes: a multi-page file (one page per z slice, TIFF or BigTIFF) or a folder of
 * single-slice files in natural order (`slice_2.tif` before `slice_10.tif`). 8/16/32-bit
 * integer and 32/64-bit float grey levels; uncompressed, LZW, Deflate or PackBits, stripped
 * or tiled. Opening reads the directories only; a slab reads the rows of its pages.
 *
 * @example
 * const stack = await openTiff('scan.tif');          // multi-page
 * const folder = await openTiffStack('recon/');      // recon/slice_0000.tif ...
 * const slab = await folder.readSlab(0, 16);
 */
import { promises as fs } from 'fs';
import { join } from 'path';

import { VolumeFormatError, VolumeShapeError } from '../../errors';
import { throwIfInterrupted } from '../../runtime/interrupt';
import { allocate, VoxelArray } from '../../volume';
import { RandomAccessFile } from '../file';
import { BaseSource, Box, cropColumns, NonFinitePolicy, SourceHeader } from '../source';
import { storedTypeName, targetDType } from '../voxel-types';
import { pageArray, pageText, readTiffDirectory, TAG, TiffDirectory, TiffPage } from './ifd';
import { tiffGeometry } from './meta';
import { PageLayout, pageLayout, readPageRows } from './page';

/** File names a TIFF folder is made of. */
export const TIFF_NAME = /\.tiff?$/i;

/** Open a multi-page TIFF lazily (reads its directories). */
export async function openTiff(path: string, options: { nonFinite?: NonFinitePolicy } = {}): Promise<TiffSource> {
  const file = await RandomAccessFile.open(path);
  try {
    const dir = await readTiffDirectory(file);
    const first = await pageLayout(file, dir, dir.pages[0]);
    const layouts: Array<PageLayout | null> = [first, ...dir.pages.slice(1).map(() => null)];
    const geometry = tiffGeometry(await Private.resolution(file, dir, dir.pages[0]));
    const dtype = targetDType(first.stored, path);
    return new TiffSource(path, file, dir, layouts, { shape: [dir.pages.length, first.height, first.width], dtype, ...geometry }, options);
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** What both TIFF sources share: a slab is the box's rows of one page per slice, each checked against the first page. */
export abstract class TiffPagesSource extends BaseSource {
  protected async load(box: Box, signal: AbortSignal): Promise<VoxelArray> {
    const nx = this.shape[2];
    const rows = box.y1 - box.y0;
    const out = allocate(this.dtype, (box.z1 - box.z0) * rows * nx);
    for (let z = box.z0; z < box.z1; z++) {
      throwIfInterrupted(signal);
      await this.readPage(z, box, out, (z - box.z0) * rows * nx);
    }
    return cropColumns(out, nx, box.x0, box.x1);
  }

  /** Rows box.y0..y1 (all columns) of slice z into `out` at `offset`. */
  protected abstract readPage(z: number, box: Box, out: VoxelArray, offset: number): Promise<void>;

  /** Throws unless `layout`, page `index` of the file `path`, has the first page's size and dtype. */
  protected checkPage(path: string, index: number, layout: PageLayout): void {
    const [, ny, nx] = this.shape;
    if (layout.height !== ny || layout.width !== nx) {
      throw new VolumeShapeError(`${path}: page ${index} is ${layout.width} x ${layout.height} but the first page is ${nx} x ${ny}`);
    }
    if (targetDType(layout.stored, path) !== this.dtype) {
      throw new VolumeFormatError(path, `page ${index} holds ${storedTypeName(layout.stored)} but the first page ${this.dtype}`);
    }
  }
}

/** A multi-page TIFF opened for slab reads. */
export class TiffSource extends TiffPagesSource {
  constructor(
    path: string,
    private _file: RandomAccessFile,
    private _dir: TiffDirectory,
    private _layouts: Array<PageLayout | null>,
    header: SourceHeader,
    options: { nonFinite?: NonFinitePolicy }
  ) {
    super(path, 'tiff', header, options);
  }

  get bytesRead(): number {
    return this._file.bytesRead;
  }

  protected async readPage(z: number, box: Box, out: VoxelArray, offset: number): Promise<void> {
    const layout = (this._layouts[z] ??= await pageLayout(this._file, this._dir, this._dir.pages[z]));
    this.checkPage(this.path, z, layout);
    await readPageRows(this._file, this._dir, layout, box.y0, box.y1, out, offset);
  }

  protected release(): Promise<void> {
    return this._file.close();
  }
}

/** Open a folder of single-slice TIFF files lazily (reads the first file's directory). */
export async function openTiffStack(path: string, options: { nonFinite?: NonFinitePolicy } = {}): Promise<TiffStackSource> {
  const files = await listTiffFolder(path);
  const file = await RandomAccessFile.open(files[0]);
  try {
    const dir = await readTiffDirectory(file, { firstPageOnly: true });
    const layout = await pageLayout(file, dir, dir.pages[0]);
    const geometry = tiffGeometry(await Private.resolution(file, dir, dir.pages[0]));
    const dtype = targetDType(layout.stored, files[0]);
    return new TiffStackSource(path, files, { shape: [files.length, layout.height, layout.width], dtype, ...geometry }, options);
  } finally {
    await file.close();
  }
}

/** The TIFF files of a folder in natural order; VolumeFormatError if there are none. */
export async function listTiffFolder(path: string): Promise<string[]> {
  const names = (await fs.readdir(path)).filter(name => TIFF_NAME.test(name) && !name.startsWith('.'));
  if (!names.length) throw new VolumeFormatError(path, 'the folder holds no .tif/.tiff files');
  names.sort(new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare);
  return names.map(name => join(path, name));
}

/** A folder of single-slice TIFF files opened for slab reads (each slab opens only its files). */
export class TiffStackSource extends TiffPagesSource {
  constructor(path: string, readonly files: string[], header: SourceHeader, options: { nonFinite?: NonFinitePolicy }) {
    super(path, 'tiff-stack', header, options);
  }

  get bytesRead(): number {
    return this._bytesRead;
  }

  protected async readPage(z: number, box: Box, out: VoxelArray, offset: number): Promise<void> {
    const file = await RandomAccessFile.open(this.files[z]);
    try {
      const dir = await readTiffDirectory(file, { firstPageOnly: true });
      const layout = await pageLayout(file, dir, dir.pages[0]);
      this.checkPage(this.files[z], 0, layout);
      await readPageRows(file, dir, layout, box.y0, box.y1, out, offset);
    } finally {
      this._bytesRead += file.bytesRead;
      await file.close();
    }
  }

  protected async release(): Promise<void> {}

  private _bytesRead = 0;
}

namespace Private {
  export async function resolution(file: RandomAccessFile, dir: TiffDirectory, page: TiffPage) {
    const first = async (tag: number) => (await pageArray(file, dir, page, tag))?.[0] ?? NaN;
    return {
      description: await pageText(file, dir, page, TAG.ImageDescription),
      xResolution: await first(TAG.XResolution),
      yResolution: await first(TAG.YResolution),
      resolutionUnit: await first(TAG.ResolutionUnit)
    };
  }
}
