/**
 * Options of `segment` and their checks: every value a user can get wrong raises
 * SegmentOptionError saying what is allowed.
 *
 * @example
 * const resolved = resolveSegmentOptions({ axes: 9, voting: 'soft' }, [128, 128, 128]);
 * resolved.axes;      // ['z', 'y', 'x', 'zy+', ...]
 */
import { availableParallelism } from 'os';

import { SegmentOptionError } from '../errors';
import { guardOutputs } from '../io';
import type { Device, SegmentationModel } from '../models';
import { SUN_AXES, Volume, type Shape3, type SunAxis, type VolumeSource } from '../volume';
import type { Voting } from './voting';

/** Optional per-voxel maps besides the labels. */
export interface SegmentOutputs {
  /** Fused class probabilities, one uint8 volume per class (255 = 1). */
  probabilities?: boolean;
  /** 1 - normalised entropy of the fused distribution, float32 in [0, 1]. */
  confidence?: boolean;
  /** Mean probability of the fused label (the max of the mean distribution under soft voting), float32. */
  maxProbability?: boolean;
  /** Fraction of axes whose own argmax is the fused label, float32 in [0, 1]. */
  agreement?: boolean;
}

/** Files to write slab by slab instead of returning volumes (any format of io/, by extension). */
export interface SegmentFiles {
  labels: string;
  confidence?: string;
  maxProbability?: string;
  agreement?: string;
}

/** Options of `segment`. */
export interface SegmentOptions {
  /** A model name under models/, a model folder, or a loaded model (default 'sun-implant'). */
  model?: string | SegmentationModel;
  /** 1, 3 or 9 SUN axes, or an explicit list of axes (default 9). */
  axes?: 1 | 3 | 9 | readonly SunAxis[];
  /** 'soft' (mean, default) or 'hard' (mode of the per-axis argmax). */
  voting?: Voting;
  /** Tiles per model call (default 8; at most what fits BATCH_BUFFER_BYTES, see `checkBatchSize`). */
  batchSize?: number;
  /** Execution provider when `model` is a name (default 'cpu'; 'auto' tries CUDA, WebGPU, CPU). */
  device?: Device;
  /** ONNX Runtime intra-op threads when `model` is a name (default: number of cores; at most the cores available). */
  threads?: number;
  /** Aborts between batches (default: the calling cell's interrupt). */
  signal?: AbortSignal;
  /** Called after each batch with slices done and slices in all. */
  onProgress?: (done: number, total: number) => void;
  /** Show a progress bar (default: when running in the MDLMA kernel). */
  progress?: boolean;
  /** Maps to return (or write) besides the labels. */
  outputs?: SegmentOutputs;
  /** Write to files slab by slab (bounded memory) instead of returning volumes: a labels path or paths per map. */
  out?: string | SegmentFiles;
  /** Output rows per slab (default: the whole volume when it has at most 2^25 voxels, else ~2^24 voxels per slab, at least 32 rows). */
  slabDepth?: number;
  /** Context rows read above and below each slab for the axes whose slices cross z (default 32; 0 with a single slab or only the z axis). */
  halo?: number;
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  axes: readonly SunAxis[];
  voting: Voting;
  batchSize: number;
  slabDepth: number;
  halo: number;
  outputs: Required<SegmentOutputs>;
  files?: SegmentFiles;
}

/** Applies defaults and checks `options` for a volume of `shape`. */
export function resolveSegmentOptions(options: SegmentOptions, shape: Shape3): ResolvedOptions {
  const axes = Private.axes(options.axes ?? 9);
  const voting = options.voting ?? 'soft';
  if (voting !== 'soft' && voting !== 'hard') throw new SegmentOptionError('voting', `must be "soft" or "hard", got ${JSON.stringify(voting)}`);
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new SegmentOptionError('batchSize', `must be a positive integer, got ${batchSize}`);
  // Each thread is an OS thread with its own stack: a million of them exhaust memory before anything runs.
  const cores = availableParallelism();
  const threads = options.threads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= cores)) {
    throw new SegmentOptionError('threads', `must be an integer in 1..${cores} (the cores available), got ${threads}`);
  }
  const [nz, ny, nx] = shape;
  const auto = nz * ny * nx <= 2 ** 25 ? nz : Math.max(32, Math.floor(2 ** 24 / (ny * nx)));
  const slabDepth = Math.min(nz, options.slabDepth ?? auto);
  if (!Number.isInteger(slabDepth) || slabDepth < 1) throw new SegmentOptionError('slabDepth', `must be a positive integer, got ${options.slabDepth}`);
  // z slices lie within a slab: only the other axes need context rows.
  const halo = slabDepth >= nz || axes.every(a => a === 'z') ? 0 : options.halo ?? 32;
  if (!Number.isInteger(halo) || halo < 0) throw new SegmentOptionError('halo', `must be a non-negative integer, got ${options.halo}`);
  const files = typeof options.out === 'string' ? { labels: options.out } : options.out;
  if (files && typeof files.labels !== 'string') throw new SegmentOptionError('out', 'needs at least a labels path');
  const o = options.outputs ?? {};
  const outputs = {
    probabilities: !!o.probabilities,
    confidence: !!o.confidence || !!files?.confidence,
    maxProbability: !!o.maxProbability || !!files?.maxProbability,
    agreement: !!o.agreement || !!files?.agreement
  };
  if (files && outputs.probabilities) throw new SegmentOptionError('outputs.probabilities', 'cannot be written to files yet; segment in memory to get them');
  return { axes, voting, batchSize, slabDepth, halo, outputs, files };
}

/** Our own buffers for one batch stay under this; ONNX Runtime's activations come on top (several times as much). */
export const BATCH_BUFFER_BYTES = 2 ** 30;

/** Throws SegmentOptionError when `batchSize` tiles of `tile` pixels with `classes` outputs need more than BATCH_BUFFER_BYTES. */
export function checkBatchSize(batchSize: number, tile: readonly [number, number], classes: number): void {
  // Per tile, float32: the input tile, the model's class outputs, and their blend into the slice probabilities.
  const bytesPerTile = tile[0] * tile[1] * 4 * (1 + 2 * classes);
  const most = Math.max(1, Math.floor(BATCH_BUFFER_BYTES / bytesPerTile));
  if (batchSize > most) {
    throw new SegmentOptionError(
      'batchSize',
      `must be at most ${most} for ${tile[0]}x${tile[1]} tiles and ${classes} classes (a batch may hold ${BATCH_BUFFER_BYTES / 2 ** 30} GiB of buffers; ` +
        `${batchSize} tiles need ${((batchSize * bytesPerTile) / 2 ** 30).toPrecision(3)} GiB), got ${batchSize}`
    );
  }
}

/** Throws OutputPathError when a file of `out` is the file `input` was opened from, or another file of `out`. */
export async function guardSegmentFiles(input: Volume | VolumeSource, out: string | SegmentFiles): Promise<void> {
  const files = typeof out === 'string' ? { labels: out } : out;
  const source = input instanceof Volume || input.format === 'memory' ? undefined : input.path;
  await guardOutputs(
    { 'out.labels': files.labels, 'out.confidence': files.confidence, 'out.maxProbability': files.maxProbability, 'out.agreement': files.agreement },
    { 'the input': source }
  );
}

namespace Private {
  export function axes(value: unknown): readonly SunAxis[] {
    if (value === 1 || value === 3 || value === 9) return SUN_AXES.slice(0, value);
    if (Array.isArray(value) && value.length > 0 && value.length <= 255 && value.every(a => SUN_AXES.includes(a))) {
      if (new Set(value).size !== value.length) throw new SegmentOptionError('axes', 'lists an axis twice');
      return value as SunAxis[];
    }
    throw new SegmentOptionError('axes', `must be 1, 3, 9 or a list of ${SUN_AXES.join(', ')}; got ${JSON.stringify(value)}`);
  }
}
