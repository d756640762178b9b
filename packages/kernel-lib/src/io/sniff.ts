/**
 * Telling formats apart by content: magic bytes for TIFF/BigTIFF, HDF5 (also after a user
 * block), NIfTI-1/-2 (also inside gzip); folder content for Zarr (.zarray, .zgroup, zarr.json)
 * and TIFF folders; a JSON sidecar for raw data. The extension is only used to word the error
 * when the content does not match it.
 *
 * @example
 * await sniffFormat('scan.h5');     // 'hdf5', even when named scan.dat
 */
import { promises as fs } from 'fs';
import { join } from 'path';

import { VolumeFormatError, VolumeNotFoundError } from '../errors';
import { readHead } from './file';
import { GzipCursor } from './gzip-cursor';
import { isHdf5Magic } from './hdf5/hdf5';
import { NIFTI_HEAD_BYTES, niftiSignature } from './nifti/header';
import { sidecarPath } from './raw/raw';
import { VolumeFormat } from './source';
import { isTiffMagic } from './tiff/ifd';
import { TIFF_NAME } from './tiff/tiff';

/** The format of the file or folder at `path`, from its content. */
export async function sniffFormat(path: string): Promise<VolumeFormat> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch {
    throw new VolumeNotFoundError(path);
  }
  if (stat.isDirectory()) return Private.sniffFolder(path);
  if (path.endsWith('.raw.json') || (await Private.exists(sidecarPath(path)))) return 'raw';
  const head = await readHead(path, 4096);
  if (head.byteLength === 0) throw new VolumeFormatError(path, 'the file is empty');
  if (isTiffMagic(head)) return 'tiff';
  if (isHdf5Magic(head)) return 'hdf5';
  if (niftiSignature(head)) return 'nifti';
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const cursor = new GzipCursor(path);
    try {
      if (niftiSignature(await cursor.readUpTo(0, NIFTI_HEAD_BYTES))) return 'nifti';
    } finally {
      await cursor.close();
    }
    throw new VolumeFormatError(path, 'a gzip file that does not hold a NIfTI volume');
  }
  const expected = formatFromExtension(path);
  throw new VolumeFormatError(
    path,
    expected
      ? `not a ${Private.NAMES[expected]} file (wrong magic bytes ${Private.hex(head)})`
      : `unknown format (magic bytes ${Private.hex(head)}); MDLMA reads TIFF, NIfTI, HDF5/NeXus, Zarr, and raw with a .json sidecar`
  );
}

/** The format an extension names (.tif, .nii.gz, .h5, .zarr, .raw ...), or null. */
export function formatFromExtension(path: string): VolumeFormat | null {
  const name = path.replace(/[\\/]+$/, '').toLowerCase();
  if (/\.tiff?$/.test(name)) return 'tiff';
  if (/\.nii(\.gz)?$/.test(name)) return 'nifti';
  if (/\.(h5|hdf5|hdf|nxs|nx5)$/.test(name)) return 'hdf5';
  if (/\.zarr$/.test(name)) return 'zarr';
  if (/\.raw$/.test(name)) return 'raw';
  return null;
}

namespace Private {
  export const NAMES: Record<VolumeFormat, string> = {
    tiff: 'TIFF', 'tiff-stack': 'TIFF folder', nifti: 'NIfTI', hdf5: 'HDF5', zarr: 'Zarr', raw: 'raw'
  };

  export async function exists(path: string): Promise<boolean> {
    return fs.stat(path).then(s => s.isFile(), () => false);
  }

  export async function sniffFolder(path: string): Promise<VolumeFormat> {
    for (const marker of ['.zarray', '.zgroup', 'zarr.json']) if (await exists(join(path, marker))) return 'zarr';
    const names = await fs.readdir(path);
    if (names.some(name => TIFF_NAME.test(name) && !name.startsWith('.'))) return 'tiff-stack';
    throw new VolumeFormatError(path, 'the folder is neither a Zarr store (.zarray, .zgroup, zarr.json) nor a folder of .tif files');
  }

  export function hex(head: Uint8Array): string {
    return Array.from(head.subarray(0, 8), b => b.toString(16).padStart(2, '0')).join(' ');
  }
}
