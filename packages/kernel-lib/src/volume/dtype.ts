/**
 * Voxel types: the four MDLMA stores (uint8, uint16, int16, float32) and their typed arrays.
 *
 * @example
 * const data = allocate('uint16', 64 * 64 * 64);
 * dtypeOf(data); // 'uint16'
 */
import { UnsupportedDTypeError } from '../errors';

/** A voxel type. */
export type DType = 'uint8' | 'uint16' | 'int16' | 'float32';

/** The typed array of each voxel type. */
export interface DTypeArrays {
  uint8: Uint8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  float32: Float32Array;
}

/** Any voxel array. */
export type VoxelArray = DTypeArrays[DType];

/** All voxel types, in a stable order. */
export const DTYPES: readonly DType[] = ['uint8', 'uint16', 'int16', 'float32'];

/** Bytes per voxel. */
export function bytesPerVoxel(dtype: DType): number {
  return { uint8: 1, uint16: 2, int16: 2, float32: 4 }[dtype];
}

/** The voxel type of a typed array. */
export function dtypeOf(data: VoxelArray): DType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Float32Array) return 'float32';
  throw new UnsupportedDTypeError((data as object)?.constructor?.name ?? typeof data);
}

/** Whether `name` is one of the four voxel types. */
export function isDType(name: string): name is DType {
  return (DTYPES as readonly string[]).includes(name);
}

/** A zero-filled array of `length` voxels. */
export function allocate<D extends DType>(dtype: D, length: number): DTypeArrays[D] {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(length) as DTypeArrays[D];
    case 'uint16':
      return new Uint16Array(length) as DTypeArrays[D];
    case 'int16':
      return new Int16Array(length) as DTypeArrays[D];
    case 'float32':
      return new Float32Array(length) as DTypeArrays[D];
  }
  throw new UnsupportedDTypeError(dtype);
}

/** A typed array of `dtype` viewing `length` voxels of `buffer` at `byteOffset` (no copy). */
export function viewOf<D extends DType>(dtype: D, buffer: ArrayBufferLike, byteOffset: number, length: number): DTypeArrays[D] {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(buffer, byteOffset, length) as DTypeArrays[D];
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, length) as DTypeArrays[D];
    case 'int16':
      return new Int16Array(buffer, byteOffset, length) as DTypeArrays[D];
    case 'float32':
      return new Float32Array(buffer, byteOffset, length) as DTypeArrays[D];
  }
  throw new UnsupportedDTypeError(dtype);
}

/** The range a voxel type can hold (float32: its finite range). */
export function dtypeRange(dtype: DType): [number, number] {
  return {
    uint8: [0, 255] as [number, number],
    uint16: [0, 65535] as [number, number],
    int16: [-32768, 32767] as [number, number],
    float32: [-3.4028234663852886e38, 3.4028234663852886e38] as [number, number]
  }[dtype];
}
