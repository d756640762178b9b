/**
 * Raw binary volumes with a JSON sidecar: `scan.raw` holds the voxels in C order [z][y][x],
 * `scan.raw.json` says how to read them:
 * `{"shape": [z, y, x], "dtype": "uint16", "endianness": "little", "spacing": [z, y, x], "origin": [z, y, x]}`
 * (spacing and origin in µm, default 1 and 0; optional `"offset"`: bytes to skip before the voxels).
 *
 * @example
 * await writeRaw('scan.raw', volume);              // writes scan.raw and scan.raw.json
 * const src = await openRaw('scan.raw');
 * const top = await src.readSlab(0, 8);
 */
import { promises as fs } from 'fs';

import { UnsupportedDTypeError, VolumeFormatError, VolumeNotFoundError, VolumeShapeError } from '../../errors';
import { AtomicFile, writeAtomically } from '../../files';
import { DType, Shape3, Vec3, VoxelArray } from '../../volume';
import { readContiguous } from '../contiguous';
import { notRegularFileError, RandomAccessFile } from '../file';
import { BaseSource, Box, NonFinitePolicy } from '../source';
import { StoredType, storedTypeOf, targetDType } from '../voxel-types';
import { AtomicFileWriter, WriteHeader } from '../writer';

/** The sidecar's content. */
export interface RawSidecar {
  shape: [number, number, number];
  dtype: string;
  endianness?: 'little' | 'big';
  spacing?: [number, number, number];
  origin?: [number, number, number];
  offset?: number;
}

/** The sidecar path of a raw file. */
export function sidecarPath(path: string): string {
  return `${path}.json`;
}

/** Open a raw file lazily (reads only the sidecar). */
export async function openRaw(path: string, options: { nonFinite?: NonFinitePolicy } = {}): Promise<RawSource> {
  if (path.endsWith('.raw.json')) path = path.slice(0, -'.json'.length);
  const sidecar = await Private.readSidecar(path);
  const file = await RandomAccessFile.open(path);
  try {
    return new RawSource(path, file, Private.layoutOf(path, sidecar, file.size), options);
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** A raw file opened for slab reads. */
export class RawSource extends BaseSource {
  constructor(path: string, private _file: RandomAccessFile, private _layout: Private.Layout, options: { nonFinite?: NonFinitePolicy }) {
    super(path, 'raw', _layout, options);
  }

  get bytesRead(): number {
    return this._file.bytesRead;
  }

  protected load(box: Box, signal: AbortSignal): Promise<VoxelArray> {
    return readContiguous(this._file, { ...this._layout }, box, signal);
  }

  protected release(): Promise<void> {
    return this._file.close();
  }
}

/** Start writing `path` (+ sidecar) slab by slab. */
export async function createRawWriter(path: string, header: WriteHeader): Promise<VolumeWriterRaw> {
  return new VolumeWriterRaw(path, header, await AtomicFile.create(path));
}

/** Writer of raw + sidecar; the sidecar is written last, so a raw file never has a sidecar that lies. */
export class VolumeWriterRaw extends AtomicFileWriter {
  protected async finish(): Promise<void> {
    await super.finish();
    const { shape, dtype, spacing, origin } = this.header;
    const sidecar: RawSidecar = { shape: [...shape], dtype, endianness: 'little', spacing: [...spacing], origin: [...origin] };
    await writeAtomically(sidecarPath(this.path), tmp => fs.writeFile(tmp, JSON.stringify(sidecar, null, 1) + '\n'));
  }
}

namespace Private {
  export interface Layout {
    dataOffset: number;
    stored: StoredType;
    shape: Shape3;
    dtype: DType;
    spacing: Vec3;
    origin: Vec3;
  }

  export async function readSidecar(path: string): Promise<RawSidecar> {
    const json = sidecarPath(path);
    // A sidecar that is a FIFO or a device would block the read or never end.
    const stat = await fs.stat(json).catch(() => undefined);
    if (stat && !stat.isFile()) throw notRegularFileError(json, stat);
    let text: string;
    try {
      text = await fs.readFile(json, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') {
        await fs.stat(path).catch(() => {
          throw new VolumeNotFoundError(path);
        });
        throw new VolumeFormatError(path, `raw data needs a sidecar ${json} with shape, dtype and endianness`);
      }
      throw new VolumeFormatError(path, `cannot read the sidecar ${json}: ${(error as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      return parsed as RawSidecar;
    } catch (error) {
      throw new VolumeFormatError(path, `the sidecar ${json} is not valid JSON (${(error as Error).message})`);
    }
  }

  export function layoutOf(path: string, sidecar: RawSidecar, fileSize: number): Layout {
    const shape = sidecar.shape;
    if (!Array.isArray(shape) || shape.length !== 3 || shape.some(n => typeof n !== 'number' || !Number.isInteger(n) || n <= 0)) {
      throw new VolumeShapeError(`${path}: the sidecar's shape must be three positive integers [z, y, x], got ${JSON.stringify(shape)}`);
    }
    const stored = storedTypeFromName(path, sidecar.dtype, sidecar.endianness ?? 'little');
    const dtype = targetDType(stored, path);
    const offset = sidecar.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw new VolumeFormatError(path, `the sidecar's offset must be a non-negative integer, got ${offset}`);
    const expected = offset + shape[0] * shape[1] * shape[2] * stored.bytes;
    if (fileSize < expected) {
      throw new VolumeFormatError(path, `truncated: shape [${shape.join(', ')}] of ${sidecar.dtype} needs ${expected} bytes but the file has ${fileSize}`);
    }
    if (fileSize > expected) {
      throw new VolumeFormatError(path, `the file has ${fileSize} bytes but shape [${shape.join(', ')}] of ${sidecar.dtype} needs ${expected}; check shape and dtype in the sidecar`);
    }
    return { dataOffset: offset, stored, shape: [shape[0], shape[1], shape[2]], dtype, spacing: vec(path, 'spacing', sidecar.spacing, 1, true), origin: vec(path, 'origin', sidecar.origin, 0, false) };
  }

  function storedTypeFromName(path: string, name: unknown, endianness: unknown): StoredType {
    if (endianness !== 'little' && endianness !== 'big') {
      throw new VolumeFormatError(path, `the sidecar's endianness must be "little" or "big", got ${JSON.stringify(endianness)}`);
    }
    const match = typeof name === 'string' ? /^(uint|int|float)(8|16|32|64)$/.exec(name) : null;
    if (!match || (match[1] === 'float' && Number(match[2]) < 32)) throw new UnsupportedDTypeError(String(name), path);
    const kind = ({ uint: 'u', int: 'i', float: 'f' } as const)[match[1] as 'uint' | 'int' | 'float'];
    return { ...storedTypeOf('uint8'), kind, bytes: Number(match[2]) / 8, littleEndian: endianness === 'little' };
  }

  function vec(path: string, key: string, value: unknown, fallback: number, positive: boolean): Vec3 {
    if (value === undefined) return [fallback, fallback, fallback];
    if (!Array.isArray(value) || value.length !== 3 || value.some(v => typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0))) {
      throw new VolumeFormatError(path, `the sidecar's ${key} must be three ${positive ? 'positive ' : ''}finite numbers [z, y, x] in µm, got ${JSON.stringify(value)}`);
    }
    return [value[0], value[1], value[2]];
  }
}
