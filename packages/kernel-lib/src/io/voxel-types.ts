/**
 * Voxel types as stored in files, and their conversion to the four MDLMA dtypes.
 *
 * What each stored type becomes (the same in every format):
 * uint8, uint16, int16, float32 are kept; int8 becomes int16 (lossless); float64 becomes float32;
 * int32 and uint32 become float32 (exact up to 2^24, which covers CT grey values).
 * 64-bit integers, complex, RGB or multi-channel, and bit depths other than 8/16/32/64 raise
 * UnsupportedDTypeError naming the file.
 *
 * @example
 * const stored = { kind: 'u', bytes: 2, littleEndian: false } as const;   // big-endian uint16
 * const out = allocate(targetDType(stored, 'scan.tif'), n);
 * decodeVoxels(bytes, stored, out, 0);
 */
import { UnsupportedDTypeError } from '../errors';
import { DType, VoxelArray } from '../volume';

/** A voxel type as stored in a file. */
export interface StoredType {
  /** Unsigned integer, signed integer or IEEE float. */
  readonly kind: 'u' | 'i' | 'f';
  /** Bytes per voxel. */
  readonly bytes: number;
  /** Byte order in the file. */
  readonly littleEndian: boolean;
}

/** The usual name of a stored type ('uint16', 'float64', ...). */
export function storedTypeName(stored: StoredType): string {
  return `${{ u: 'uint', i: 'int', f: 'float' }[stored.kind]}${stored.bytes * 8}`;
}

/** The MDLMA dtype that `stored` is read as; UnsupportedDTypeError when there is none. */
export function targetDType(stored: StoredType, where: string): DType {
  const name = storedTypeName(stored);
  const target = Private.TARGETS[name];
  if (!target) throw new UnsupportedDTypeError(name, where);
  return target;
}

/** The stored type that writes `dtype` without conversion. */
export function storedTypeOf(dtype: DType, littleEndian = true): StoredType {
  const [kind, bytes] = Private.STORED[dtype];
  return { kind, bytes, littleEndian };
}

/** Whether bytes of `stored` can be copied into an array of `dtype` as they are. */
export function isVerbatim(stored: StoredType, dtype: DType): boolean {
  return stored.littleEndian === Private.HOST_LITTLE_ENDIAN && storedTypeName(stored) === dtype;
}

/** Convert the voxels in `bytes` (of type `stored`) into `out` starting at voxel `outOffset`. */
export function decodeVoxels(bytes: Uint8Array, stored: StoredType, out: VoxelArray, outOffset: number): void {
  const count = Math.floor(bytes.byteLength / stored.bytes);
  if (stored.littleEndian === Private.HOST_LITTLE_ENDIAN) {
    const aligned = bytes.byteOffset % stored.bytes === 0 ? bytes : bytes.slice();
    const view = Private.typedView(stored, aligned, count);
    if (view) {
      out.set(view as ArrayLike<number>, outOffset);
      return;
    }
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const get = Private.getter(stored, data);
  for (let i = 0; i < count; i++) out[outOffset + i] = get(i * stored.bytes);
}

/** Number of NaN or infinite voxels in `data` (always 0 for integer types). */
export function countNonFinite(data: VoxelArray): number {
  if (!(data instanceof Float32Array)) return 0;
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    // v - v is NaN for NaN and ±Infinity, 0 otherwise: one comparison per voxel.
    const v = data[i];
    if (v - v !== 0) bad++;
  }
  return bad;
}

/** Replace NaN and infinite voxels by 0, in place. */
export function zeroNonFinite(data: VoxelArray): void {
  if (!(data instanceof Float32Array)) return;
  for (let i = 0; i < data.length; i++) if (data[i] - data[i] !== 0) data[i] = 0;
}

namespace Private {
  export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  export const TARGETS: Record<string, DType | undefined> = {
    uint8: 'uint8',
    int8: 'int16',
    uint16: 'uint16',
    int16: 'int16',
    uint32: 'float32',
    int32: 'float32',
    float32: 'float32',
    float64: 'float32'
  };

  export const STORED: Record<DType, ['u' | 'i' | 'f', number]> = {
    uint8: ['u', 1],
    uint16: ['u', 2],
    int16: ['i', 2],
    float32: ['f', 4]
  };

  export function typedView(stored: StoredType, bytes: Uint8Array, count: number): ArrayLike<number> | null {
    const { buffer, byteOffset } = bytes;
    switch (storedTypeName(stored)) {
      case 'uint8':
        return bytes.subarray(0, count);
      case 'int8':
        return new Int8Array(buffer, byteOffset, count);
      case 'uint16':
        return new Uint16Array(buffer, byteOffset, count);
      case 'int16':
        return new Int16Array(buffer, byteOffset, count);
      case 'uint32':
        return new Uint32Array(buffer, byteOffset, count);
      case 'int32':
        return new Int32Array(buffer, byteOffset, count);
      case 'float32':
        return new Float32Array(buffer, byteOffset, count);
      case 'float64':
        return new Float64Array(buffer, byteOffset, count);
    }
    return null;
  }

  export function getter(stored: StoredType, data: DataView): (offset: number) => number {
    const le = stored.littleEndian;
    switch (storedTypeName(stored)) {
      case 'uint8':
        return o => data.getUint8(o);
      case 'int8':
        return o => data.getInt8(o);
      case 'uint16':
        return o => data.getUint16(o, le);
      case 'int16':
        return o => data.getInt16(o, le);
      case 'uint32':
        return o => data.getUint32(o, le);
      case 'int32':
        return o => data.getInt32(o, le);
      case 'float32':
        return o => data.getFloat32(o, le);
      case 'float64':
        return o => data.getFloat64(o, le);
    }
    throw new UnsupportedDTypeError(storedTypeName(stored));
  }
}
