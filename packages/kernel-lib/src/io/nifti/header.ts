/**
 * NIfTI-1 / NIfTI-2 headers: parsed with nifti-reader-js, written by us (348 + 4 bytes for
 * NIfTI-1, 540 + 4 for NIfTI-2, the 4 being an empty extension flag).
 *
 * What we keep from a header: the voxel grid (dim), the voxel type (datatype), the voxel size
 * |pixdim| converted to µm through xyzt_units (metre, mm, µm; "unknown" is taken as µm), the
 * translation of the affine as origin (sform if sform_code > 0, else qform, else 0, as
 * nibabel), and scl_slope/scl_inter (applied when not identity, giving float32). Rotations and
 * axis flips of the affine are not applied to the voxels: arrays stay in file order (x fastest),
 * and the full affine (in µm) is available as `NiftiHeader.affine`.
 *
 * The one encoder of NIfTI headers in the library: files from `write`, displacement fields and the
 * volume viewer's cached layers all take their header from `encodeNiftiHeader`.
 *
 * @example
 * const header = await parseNiftiHeader('scan.nii', headBytes);
 * const bytes = encodeNiftiHeader({ shape, dtype: 'uint16', spacing, origin });
 * const layer = encodeNiftiHeader(volume, { version: 1, placement: 'aligned', description: 'viewer layer' });
 */
import { UnsupportedDTypeError, VolumeFormatError, VolumeShapeError } from '../../errors';
import { importEsm } from '../../runtime/esm';
import { DType, Shape3, Vec3 } from '../../volume';
import { StoredType, storedTypeOf } from '../voxel-types';
import { WriteHeader } from '../writer';

/** What a NIfTI header says about the volume. */
export interface NiftiHeader {
  /** 1 or 2. */
  version: 1 | 2;
  /** [z, y, x]. */
  shape: Shape3;
  /** Voxel type in the file. */
  stored: StoredType;
  /** [z, y, x] µm. */
  spacing: Vec3;
  /** [z, y, x] µm. */
  origin: Vec3;
  /** Byte offset of the voxels. */
  voxOffset: number;
  /** scl_slope and scl_inter, or null when they are the identity. */
  scaling: { slope: number; inter: number } | null;
  /** 4x4 voxel (i, j, k) to world (x, y, z) matrix in µm, rows as in srow_x/y/z. */
  affine: number[][];
}

/** Bytes to read for any NIfTI header (NIfTI-2 plus its extension flag). */
export const NIFTI_HEAD_BYTES = 544;

/** NIfTI datatype codes (nifti1.h) of the types we read. */
export const NIFTI_DATATYPES: Record<number, { kind: 'u' | 'i' | 'f'; bytes: number; name: string }> = {
  2: { kind: 'u', bytes: 1, name: 'uint8' },
  4: { kind: 'i', bytes: 2, name: 'int16' },
  8: { kind: 'i', bytes: 4, name: 'int32' },
  16: { kind: 'f', bytes: 4, name: 'float32' },
  64: { kind: 'f', bytes: 8, name: 'float64' },
  256: { kind: 'i', bytes: 1, name: 'int8' },
  512: { kind: 'u', bytes: 2, name: 'uint16' },
  768: { kind: 'u', bytes: 4, name: 'uint32' }
};

/** Names of the NIfTI datatype codes we do not read, for error messages. */
const UNSUPPORTED_NAMES: Record<number, string> = {
  1: 'binary', 32: 'complex64', 128: 'rgb24', 1024: 'int64', 1280: 'uint64', 1536: 'float128', 1792: 'complex128', 2048: 'complex256', 2304: 'rgba32'
};

/** NIfTI version and byte order from the first 4 bytes, or null if this is not NIfTI. */
export function niftiSignature(head: Uint8Array): { version: 1 | 2; littleEndian: boolean } | null {
  if (head.byteLength < 4) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magicAt = (offset: number, text: string) =>
    head.byteLength >= offset + text.length && [...text].every((c, i) => head[offset + i] === c.charCodeAt(0));
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === 348 && (magicAt(344, 'n+1\0') || magicAt(344, 'ni1\0') || head.byteLength < 348)) return { version: 1, littleEndian };
    if (size === 540 && (magicAt(4, 'n+2\0') || magicAt(4, 'ni2\0'))) return { version: 2, littleEndian };
  }
  return null;
}

/** Parse and check a header from the first bytes of a (decompressed) NIfTI file. */
export async function parseNiftiHeader(path: string, head: Uint8Array): Promise<NiftiHeader> {
  const signature = niftiSignature(head);
  if (!signature) throw new VolumeFormatError(path, 'not a NIfTI file (wrong magic: no sizeof_hdr 348/540 with "n+1"/"n+2")');
  const needed = signature.version === 1 ? 348 : 540;
  if (head.byteLength < needed) throw new VolumeFormatError(path, `truncated NIfTI-${signature.version} header (${head.byteLength} of ${needed} bytes)`);
  const nifti = await importEsm<{ readHeader(data: ArrayBuffer): Private.RawHeader }>('nifti-reader-js');
  const bytes = head.slice(0, needed);
  let raw: Private.RawHeader;
  try {
    raw = nifti.readHeader(bytes.buffer as ArrayBuffer);
  } catch (error) {
    throw new VolumeFormatError(path, `unreadable NIfTI header (${(error as Error).message})`);
  }
  return Private.interpret(path, signature.version, raw, bytes);
}

/** Bytes before the voxels of a NIfTI-1 file we write: the 348-byte header and the 4-byte extension flag. */
export const NIFTI_VOX_OFFSET = 352;

/** Linear map from stored to true values: true = slope * stored + inter (NIfTI scl_slope, scl_inter). */
export interface NiftiScaling {
  slope: number;
  inter: number;
}

/**
 * A NIfTI header (with its empty extension flag) for `header`: version 2 when a dimension
 * exceeds NIfTI-1's 32767, or when asked. The affine is diagonal: spacing and origin, in µm.
 */
export function encodeNiftiHeader(header: WriteHeader, options: encodeNiftiHeader.IOptions = {}): Uint8Array {
  const version = options.version ?? (header.shape.some(n => n > 32767) ? 2 : 1);
  const settings: Private.Settings = {
    description: options.description ?? 'MDLMA Lab',
    scaling: options.scaling ?? { slope: 1, inter: 0 },
    scanner: (options.placement ?? 'scanner') === 'scanner'
  };
  return version === 1 ? Private.encode1(header, settings) : Private.encode2(header, settings);
}

export namespace encodeNiftiHeader {
  /** Options of `encodeNiftiHeader`. */
  export interface IOptions {
    /** NIfTI-1 or NIfTI-2 (default: 1 unless a dimension is too large for it). */
    version?: 1 | 2;
    /**
     * How the affine is declared (nifti1.h xform codes). 'scanner' (default, files for other
     * tools): qform and sform both NIFTI_XFORM_SCANNER_ANAT, with ANALYZE's `regular` flag.
     * 'aligned' (the viewer's layers): the sform alone, NIFTI_XFORM_ALIGNED_ANAT.
     */
    placement?: 'scanner' | 'aligned';
    /** `descrip`, at most 79 bytes (default 'MDLMA Lab'). */
    description?: string;
    /** scl_slope and scl_inter (default the identity). */
    scaling?: NiftiScaling;
  }
}

namespace Private {
  /** The fields of nifti-reader-js's NIFTI1/NIFTI2 that we use (the package's types do not resolve from CommonJS). */
  export interface RawHeader {
    littleEndian: boolean;
    dims: number[];
    datatypeCode: number;
    numBitsPerVoxel: number;
    pixDims: number[];
    vox_offset: number;
    scl_slope: number;
    scl_inter: number;
    xyzt_units: number;
    qform_code: number;
    sform_code: number;
    affine: number[][];
  }

  /** xyzt_units & 7 → µm per unit (nifti1.h: 1 metre, 2 mm, 3 µm; 0 unknown, taken as µm). */
  const MICRONS_PER_UNIT: Record<number, number> = { 0: 1, 1: 1e6, 2: 1e3, 3: 1 };

  export function interpret(path: string, version: 1 | 2, raw: RawHeader, bytes: Uint8Array): NiftiHeader {
    const dims = raw.dims.map(Number);
    const rank = dims[0];
    if (!Number.isInteger(rank) || rank < 1 || rank > 7) throw new VolumeFormatError(path, `invalid dim[0] = ${rank} (must be 1..7)`);
    const [nx, ny, nz] = [1, 2, 3].map(i => (i <= rank ? dims[i] : 1));
    for (let i = 1; i <= rank; i++) {
      if (!Number.isInteger(dims[i]) || dims[i] <= 0) {
        throw new VolumeShapeError(`${path}: NIfTI dim[${i}] = ${dims[i]}; every dimension must be a positive integer`);
      }
    }
    const extra = dims.slice(4, rank + 1).reduce((a, b) => a * b, 1);
    if (extra !== 1) throw new VolumeShapeError(`${path}: a ${rank}D NIfTI with ${extra} volumes; MDLMA reads single 3D volumes (split it first)`);
    const type = NIFTI_DATATYPES[raw.datatypeCode];
    if (!type) {
      throw new UnsupportedDTypeError(UNSUPPORTED_NAMES[raw.datatypeCode] ?? `NIfTI datatype ${raw.datatypeCode}`, path);
    }
    if (raw.numBitsPerVoxel !== type.bytes * 8) {
      throw new VolumeFormatError(path, `bitpix ${raw.numBitsPerVoxel} does not match datatype ${type.name}`);
    }
    const unit = MICRONS_PER_UNIT[raw.xyzt_units & 7] ?? 1;
    const pix = [1, 2, 3].map(i => raw.pixDims[i]);
    if (pix.some(p => !Number.isFinite(p))) throw new VolumeFormatError(path, `pixdim [${pix.join(', ')}] is not finite`);
    // pixdim 0 is common in files from tools that leave it unset: take 1 unit.
    const [sx, sy, sz] = pix.map(p => (p === 0 ? 1 : Math.abs(p)) * unit);
    const affine = affineOf(raw, unit, bytes, version);
    if (affine.flat().some(a => !Number.isFinite(a))) throw new VolumeFormatError(path, 'the qform/sform affine is not finite');
    const voxOffset = Number(raw.vox_offset);
    const minimum = version === 1 ? 348 : 540;
    if (!Number.isFinite(voxOffset) || voxOffset < minimum) {
      throw new VolumeFormatError(path, `vox_offset ${raw.vox_offset} is before the end of the ${minimum}-byte header`);
    }
    const slope = raw.scl_slope;
    const inter = raw.scl_inter;
    const identity = !Number.isFinite(slope) || slope === 0 || (slope === 1 && (inter === 0 || !Number.isFinite(inter)));
    return {
      version,
      shape: [nz, ny, nx],
      stored: { kind: type.kind, bytes: type.bytes, littleEndian: raw.littleEndian },
      spacing: [sz, sy, sx],
      origin: [affine[2][3], affine[1][3], affine[0][3]],
      voxOffset: Math.round(voxOffset),
      scaling: identity ? null : { slope, inter: Number.isFinite(inter) ? inter : 0 },
      affine
    };
  }

  function affineOf(raw: RawHeader, unit: number, bytes: Uint8Array, version: 1 | 2): number[][] {
    let rows: number[][];
    if (raw.sform_code > 0) {
      // nifti-reader-js prefers the qform when its code is higher; nibabel (and we) prefer the sform: read srow_x/y/z.
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const [base, size] = version === 1 ? [280, 4] : [400, 8];
      const at = (o: number) => (size === 4 ? view.getFloat32(o, raw.littleEndian) : view.getFloat64(o, raw.littleEndian));
      rows = [0, 1, 2].map(r => [0, 1, 2, 3].map(c => at(base + (4 * r + c) * size)));
    } else if (raw.qform_code > 0) {
      rows = raw.affine.slice(0, 3).map(row => row.slice(0, 4));
    } else {
      rows = [0, 1, 2].map(r => [0, 1, 2, 3].map(c => (c === r ? Math.abs(raw.pixDims[r + 1] || 1) : 0)));
    }
    return [...rows.map(row => row.map(a => a * unit)), [0, 0, 0, 1]];
  }

  const DATATYPE_CODE: Record<DType, number> = { uint8: 2, int16: 4, float32: 16, uint16: 512 };

  /** What `encodeNiftiHeader`'s options resolve to. */
  export interface Settings {
    description: string;
    scaling: NiftiScaling;
    /** qform and sform as NIFTI_XFORM_SCANNER_ANAT (and `regular`), else the sform alone as NIFTI_XFORM_ALIGNED_ANAT. */
    scanner: boolean;
  }

  /** The fields both versions write, in NIfTI's x, y, z order. */
  function common(header: WriteHeader, settings: Settings) {
    const [nz, ny, nx] = header.shape;
    const [sz, sy, sx] = header.spacing;
    const [oz, oy, ox] = header.origin;
    const stored = storedTypeOf(header.dtype);
    return {
      dims: [3, nx, ny, nz, 1, 1, 1, 1],
      pixdims: [1, sx, sy, sz, 1, 1, 1, 1],
      code: DATATYPE_CODE[header.dtype],
      bitpix: stored.bytes * 8,
      // nifti1.h: NIFTI_XFORM_SCANNER_ANAT = 1 for qform and sform, or NIFTI_XFORM_ALIGNED_ANAT = 2 for the sform alone.
      qformCode: settings.scanner ? 1 : 0,
      sformCode: settings.scanner ? 1 : 2,
      quaternOffsets: settings.scanner ? [ox, oy, oz] : [0, 0, 0],
      srows: [sx, 0, 0, ox, 0, sy, 0, oy, 0, 0, sz, oz]
    };
  }

  export function encode1(header: WriteHeader, settings: Settings): Uint8Array {
    const h = common(header, settings);
    const out = new Uint8Array(NIFTI_VOX_OFFSET);
    const v = new DataView(out.buffer);
    v.setInt32(0, 348, true);
    if (settings.scanner) out[38] = 'r'.charCodeAt(0); // ANALYZE's `regular`
    h.dims.forEach((d, i) => v.setInt16(40 + 2 * i, d, true));
    v.setInt16(70, h.code, true);
    v.setInt16(72, h.bitpix, true);
    h.pixdims.forEach((p, i) => v.setFloat32(76 + 4 * i, p, true));
    v.setFloat32(108, NIFTI_VOX_OFFSET, true);
    v.setFloat32(112, settings.scaling.slope, true);
    v.setFloat32(116, settings.scaling.inter, true);
    out[123] = 3; // NIFTI_UNITS_MICRON
    text(out, 148, settings.description, 79);
    v.setInt16(252, h.qformCode, true);
    v.setInt16(254, h.sformCode, true);
    h.quaternOffsets.forEach((o, i) => v.setFloat32(268 + 4 * i, o, true));
    h.srows.forEach((a, i) => v.setFloat32(280 + 4 * i, a, true));
    text(out, 344, 'n+1\0', 4);
    return out;
  }

  export function encode2(header: WriteHeader, settings: Settings): Uint8Array {
    const h = common(header, settings);
    const out = new Uint8Array(544);
    const v = new DataView(out.buffer);
    v.setInt32(0, 540, true);
    out.set([0x6e, 0x2b, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a], 4); // "n+2\0\r\n\032\n"
    v.setInt16(12, h.code, true);
    v.setInt16(14, h.bitpix, true);
    h.dims.forEach((d, i) => v.setBigInt64(16 + 8 * i, BigInt(d), true));
    h.pixdims.forEach((p, i) => v.setFloat64(104 + 8 * i, p, true));
    v.setBigInt64(168, 544n, true);
    v.setFloat64(176, settings.scaling.slope, true);
    v.setFloat64(184, settings.scaling.inter, true);
    text(out, 240, settings.description, 79);
    v.setInt32(344, h.qformCode, true);
    v.setInt32(348, h.sformCode, true);
    h.quaternOffsets.forEach((o, i) => v.setFloat64(376 + 8 * i, o, true));
    h.srows.forEach((a, i) => v.setFloat64(400 + 8 * i, a, true));
    v.setInt32(500, 3, true); // NIFTI_UNITS_MICRON
    return out;
  }

  /** `value` as UTF-8 at `offset`, cut to `max` bytes. */
  function text(out: Uint8Array, offset: number, value: string, max: number): void {
    out.set(new TextEncoder().encode(value).subarray(0, max), offset);
  }
}
