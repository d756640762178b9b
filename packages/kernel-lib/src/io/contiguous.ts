/**
 * Reading boxes out of voxels stored contiguously in C order (raw files, uncompressed NIfTI):
 * one positioned read per slab, or one per plane when only some rows are asked for.
 *
 * @example
 * const data = await readContiguous(file, { dataOffset: 352, stored, shape, dtype }, box, signal);
 */
import { throwIfInterrupted } from '../runtime/interrupt';
import { allocate, DType, Shape3, VoxelArray } from '../volume';
import { Box, cropColumns } from './source';
import { decodeVoxels, isVerbatim, StoredType } from './voxel-types';

/** Anything that fills a buffer from a byte offset: a file, or a gzip stream read forwards. */
export interface PositionedReader {
  readInto(target: Uint8Array, offset: number): Promise<void>;
}

/** Where and how the voxels lie in a file. */
export interface ContiguousLayout {
  /** Byte offset of voxel (0, 0, 0). */
  dataOffset: number;
  /** Voxel type on disk. */
  stored: StoredType;
  /** [z, y, x] of the stored array. */
  shape: Shape3;
  /** dtype to return. */
  dtype: DType;
}

/** Largest single read: bounds scratch memory and how long an interrupt waits. */
export const READ_CHUNK_BYTES = 64 * 1024 * 1024;

/** Read `box` of a C-order array stored at `layout` in `file`. */
export async function readContiguous(file: PositionedReader, layout: ContiguousLayout, box: Box, signal: AbortSignal): Promise<VoxelArray> {
  const [, ny, nx] = layout.shape;
  const b = layout.stored.bytes;
  const rows = box.y1 - box.y0;
  const planes = box.z1 - box.z0;
  const out = allocate(layout.dtype, planes * rows * nx);
  if (rows === ny) {
    // Whole planes: one contiguous byte range.
    await Private.readSpan(file, layout, layout.dataOffset + box.z0 * ny * nx * b, out, signal);
  } else {
    for (let z = 0; z < planes; z++) {
      const start = layout.dataOffset + (((box.z0 + z) * ny + box.y0) * nx) * b;
      await Private.readSpan(file, layout, start, out.subarray(z * rows * nx, (z + 1) * rows * nx), signal);
    }
  }
  return cropColumns(out, nx, box.x0, box.x1);
}

namespace Private {
  /** Fill `out` from the bytes at `start`, in chunks, converting if the stored type differs. */
  export async function readSpan(file: PositionedReader, layout: ContiguousLayout, start: number, out: VoxelArray, signal: AbortSignal): Promise<void> {
    const b = layout.stored.bytes;
    const perChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / b));
    if (isVerbatim(layout.stored, layout.dtype)) {
      const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      for (let done = 0; done < bytes.byteLength; done += perChunk * b) {
        throwIfInterrupted(signal);
        await file.readInto(bytes.subarray(done, Math.min(bytes.byteLength, done + perChunk * b)), start + done);
      }
      return;
    }
    const scratch = new Uint8Array(Math.min(out.length, perChunk) * b);
    for (let voxel = 0; voxel < out.length; voxel += perChunk) {
      throwIfInterrupted(signal);
      const count = Math.min(perChunk, out.length - voxel);
      const bytes = scratch.subarray(0, count * b);
      await file.readInto(bytes, start + voxel * b);
      decodeVoxels(bytes, layout.stored, out, voxel);
    }
  }
}
