/**
 * What `segment` produces and the checks that do not depend on its options object: the output
 * maps and files, the resolved options, the batch-size limit and the output-path guard. Every
 * value a user can get wrong raises SegmentOptionError (or OutputPathError) saying what is allowed.
 * The options themselves (`segment.IOptions`) and their resolution sit with `segment` in segment.ts.
 *
 * @example
 * checkBatchSize(8, [192, 192], 4);
 * await guardSegmentFiles(source, { labels: 'labels.nii.gz' });
 */
import { SegmentOptionError } from '../errors';
import { guardOutputs } from '../io';
import { Volume, type SunAxis, type VolumeSource } from '../volume';
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
