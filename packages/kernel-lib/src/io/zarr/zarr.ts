/**
 * Zarr v2 and v3 arrays on the local filesystem, through zarrita and our atomic file store.
 * A slab read fetches only the chunks it touches. Cluster jobs write into one array: the
 * driver calls `createZarr` once, each job `openZarrWriter(path).writeSlab(z0, slab)`;
 * slabs aligned to the chunk depth in z never share a chunk, so jobs never race.
 *
 * Spacing and origin live in the attributes as `{"mdlma": {"spacing": [z, y, x], "origin": [z, y, x], "unit": "µm"}}`.
 *
 * @example
 * const out = await createZarr('seg.zarr', { shape: [2000, 2000, 2000], dtype: 'uint8', spacing, origin }, { chunks: [64, 256, 256] });
 * // in job k:
 * const w = await openZarrWriter('seg.zarr');
 * await w.writeSlab(64 * k, labels);
 * const src = await openZarr('seg.zarr');
 */
import { promises as fs } from 'fs';
import { dirname } from 'path';

import { MdlmaError, UnsupportedDTypeError, VolumeFormatError, VolumeNotFoundError, VolumeShapeError } from '../../errors';
import { replace, temporaryName } from '../../files';
import { allocate, DType, Shape3, Vec3, Volume, VoxelArray } from '../../volume';
import { isFolder } from '../file';
import { BaseSource, Box, NonFinitePolicy, SourceHeader } from '../source';
import { targetDType } from '../voxel-types';
import { SlabWriteOptions, startSlabWrite, VolumeWriter, WriteHeader } from '../writer';
import { loadZarrita, Zarrita } from './codecs';
import { ZarrFileStore } from './store';

/** Open a Zarr array lazily (reads its metadata). */
export async function openZarr(path: string, options: { dataset?: string; nonFinite?: NonFinitePolicy } = {}): Promise<ZarrSource> {
  if (!(await isFolder(path))) {
    await fs.stat(path).catch(() => {
      throw new VolumeNotFoundError(path);
    });
    throw new VolumeFormatError(path, 'a Zarr store is a folder');
  }
  const zarr = await loadZarrita();
  const store = new ZarrFileStore(path);
  const plain = await Private.precheck(store, path, options.dataset);
  const array = await Private.openArray(zarr, store, path, options.dataset);
  const header = Private.headerOf(path, array);
  store.check = plain ? Private.chunkCheck(path, array) : null;
  return new ZarrSource(path, zarr, store, array, header, options);
}

/** A Zarr array opened for slab reads. */
export class ZarrSource extends BaseSource {
  constructor(path: string, private _zarr: Zarrita, private _store: ZarrFileStore, private _array: any, header: Private.Header, options: { nonFinite?: NonFinitePolicy }) {
    super(path, 'zarr', header, options);
    this._rank = header.rank;
  }

  get bytesRead(): number {
    return this._store.bytesRead;
  }

  protected async load(box: Box, signal: AbortSignal): Promise<VoxelArray> {
    const { slice } = this._zarr;
    const selection = [slice(box.z0, box.z1), slice(box.y0, box.y1), slice(box.x0, box.x1)];
    let chunk: { data: ArrayLike<number>; shape: number[]; stride: number[] };
    try {
      chunk = await this._zarr.get(this._array, this._rank === 2 ? selection.slice(1) : selection, { signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const cause = (error as { cause?: unknown }).cause;
      if (error instanceof MdlmaError) throw error;
      if (cause instanceof MdlmaError) throw cause;
      throw new VolumeFormatError(this.path, `Zarr read of z ${box.z0}..${box.z1} failed (${(error as Error).message})`);
    }
    return Private.toCOrder(chunk, this.dtype, [box.z1 - box.z0, box.y1 - box.y0, box.x1 - box.x0]);
  }

  protected async release(): Promise<void> {}

  private _rank: number;
}

/** Options of `createZarr` and Zarr writes. */
export interface ZarrWriteOptions {
  /** 2 or 3 (default 3). */
  version?: 2 | 3;
  /** Chunk shape [z, y, x] (default up to [32, 256, 256]). */
  chunks?: [number, number, number];
  /** gzip level, 0 for no compression (default 1). */
  gzipLevel?: number;
}

/** Create an empty array at `path` (replacing nothing: VolumeFormatError if it exists) for in-place slab writes. */
export async function createZarr(path: string, header: WriteHeader, options: ZarrWriteOptions = {}): Promise<ZarrWriter> {
  if (await fs.stat(path).then(() => true, () => false)) throw new VolumeFormatError(path, 'already exists; remove it or open it with openZarrWriter');
  await Private.checkParent(path);
  const zarr = await loadZarrita();
  const array = await Private.createArray(zarr, new ZarrFileStore(path), header, options);
  return new ZarrWriter(path, header, zarr, array, null);
}

/** Open an existing array for writing slabs in place (what each cluster job does). */
export async function openZarrWriter(path: string, options: { dataset?: string } = {}): Promise<ZarrWriter> {
  const source = await openZarr(path, { ...options, nonFinite: 'keep' });
  const zarr = await loadZarrita();
  const array = await Private.openArray(zarr, new ZarrFileStore(path), path, options.dataset);
  return new ZarrWriter(path, { shape: source.shape, dtype: source.dtype, spacing: source.spacing, origin: source.origin }, zarr, array, null);
}

/** Write a whole new array under a temporary folder, renamed onto `path` on commit. */
export async function createZarrWriter(path: string, header: WriteHeader, options: ZarrWriteOptions = {}): Promise<ZarrWriter> {
  const target = path.replace(/[\\/]+$/, '');
  await Private.checkParent(target);
  const temporary = temporaryName(target);
  const zarr = await loadZarrita();
  try {
    const array = await Private.createArray(zarr, new ZarrFileStore(temporary), header, options);
    return new ZarrWriter(target, header, zarr, array, temporary);
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/** Writer of a Zarr array; slabs in any order. In place (temporary = null) commit and abort change nothing. */
export class ZarrWriter implements VolumeWriter {
  constructor(readonly path: string, readonly header: WriteHeader, private _zarr: Zarrita, private _array: any, private _temporary: string | null) {
    this._written = new Uint8Array(header.shape[0]);
  }

  /** Write slices z0 .. z0 + slab.shape[0]. */
  async writeSlab(z0: number, slab: Volume, options: SlabWriteOptions = {}): Promise<void> {
    const signal = startSlabWrite(this.path, this.header, z0, slab, options);
    const [n, ny, nx] = slab.shape;
    const { slice } = this._zarr;
    const rank = this._array.shape.length;
    const selection = [slice(z0, z0 + n), null, null];
    const value = rank === 2 ? { data: slab.data, shape: [ny, nx], stride: [nx, 1] } : { data: slab.data, shape: [n, ny, nx], stride: [ny * nx, nx, 1] };
    await this._zarr.set(this._array, rank === 2 ? selection.slice(1) : selection, value, { signal });
    this._written.fill(1, z0, z0 + n);
  }

  async commit(): Promise<void> {
    if (this._temporary === null) return;
    const missing = this._written.indexOf(0);
    if (missing >= 0) throw new VolumeShapeError(`${this.path}: slice ${missing} was never written`);
    await replace(this._temporary, this.path);
    this._temporary = null;
  }

  async abort(): Promise<void> {
    if (this._temporary !== null) await fs.rm(this._temporary, { recursive: true, force: true });
  }

  private _written: Uint8Array;
}

namespace Private {
  /** What the header says, plus the dataset's rank (2D datasets are one slice). */
  export interface Header extends SourceHeader {
    rank: number;
  }

  export async function checkParent(path: string): Promise<void> {
    if (!(await isFolder(dirname(path)))) throw new VolumeNotFoundError(dirname(path), `cannot write ${path}: the folder does not exist`);
  }

  /** Metadata checks zarrita words poorly (bad JSON, unsupported dtypes read as "not found"). */
  export async function precheck(store: ZarrFileStore, path: string, dataset?: string): Promise<boolean> {
    const prefix = dataset ? `/${dataset.replace(/^\/|\/$/g, '')}` : '';
    for (const file of ['.zarray', 'zarr.json']) {
      const bytes = await store.get(`${prefix}/${file}` as `/${string}`);
      if (!bytes) continue;
      let meta: { dtype?: unknown; data_type?: unknown; node_type?: string; compressor?: unknown; filters?: unknown[] | null; codecs?: Array<{ name?: string }> };
      try {
        meta = JSON.parse(new TextDecoder().decode(bytes));
      } catch (error) {
        throw new VolumeFormatError(path, `invalid JSON in ${prefix.slice(1)}${prefix ? '/' : ''}${file} (${(error as Error).message})`);
      }
      if (file === 'zarr.json' && meta.node_type !== 'array') continue;
      const name = file === '.zarray' ? V2_NAMES[String(meta.dtype).replace(/^[<>|=]/, '')] ?? String(meta.dtype) : String(meta.data_type);
      if (!STORED[name]) throw new UnsupportedDTypeError(name, path);
      // Chunks stored as bare bytes (no compressor, no filters) have a known size.
      return file === '.zarray'
        ? meta.compressor === null && !(meta.filters?.length)
        : Array.isArray(meta.codecs) && meta.codecs.every(c => c?.name === 'bytes');
    }
    return false;
  }

  /** numpy type strings of Zarr v2 → zarrita names. */
  const V2_NAMES: Record<string, string> = { u1: 'uint8', i1: 'int8', u2: 'uint16', i2: 'int16', u4: 'uint32', i4: 'int32', f4: 'float32', f8: 'float64', u8: 'uint64', i8: 'int64', f2: 'float16', b1: 'bool' };

  /** For arrays stored without compression, a chunk file of the wrong size is truncated or corrupt: zarrita would read it short. */
  export function chunkCheck(path: string, array: any): ((key: string, value: Uint8Array) => void) | null {
    const stored = STORED[array.dtype];
    if (!stored) return null;
    const expected = (array.chunks as number[]).reduce((a, b) => a * b, 1) * stored.bytes;
    return (key, value) => {
      if (/(^|\/)(\.zarray|\.zattrs|\.zgroup|zarr\.json)$/.test(key)) return;
      if (value.byteLength !== expected) throw new VolumeFormatError(path, `chunk ${key} has ${value.byteLength} bytes, expected ${expected} (truncated or corrupt)`);
    };
  }

  export async function openArray(zarr: Zarrita, store: ZarrFileStore, path: string, dataset?: string): Promise<any> {
    const root = zarr.root(store);
    try {
      if (dataset) return await zarr.open(root.resolve(dataset.replace(/^\//, '')), { kind: 'array' });
      const node = await zarr.open(root);
      if (node instanceof zarr.Array) return node;
      // OME-Zarr: the first (full-resolution) level of the first multiscale.
      const level = node.attrs?.multiscales?.[0]?.datasets?.[0]?.path ?? node.attrs?.ome?.multiscales?.[0]?.datasets?.[0]?.path;
      if (typeof level === 'string') return await zarr.open(root.resolve(level), { kind: 'array' });
      throw new VolumeFormatError(path, 'is a Zarr group, not an array; pass {dataset: "name"} for the array inside');
    } catch (error) {
      if (error instanceof MdlmaError) throw error;
      const tag = (error as { _tag?: string; name?: string })._tag ?? (error as Error).name;
      const reason = tag === 'NotFoundError'
        ? `no Zarr array here${dataset ? ` at "${dataset}"` : ''} (no .zarray or zarr.json)`
        : `invalid Zarr metadata (${(error as Error).message})`;
      throw new VolumeFormatError(path, reason);
    }
  }

  /** zarrita dtype names → what we read them as. */
  const STORED: Record<string, { kind: 'u' | 'i' | 'f'; bytes: number }> = {
    uint8: { kind: 'u', bytes: 1 }, int8: { kind: 'i', bytes: 1 }, uint16: { kind: 'u', bytes: 2 }, int16: { kind: 'i', bytes: 2 },
    uint32: { kind: 'u', bytes: 4 }, int32: { kind: 'i', bytes: 4 }, float32: { kind: 'f', bytes: 4 }, float64: { kind: 'f', bytes: 8 }
  };

  export function headerOf(path: string, array: any): Header {
    const shape: number[] = array.shape;
    const rank = shape.length;
    if (rank !== 2 && rank !== 3) throw new VolumeShapeError(`${path}: Zarr array of shape [${shape.join(', ')}]; a volume is 3D (or 2D, one slice)`);
    const [nz, ny, nx] = rank === 2 ? [1, shape[0], shape[1]] : shape;
    if (![nz, ny, nx].every(n => Number.isInteger(n) && n > 0)) throw new VolumeShapeError(`${path}: Zarr array of shape [${shape.join(', ')}]; every dimension must be positive`);
    const stored = STORED[array.dtype];
    if (!stored) throw new UnsupportedDTypeError(String(array.dtype), path);
    const dtype = targetDType({ ...stored, littleEndian: true }, path);
    const meta = array.attrs?.mdlma ?? array.attrs ?? {};
    return { shape: [nz, ny, nx], dtype, spacing: vec(meta.spacing, 1), origin: vec(meta.origin, 0), rank };
  }

  function vec(value: unknown, fallback: number): Vec3 {
    if (Array.isArray(value) && value.length === 3 && value.every(v => typeof v === 'number' && Number.isFinite(v) && (fallback === 0 || v > 0))) {
      return [value[0], value[1], value[2]];
    }
    return [fallback, fallback, fallback];
  }

  /** zarrita returns C order for C-order arrays; F-order v2 arrays come strided and are copied. */
  export function toCOrder(chunk: { data: ArrayLike<number>; shape: number[]; stride: number[] }, dtype: DType, shape: Shape3): VoxelArray {
    const [nz, ny, nx] = shape;
    const stride = chunk.stride.length === 2 ? [0, ...chunk.stride] : chunk.stride;
    const contiguous = stride[2] === 1 && stride[1] === nx && (nz === 1 || stride[0] === ny * nx);
    if (contiguous) {
      const same = allocate(dtype, 0).constructor === (chunk.data as object).constructor;
      if (same && chunk.data.length === nz * ny * nx) return chunk.data as VoxelArray;
      const out = allocate(dtype, nz * ny * nx);
      out.set(chunk.data);
      return out;
    }
    const out = allocate(dtype, nz * ny * nx);
    let i = 0;
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) out[i++] = chunk.data[z * stride[0] + y * stride[1] + x * stride[2]];
    return out;
  }

  const V2_DTYPE: Record<DType, string> = { uint8: '|u1', uint16: '<u2', int16: '<i2', float32: '<f4' };

  export async function createArray(zarr: Zarrita, store: ZarrFileStore, header: WriteHeader, options: ZarrWriteOptions): Promise<any> {
    const [nz, ny, nx] = header.shape;
    const chunks = options.chunks ?? [Math.min(nz, 32), Math.min(ny, 256), Math.min(nx, 256)];
    const level = options.gzipLevel ?? 1;
    const attributes = { mdlma: { spacing: [...header.spacing], origin: [...header.origin], unit: 'µm', axes: ['z', 'y', 'x'] } };
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 1));
    if ((options.version ?? 3) === 2) {
      await store.set('/.zarray', json({
        zarr_format: 2, shape: [nz, ny, nx], chunks, dtype: V2_DTYPE[header.dtype], compressor: level > 0 ? { id: 'gzip', level } : null,
        fill_value: 0, order: 'C', filters: null, dimension_separator: '.'
      }));
      await store.set('/.zattrs', json(attributes));
      return zarr.open.v2(zarr.root(store), { kind: 'array' });
    }
    const codecs: unknown[] = [{ name: 'bytes', configuration: { endian: 'little' } }];
    if (level > 0) codecs.push({ name: 'gzip', configuration: { level } });
    return zarr.create(zarr.root(store), { shape: [nz, ny, nx], chunkShape: chunks, dtype: header.dtype, codecs, fillValue: 0, dimensionNames: ['z', 'y', 'x'], attributes });
  }
}
