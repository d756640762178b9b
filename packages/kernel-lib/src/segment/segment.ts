/**
 * `segment`: the SUN pipeline (DESIGN.md, "The 9 SUN axes"). A 2D U-Net predicts every slice
 * along 1, 3 or 9 axes; per-axis probabilities are mapped back onto the grid and fused by soft
 * (mean) or hard (mode) voting; labels plus optional confidence, max-probability, agreement
 * and fused-probability maps come out.
 *
 * Memory stays bounded by working in z-slabs: each slab of output rows is computed from the
 * slab plus `halo` context rows above and below (the axes whose slices cross z see the slab's
 * neighbourhood as their slice; the z axis needs none). Input may be a lazy `VolumeSource`;
 * with `out` paths, results are written slab by slab and never held whole.
 *
 * @example
 * const { labels, confidence, stats } = await segment(image, { axes: 9, outputs: { confidence: true } });
 * await segment(await open('scan.h5'), { axes: 3, out: { labels: 'labels.nii.gz', confidence: 'conf.nii.gz' } });
 * // On a Slurm cluster, as an array job: segmentOnCluster in cluster/.
 */
import { availableParallelism } from 'os';

import { SegmentOptionError } from '../errors';
import { createWriter, type VolumeSource, type VolumeWriter } from '../io';
import { kernelRuntime, resolveSignal, throwIfInterrupted } from '../runtime';
import { progressBar } from '../display';
import { SegmentationModel, type Device, type ExecutionProvider, type Precision } from '../models';
import { SUN_AXES, Volume, type Shape3, type SunAxis } from '../volume';
import { InferenceRun, predictAxis, slicesFor } from './axis';
import { checkBatchSize, guardSegmentFiles, type ResolvedOptions, type SegmentFiles, type SegmentOutputs } from './options';
import { VoteAccumulator, type Voting } from './voting';

/** Figures of one run. */
export interface SegmentStats {
  model: string;
  modelVersion: string;
  provider: ExecutionProvider;
  /** Precision of the model file that ran. */
  precision: Precision;
  threads: number;
  axes: SunAxis[];
  voting: Voting;
  shape: [number, number, number];
  slabs: number;
  /** Slices predicted (over all axes and slabs). */
  slices: number;
  seconds: number;
  /** Time inside ONNX Runtime, summed over its sessions (two run at once by default, so it may exceed `seconds`). */
  inferenceSeconds: number;
  voxelsPerSecond: number;
  /** Model calls by input shape "n x h x w", for replaying the same work on bare ONNX Runtime. */
  calls: Record<string, number>;
  /** Pixels given to the model (padding included), summed over calls: divided by the voxels, the model's work per voxel. */
  modelPixels: number;
  /** Means over the volume of the maps that were computed. */
  meanConfidence?: number;
  meanMaxProbability?: number;
  meanAgreement?: number;
}

/** What `segment` returns in memory. */
export interface SegmentResult {
  labels: Volume<Uint8Array>;
  probabilities?: Volume<Uint8Array>[];
  confidence?: Volume<Float32Array>;
  maxProbability?: Volume<Float32Array>;
  agreement?: Volume<Float32Array>;
  stats: SegmentStats;
}

/** What `segment` returns when writing files. */
export interface SegmentFileResult {
  files: SegmentFiles;
  stats: SegmentStats;
}

/** Segments `input` with a SUN model; see segment.IOptions. */
export function segment(input: Volume | VolumeSource, options: segment.IOptions & { out: string | SegmentFiles }): Promise<SegmentFileResult>;
export function segment(input: Volume | VolumeSource, options?: segment.IOptions): Promise<SegmentResult>;
export async function segment(
  input: Volume | VolumeSource,
  options: segment.IOptions = {}
): Promise<SegmentResult | SegmentFileResult> {
  if (options.out !== undefined) await guardSegmentFiles(input, options.out);
  const started = performance.now();
  const shape = [...input.shape] as [number, number, number];
  const resolved = resolveSegmentOptions(options, shape);
  const signal = resolveSignal(options.signal);
  const model =
    options.model instanceof SegmentationModel
      ? options.model
      : await SegmentationModel.load(options.model ?? 'sun-implant', { device: options.device, threads: options.threads, precision: options.precision });
  checkBatchSize(resolved.batchSize, model.card.input.tile, model.classes);
  const slabs = Private.slabs(shape, resolved);
  const total = slabs.reduce((sum, s) => sum + resolved.axes.reduce((n, a) => n + slicesFor(s.subShape, a, s.r0, s.r1), 0), 0);
  const bar = options.progress ?? kernelRuntime() !== undefined ? progressBar({ total, label: `Segmenting (${resolved.axes.length} axes)` }) : undefined;
  let done = 0;
  const run = new InferenceRun({
    model,
    batchSize: resolved.batchSize,
    signal,
    windows: options.windows ?? true,
    onSlices: count => {
      done += count;
      bar?.update(done);
      options.onProgress?.(done, total);
    }
  });
  const sink = await Private.Sink.create(input, model.classes, resolved, signal);
  try {
    await Private.runSlabs(input, slabs, run, resolved, sink, signal);
    const seconds = (performance.now() - started) / 1000;
    const stats: SegmentStats = {
      model: model.card.name,
      modelVersion: model.card.version,
      provider: model.provider,
      precision: model.precision,
      threads: model.threads,
      axes: [...resolved.axes],
      voting: resolved.voting,
      shape,
      slabs: slabs.length,
      slices: total,
      seconds,
      inferenceSeconds: run.inferenceMs / 1000,
      voxelsPerSecond: (shape[0] * shape[1] * shape[2]) / seconds,
      calls: Object.fromEntries(run.calls),
      modelPixels: run.modelPixels,
      ...sink.means()
    };
    const result = await sink.finish(stats);
    bar?.done();
    return result;
  } catch (error) {
    bar?.done(signal.aborted ? 'interrupted' : 'failed');
    await sink.abort();
    throw error;
  }
}

/** Types of `segment`. */
export namespace segment {
  /** Options of `segment`. */
  export interface IOptions {
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
    /**
     * Which model file to run when `model` is a name (default 'auto': the variant its card names as default on the
     * provider, else float32; for sun-implant, see its card's `variants`). 'fp32', 'int8' or 'fp16' ask for that file.
     */
    precision?: Precision | 'auto';
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
    /**
     * Run the model only on the in-volume part of each batch of oblique slices (default true: about half the model
     * work of 9 axes on a cube); false runs it on whole slices, as before windows existed (the same probabilities
     * bit for bit), for comparisons.
     */
    windows?: boolean;
  }
}

/** Applies defaults and checks `options` for a volume of `shape`. */
export function resolveSegmentOptions(options: segment.IOptions, shape: Shape3): ResolvedOptions {
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

namespace Private {
  export function axes(value: unknown): readonly SunAxis[] {
    if (value === 1 || value === 3 || value === 9) return SUN_AXES.slice(0, value);
    if (Array.isArray(value) && value.length > 0 && value.length <= 255 && value.every(a => SUN_AXES.includes(a))) {
      if (new Set(value).size !== value.length) throw new SegmentOptionError('axes', 'lists an axis twice');
      return value as SunAxis[];
    }
    throw new SegmentOptionError('axes', `must be 1, 3, 9 or a list of ${SUN_AXES.join(', ')}; got ${JSON.stringify(value)}`);
  }

  /** One slab of output rows [z0, z1) computed from input rows [s0, s1); r0, r1 are the output rows within them. */
  export interface Slab {
    z0: number;
    z1: number;
    s0: number;
    s1: number;
    r0: number;
    r1: number;
    subShape: Shape3;
  }

  export function slabs(shape: Shape3, o: ResolvedOptions): Slab[] {
    const [nz, ny, nx] = shape;
    const out: Slab[] = [];
    for (let z0 = 0; z0 < nz; z0 += o.slabDepth) {
      const z1 = Math.min(nz, z0 + o.slabDepth);
      const s0 = Math.max(0, z0 - o.halo);
      const s1 = Math.min(nz, z1 + o.halo);
      out.push({ z0, z1, s0, s1, r0: z0 - s0, r1: z1 - s0, subShape: [s1 - s0, ny, nx] });
    }
    return out;
  }

  export async function runSlabs(input: Volume | VolumeSource, slabs: Slab[], run: InferenceRun, o: ResolvedOptions, sink: Sink, signal: AbortSignal): Promise<void> {
    const C = run.model.classes;
    const plane = input.shape[1] * input.shape[2];
    let votes: VoteAccumulator | undefined;
    for (const slab of slabs) {
      throwIfInterrupted(signal);
      const sub = input instanceof Volume ? input.slab(slab.s0, slab.s1) : await input.readSlab(slab.s0, slab.s1, { signal });
      checkFinite(sub, slab.r0 * plane, slab.r1 * plane, slab.z0);
      const voxels = (slab.z1 - slab.z0) * plane;
      if (!votes || votes.voxels !== voxels) votes = new VoteAccumulator({ voxels, classes: C });
      else votes.reset();
      // Soft voting without agreement needs only the sum: axes add straight into it, no per-axis copy.
      const direct = o.voting === 'soft' && !o.outputs.agreement;
      const axisProbs = direct ? votes.sum : run.buffer('axis-probs', C * voxels);
      for (const axis of o.axes) {
        if (direct) {
          await predictAxis(run, sub, axis, slab.r0, slab.r1, votes.sum);
          votes.countSummedAxis();
        } else {
          axisProbs.fill(0);
          await predictAxis(run, sub, axis, slab.r0, slab.r1, axisProbs);
          votes.add(axisProbs);
        }
      }
      await sink.write(slab.z0, votes);
    }
  }

  /** Throws SegmentOptionError if voxels [from, to) of a float volume hold NaN or infinity. */
  export function checkFinite(v: Volume, from: number, to: number, z0: number): void {
    const d = v.data;
    if (!(d instanceof Float32Array || d instanceof Float64Array)) return;
    let bad = 0;
    for (let i = from; i < to; i++) {
      const x = d[i];
      if (x - x !== 0) bad++; // NaN or ±Infinity
    }
    if (bad > 0) {
      throw new SegmentOptionError('input', `has ${bad} NaN or infinite voxels in slices from z = ${z0}; replace them first (e.g. read(path, { nonFinite: 'zero' }))`);
    }
  }

  /** Where fused slabs go: whole in-memory volumes, or file writers. */
  export class Sink {
    static async create(input: Volume | VolumeSource, classes: number, o: ResolvedOptions, signal: AbortSignal): Promise<Sink> {
      const sink = new Sink(input, classes, o, signal);
      if (o.files) {
        const header = { shape: input.shape, spacing: input.spacing, origin: input.origin };
        try {
          for (const key of ['labels', 'confidence', 'maxProbability', 'agreement'] as const) {
            const path = o.files[key];
            if (path) sink._writers.set(key, await createWriter(path, { ...header, dtype: key === 'labels' ? 'uint8' : 'float32' }, { signal }));
          }
        } catch (error) {
          await sink.abort();
          throw error;
        }
      }
      return sink;
    }

    private constructor(readonly input: Volume | VolumeSource, readonly classes: number, readonly o: ResolvedOptions, readonly signal: AbortSignal) {
      const size = input.shape[0] * input.shape[1] * input.shape[2];
      // In memory: whole outputs; with files: one slab at a time.
      const n = o.files ? Math.min(size, o.slabDepth * input.shape[1] * input.shape[2]) : size;
      this._labels = new Uint8Array(n);
      if (o.outputs.confidence) this._confidence = new Float32Array(n);
      if (o.outputs.maxProbability) this._maxProbability = new Float32Array(n);
      if (o.outputs.agreement) this._agreement = new Float32Array(n);
      if (o.outputs.probabilities) this._probabilities = Array.from({ length: classes }, () => new Uint8Array(n));
    }

    async write(z0: number, votes: VoteAccumulator): Promise<void> {
      const plane = this.input.shape[1] * this.input.shape[2];
      const V = votes.voxels;
      const at = this.o.files ? 0 : z0 * plane;
      const part = <A extends Float32Array | Uint8Array>(a: A | undefined) => a?.subarray(at, at + V) as A | undefined;
      const maps = {
        labels: part(this._labels)!,
        confidence: part(this._confidence),
        maxProbability: part(this._maxProbability),
        agreement: part(this._agreement)
      };
      votes.fuse({ voting: this.o.voting, ...maps, probabilities: this._probabilities?.map(p => p.subarray(at, at + V)) });
      for (const key of ['confidence', 'maxProbability', 'agreement'] as const) {
        const m = maps[key];
        if (m) this._sums[key] += sumOf(m);
      }
      const depth = V / plane;
      for (const [key, writer] of this._writers) {
        const data = maps[key as keyof typeof maps]!;
        const { spacing, origin } = this.input;
        const slab = new Volume({ data, shape: [depth, this.input.shape[1], this.input.shape[2]], spacing, origin: [origin[0] + z0 * spacing[0], origin[1], origin[2]] });
        await writer.writeSlab(z0, slab, { signal: this.signal });
      }
    }

    means(): Partial<SegmentStats> {
      const n = this.input.shape[0] * this.input.shape[1] * this.input.shape[2];
      return {
        meanConfidence: this._confidence ? this._sums.confidence / n : undefined,
        meanMaxProbability: this._maxProbability ? this._sums.maxProbability / n : undefined,
        meanAgreement: this._agreement ? this._sums.agreement / n : undefined
      };
    }

    async finish(stats: SegmentStats): Promise<SegmentResult | SegmentFileResult> {
      if (this.o.files) {
        for (const writer of this._writers.values()) await writer.commit();
        this._writers.clear();
        return { files: this.o.files, stats };
      }
      const { shape, spacing, origin } = this.input;
      const wrap = <A extends Float32Array | Uint8Array>(data: A) => new Volume<A>({ data, shape, spacing, origin });
      return {
        labels: wrap(this._labels),
        probabilities: this._probabilities?.map(wrap),
        confidence: this._confidence && wrap(this._confidence),
        maxProbability: this._maxProbability && wrap(this._maxProbability),
        agreement: this._agreement && wrap(this._agreement),
        stats
      };
    }

    async abort(): Promise<void> {
      for (const writer of this._writers.values()) await writer.abort().catch(() => undefined);
      this._writers.clear();
    }

    private readonly _writers = new Map<string, VolumeWriter>();
    private readonly _labels: Uint8Array;
    private readonly _confidence?: Float32Array;
    private readonly _maxProbability?: Float32Array;
    private readonly _agreement?: Float32Array;
    private readonly _probabilities?: Uint8Array[];
    private readonly _sums = { confidence: 0, maxProbability: 0, agreement: 0 };
  }

  function sumOf(a: Float32Array): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i];
    return s;
  }
}
