/**
 * HDF5 and NeXus volumes through h5wasm (its Node build reads the file itself, by chunks, so a
 * slab is a hyperslab selection: only the chunks it touches are read).
 *
 * Which dataset: `options.dataset` if given; else NeXus discovery: the root's `default`
 * attribute → entry, the entry's `default` → NXdata group, its `signal` attribute → dataset;
 * else `/entry/data/data`; else the only 3D dataset in the file. Spacing and origin come from the
 * dataset's `spacing` / `origin` attributes ([z, y, x] µm, as we write them), default 1 and 0.
 *
 * @example
 * const src = await openHdf5('scan.nxs');                          // NeXus default path
 * const src2 = await openHdf5('scan.h5', { dataset: '/exchange/data' });
 * await write('out.h5', volume);                                    // /entry/data/data, chunked
 */
import { promises as fs } from 'fs';
import { dirname } from 'path';

import { MdlmaError, UnsupportedDTypeError, VolumeFormatError, VolumeNotFoundError, VolumeShapeError } from '../../errors';
import { temporaryName } from '../../files';
import { importEsm } from '../../runtime/esm';
import { throwIfInterrupted, resolveSignal } from '../../runtime/interrupt';
import { allocate, DType, Vec3, Volume, VoxelArray } from '../../volume';
import { assertExists, readHead } from '../file';
import { BaseSource, Box, NonFinitePolicy, SourceHeader } from '../source';
import { targetDType } from '../voxel-types';
import { checkSlab, SlabWriteOptions, VolumeWriter, WriteHeader } from '../writer';

/** The HDF5 signature (at byte 0, or 512, 1024, 2048 ... after a user block). */
export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `head` holds the HDF5 signature at 0 or at a power-of-two user-block offset. */
export function isHdf5Magic(head: Uint8Array): boolean {
  for (let at = 0; at + 8 <= head.byteLength; at = at === 0 ? 512 : at * 2) {
    if (HDF5_MAGIC.every((b, i) => head[at + i] === b)) return true;
  }
  return false;
}

/** Default dataset path we write (NeXus NXentry/NXdata/signal). */
export const NEXUS_DATA_PATH = '/entry/data/data';

/** Open an HDF5/NeXus dataset lazily. */
export async function openHdf5(path: string, options: { dataset?: string; nonFinite?: NonFinitePolicy } = {}): Promise<Hdf5Source> {
  await assertExists(path);
  if (!isHdf5Magic(await readHead(path, 4096))) throw new VolumeFormatError(path, 'not an HDF5 file (wrong magic)');
  const h5 = await loadH5wasm();
  let file: H5File;
  try {
    file = new h5.File(path, 'r');
  } catch (error) {
    throw new VolumeFormatError(path, `HDF5 cannot open it (${Private.firstLine(error)})`);
  }
  try {
    const name = options.dataset ?? Private.discover(path, file);
    const dataset = file.get(name);
    if (!dataset || dataset.type !== 'Dataset') throw new VolumeFormatError(path, `no dataset at "${name}"`);
    return new Hdf5Source(path, file, dataset as H5Dataset, name, Private.headerOf(path, name, dataset as H5Dataset), options);
  } catch (error) {
    file.close();
    if (error instanceof MdlmaError) throw error;
    throw new VolumeFormatError(path, `unreadable HDF5 structure (${Private.firstLine(error)})`);
  }
}

/** An HDF5 dataset opened for slab reads. */
export class Hdf5Source extends BaseSource {
  constructor(path: string, private _file: H5File, private _dataset: H5Dataset, readonly datasetPath: string, header: Private.Header, options: { nonFinite?: NonFinitePolicy }) {
    super(path, 'hdf5', header, options);
    this._rank = header.rank;
  }

  /** h5wasm reads the file itself; bytes are not counted. */
  get bytesRead(): undefined {
    return undefined;
  }

  protected async load(box: Box): Promise<VoxelArray> {
    const ranges: Array<[number, number]> = [[box.z0, box.z1], [box.y0, box.y1], [box.x0, box.x1]];
    // A 2D dataset is one slice; extra leading dimensions of size 1 are selected at 0.
    const selection = this._rank === 2 ? ranges.slice(1) : [...new Array(this._rank - 3).fill([0, 1]), ...ranges];
    let raw: unknown;
    try {
      raw = this._dataset.slice(selection);
    } catch (error) {
      throw new VolumeFormatError(this.path, `HDF5 read of z ${box.z0}..${box.z1} failed (${Private.firstLine(error)})`);
    }
    if (raw instanceof Uint8Array && this.dtype === 'uint8') return raw;
    if (raw instanceof Uint16Array && this.dtype === 'uint16') return raw;
    if (raw instanceof Int16Array && this.dtype === 'int16') return raw;
    if (raw instanceof Float32Array && this.dtype === 'float32') return raw;
    const values = raw as ArrayLike<number>;
    const out = allocate(this.dtype, values.length);
    out.set(values);
    return out;
  }

  protected async release(): Promise<void> {
    this._file.close();
  }

  private _rank: number;
}

/** Options of `createHdf5Writer`. */
export interface Hdf5WriteOptions {
  /** Dataset path (default NEXUS_DATA_PATH, with NeXus groups and attributes). */
  dataset?: string;
  /** Chunk shape [z, y, x] (default up to [8, 256, 256]). */
  chunks?: [number, number, number];
  /** gzip level 1-9 (default: no compression, fastest to read). */
  gzipLevel?: number;
}

/** Start writing an HDF5/NeXus file; slabs may come in any order. */
export async function createHdf5Writer(path: string, header: WriteHeader, options: Hdf5WriteOptions = {}): Promise<Hdf5Writer> {
  const h5 = await loadH5wasm();
  const temporary = temporaryName(path);
  await fs.stat(dirname(path)).catch(() => {
    throw new VolumeNotFoundError(dirname(path), `cannot write ${path}: the folder does not exist`);
  });
  const file = new h5.File(temporary, 'w');
  try {
    const dataset = Private.createNexus(file, header, options);
    return new Hdf5Writer(path, header, temporary, file, dataset);
  } catch (error) {
    file.close();
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/** Writer of an HDF5 file (written under a temporary name, renamed on commit). */
export class Hdf5Writer implements VolumeWriter {
  constructor(readonly path: string, readonly header: WriteHeader, private _temporary: string, private _file: H5File, private _dataset: H5Dataset) {
    this._written = new Uint8Array(header.shape[0]);
  }

  async writeSlab(z0: number, slab: Volume, options: SlabWriteOptions = {}): Promise<void> {
    throwIfInterrupted(resolveSignal(options.signal));
    checkSlab(this.path, this.header, z0, slab);
    this._dataset.write_slice([[z0, z0 + slab.shape[0]], [], []], slab.data);
    this._written.fill(1, z0, z0 + slab.shape[0]);
  }

  async commit(): Promise<void> {
    const missing = this._written.indexOf(0);
    if (missing >= 0) throw new VolumeShapeError(`${this.path}: slice ${missing} was never written`);
    this._file.close();
    await fs.rename(this._temporary, this.path);
  }

  async abort(): Promise<void> {
    try {
      this._file.close();
    } catch {
      // already closed
    }
    await fs.rm(this._temporary, { force: true });
  }

  private _written: Uint8Array;
}

/** The h5wasm Node build, ready, with HDF5's error printing replaced by exceptions. */
export function loadH5wasm(): Promise<H5wasm> {
  return (h5wasmLoading ??= (async () => {
    const module = await importEsm<{ default: H5wasm }>('h5wasm/node');
    const h5 = module.default;
    const runtime = await h5.ready;
    // Without this HDF5 prints a diagnostic trace to stderr for every failed call.
    runtime.activate_throwing_error_handler();
    return h5;
  })());
}

let h5wasmLoading: Promise<H5wasm> | undefined;

/** The parts of h5wasm we use (its types do not resolve from CommonJS). */
interface H5wasm {
  ready: Promise<{ activate_throwing_error_handler(): number }>;
  File: new (path: string, mode: 'r' | 'w' | 'a') => H5File;
}
interface H5Attribute {
  value: unknown;
}
interface H5Node {
  type: string;
  attrs: Record<string, H5Attribute>;
}
interface H5Group extends H5Node {
  keys(): string[];
  get(name: string): H5Node | null;
  create_group(name: string): H5Group;
  create_attribute(name: string, value: unknown): void;
  create_dataset(args: Record<string, unknown>): H5Dataset;
}
interface H5File extends H5Group {
  close(): void;
}
interface H5Dataset extends H5Node {
  shape: number[] | null;
  metadata: { type: number; signed: boolean; size: number; littleEndian: boolean };
  slice(ranges: Array<[number, number] | []>): unknown;
  write_slice(ranges: Array<[number, number] | []>, data: unknown): void;
  resize(shape: number[]): number;
  create_attribute(name: string, value: unknown): void;
}

namespace Private {
  /** What the header says, plus the dataset's rank (2D datasets are one slice). */
  export interface Header extends SourceHeader {
    rank: number;
  }

  export function firstLine(error: unknown): string {
    const text = String((error as Error)?.message ?? error);
    const lines = text.split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('HDF5-DIAG'));
    return (lines.find(l => /\):/.test(l))?.replace(/^#\d+:\s*\S+\s+line\s+\d+\s+in\s+/, '') ?? lines[0] ?? text).slice(0, 200);
  }

  function text(node: H5Node | null, name: string): string | null {
    const value = node?.attrs?.[name]?.value;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
    return null;
  }

  export function discover(path: string, file: H5File): string {
    const join = (a: string, b: string) => (b.startsWith('/') ? b : `${a.replace(/\/$/, '')}/${b}`);
    // NeXus: /@default → entry/@default → NXdata/@signal.
    let group: string = '/';
    for (let step = 0; step < 3; step++) {
      const node = file.get(group);
      const next = text(node, 'default');
      if (!next) break;
      group = join(group, next);
    }
    const signal = text(file.get(group), 'signal');
    const candidates: string[] = [];
    if (signal) candidates.push(join(group, signal));
    candidates.push(NEXUS_DATA_PATH);
    // First NXentry/NXdata with a signal.
    for (const entry of file.keys()) {
      const node = file.get(entry) as H5Group | null;
      if (node?.type !== 'Group' || text(node, 'NX_class') !== 'NXentry') continue;
      for (const child of node.keys()) {
        const data = node.get(child);
        const s = text(data, 'signal');
        if (data?.type === 'Group' && text(data, 'NX_class') === 'NXdata' && s) candidates.push(`/${entry}/${child}/${s}`);
      }
    }
    for (const name of candidates) if (file.get(name)?.type === 'Dataset') return name;
    const volumes = walk(file, '/').filter(name => {
      const shape = (file.get(name) as H5Dataset).shape;
      return shape?.length === 3;
    });
    if (volumes.length === 1) return volumes[0];
    throw new VolumeFormatError(
      path,
      volumes.length
        ? `several 3D datasets (${volumes.slice(0, 5).join(', ')}); pass {dataset: '/path/to/data'}`
        : 'no 3D dataset found (no NeXus default/signal, no /entry/data/data); pass {dataset: ...}'
    );
  }

  function walk(group: H5Group, prefix: string, depth = 0): string[] {
    if (depth > 8) return [];
    const out: string[] = [];
    for (const key of group.keys()) {
      const node = group.get(key);
      const name = `${prefix}${key}`;
      if (node?.type === 'Dataset') out.push(name);
      else if (node?.type === 'Group') out.push(...walk(node as H5Group, `${name}/`, depth + 1));
    }
    return out;
  }

  export function headerOf(path: string, name: string, dataset: H5Dataset): Header {
    const shape = dataset.shape ?? [];
    const rank = shape.length;
    if (rank < 2 || shape.slice(0, Math.max(0, rank - 3)).some(n => n !== 1)) {
      throw new VolumeShapeError(`${path}: dataset ${name} has shape [${shape.join(', ')}]; a volume is 3D (or 2D, one slice)`);
    }
    const [nz, ny, nx] = rank === 2 ? [1, shape[0], shape[1]] : shape.slice(-3);
    if (![nz, ny, nx].every(n => Number.isInteger(n) && n > 0)) {
      throw new VolumeShapeError(`${path}: dataset ${name} has shape [${shape.join(', ')}]; every dimension must be positive`);
    }
    const meta = dataset.metadata;
    const kind = meta.type === 0 ? (meta.signed ? 'i' : 'u') : meta.type === 1 ? 'f' : null;
    if (!kind) throw new UnsupportedDTypeError(`HDF5 type class ${meta.type} (not integer or float)`, `${path}:${name}`);
    const dtype = targetDType({ kind, bytes: meta.size, littleEndian: meta.littleEndian }, `${path}:${name}`);
    return { shape: [nz, ny, nx], dtype, spacing: vec(dataset, 'spacing', 1), origin: vec(dataset, 'origin', 0), rank };
  }

  function vec(dataset: H5Dataset, name: string, fallback: number): Vec3 {
    const value = dataset.attrs?.[name]?.value as ArrayLike<number> | undefined;
    if (value && value.length === 3 && Array.from(value).every(v => Number.isFinite(v) && (fallback === 0 || v > 0))) {
      return [Number(value[0]), Number(value[1]), Number(value[2])];
    }
    return [fallback, fallback, fallback];
  }

  const H5_DTYPE: Record<DType, string> = { uint8: '<B', uint16: '<H', int16: '<h', float32: '<f' };

  export function createNexus(file: H5File, header: WriteHeader, options: Hdf5WriteOptions): H5Dataset {
    const name = options.dataset ?? NEXUS_DATA_PATH;
    if (name === NEXUS_DATA_PATH) {
      file.create_attribute('default', 'entry');
      const entry = file.create_group('entry');
      entry.create_attribute('NX_class', 'NXentry');
      entry.create_attribute('default', 'data');
      const data = entry.create_group('data');
      data.create_attribute('NX_class', 'NXdata');
      data.create_attribute('signal', 'data');
    } else {
      const parts = name.split('/').filter(Boolean);
      let group: H5Group = file;
      for (const part of parts.slice(0, -1)) group = (group.get(part) as H5Group | null) ?? group.create_group(part);
    }
    const [nz, ny, nx] = header.shape;
    const chunks = options.chunks ?? [Math.min(nz, 8), Math.min(ny, 256), Math.min(nx, 256)];
    const empty = allocate(header.dtype, 0);
    // h5wasm needs data matching the shape: create it empty and extendable, then grow it.
    const dataset = file.create_dataset({
      name,
      data: empty,
      shape: [0, ny, nx],
      maxshape: [nz, ny, nx],
      dtype: H5_DTYPE[header.dtype],
      chunks,
      ...(options.gzipLevel ? { compression: 'gzip', compression_opts: options.gzipLevel } : {})
    });
    dataset.resize([nz, ny, nx]);
    dataset.create_attribute('spacing', new Float64Array(header.spacing));
    dataset.create_attribute('origin', new Float64Array(header.origin));
    dataset.create_attribute('units', 'um');
    return dataset;
  }
}
