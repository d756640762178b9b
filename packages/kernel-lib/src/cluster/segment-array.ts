/**
 * Scale-out segmentation: the volume is cut into z-slabs; each task of a Slurm array job segments
 * its slab plus `halo` context rows and writes its rows into one Zarr store (chunks one slab deep,
 * so tasks never share a chunk); a dependent merge job checks the store and optionally writes the
 * labels in another format. The result equals the in-process `segment(source, { slabDepth, halo })`
 * voxel for voxel, because a task computes exactly what the in-process loop computes for that slab.
 *
 * @example
 * const run = await submitSegmentArray({ input: 'scan.nii.gz', out: 'labels.zarr', slabDepth: 64, axes: 9 });
 * await new SlurmClient().wait(run.mergeJobId);
 * const labels = await read('labels.zarr');
 * // or, from a notebook, waiting for the result (the options of segment(), plus the cluster's):
 * const { files, run } = await segmentOnCluster(await open('scan.nii.gz'), { out: 'labels.nii.gz', slabDepth: 64, tasks: 8 });
 */
import { promises as fs } from 'fs';
import { availableParallelism } from 'os';
import { join, resolve } from 'path';

import { InterruptedError, SegmentOptionError } from '../errors';
import type { VolumeSource } from '../io';
import type { SubmitOptions } from '../protocol';
import { resolveSignal } from '../runtime/interrupt';
import type { segment, SegmentFiles } from '../segment';
import type { Volume } from '../volume';
import { SlurmClient } from './client';
import { shellQuote } from './safety';

/** The segmentation settings every task uses (those of `segment`). */
export interface SegmentTaskSettings {
  /** Model name or folder (default sun-implant). */
  model?: string;
  axes?: 1 | 3 | 9;
  voting?: 'soft' | 'hard';
  /** Which model file each task runs (default 'auto': the card's default for the task's provider; see segment). */
  precision?: segment.IOptions['precision'];
  /** ONNX Runtime threads per task (default: the task's CPUs). */
  threads?: number;
  /** Output rows per task (default: the volume split into `tasks` slabs, at least 8 rows). */
  slabDepth?: number;
  /** Context rows above and below each slab (default 32, segment's default). */
  halo?: number;
}

/** A submitted array segmentation. */
export interface SegmentArrayRun {
  arrayJobId: string;
  mergeJobId: string;
  tasks: number;
  slabDepth: number;
  halo: number;
  out: string;
  /** The task and merge scripts, for resubmitting failed tasks alone (`resubmitSegmentTasks`). */
  taskScript: string;
  mergeScript: string;
  /** Slurm options of the tasks and of the merge job. */
  job: Omit<SubmitOptions, 'script'>;
  mergeJob: Omit<SubmitOptions, 'script'>;
}

/** Creates the Zarr store, submits the array job and the dependent merge job. */
export async function submitSegmentArray(options: submitSegmentArray.IOptions): Promise<SegmentArrayRun> {
  const client = options.client ?? new SlurmClient();
  const { createZarr, guardOutputs, open } = Private.io();
  const workdir = resolve(options.job?.workdir ?? process.cwd());
  const input = resolve(workdir, options.input);
  const out = resolve(workdir, options.out);
  await guardOutputs({ out, merge: options.merge && resolve(workdir, options.merge) }, { input });
  const source = await open(input);
  const { shape, spacing, origin } = source;
  await source.close();
  const tasks = Math.max(1, options.tasks ?? 4);
  const slabDepth = options.slabDepth ?? Math.max(8, Math.ceil(shape[0] / tasks));
  if (!Number.isInteger(slabDepth) || slabDepth < 1) {
    throw new SegmentOptionError('slabDepth', `must be a whole number > 0, not ${slabDepth}`);
  }
  const halo = options.halo ?? 32;
  const count = Math.ceil(shape[0] / slabDepth);
  await createZarr(out, { shape, dtype: 'uint8', spacing, origin }, { chunks: [slabDepth, shape[1], shape[2]] });
  const settings = { ...options, slabDepth, halo };
  const taskScript = Private.taskScript(input, out, settings);
  const job = { name: 'segment', ...options.job, workdir };
  // Logs beside the store unless the caller chose: <out>.logs/task-<array>_<task>.out, merge-<id>.out.
  const logs = `${out}.logs`;
  await fs.mkdir(logs, { recursive: true });
  const taskLogs = options.job?.output ? {} : { output: join(logs, 'task-%A_%a.out') };
  const mergeLogs = options.job?.output ? {} : { output: join(logs, 'merge-%j.out') };
  const array = await client.submit({ ...job, ...taskLogs, script: taskScript, array: `0-${count - 1}` });
  const mergeScript = Private.mergeScript(out, options.merge && resolve(workdir, options.merge));
  const merge = await client.submit({
    ...job,
    ...mergeLogs,
    name: `${job.name}-merge`,
    script: mergeScript,
    dependency: `afterok:${array.jobId}`
  });
  return {
    arrayJobId: array.jobId,
    mergeJobId: merge.jobId,
    tasks: count,
    slabDepth,
    halo,
    out,
    taskScript,
    mergeScript,
    job: { ...job, ...taskLogs },
    mergeJob: { ...job, ...mergeLogs, name: `${job.name}-merge` }
  };
}

/** Types of `submitSegmentArray`. */
export namespace submitSegmentArray {
  /** Options of `submitSegmentArray`. */
  export interface IOptions extends SegmentTaskSettings {
    /** The volume (any io/ format the compute nodes can read). */
    input: string;
    /** The Zarr store the tasks write into (must not exist). */
    out: string;
    /** Number of tasks when `slabDepth` is not given (default 4). */
    tasks?: number;
    /** Also write the merged labels here (.nii.gz, .tif, ...) in the merge job. */
    merge?: string;
    /** Slurm options of the tasks (cpus, mem, time, partition); name defaults to "segment". */
    job?: Omit<SubmitOptions, 'script' | 'array' | 'dependency'>;
    client?: SlurmClient;
  }
}

/** What `segmentOnCluster` returns. */
export interface SegmentClusterResult {
  files: SegmentFiles;
  /** The array and merge jobs (resubmit failed tasks with `resubmitSegmentTasks(run, [i])`). */
  run: SegmentArrayRun;
  /** Wall time from submission to the merged result, queueing included. */
  seconds: number;
}

/**
 * `segment(source, { out })` as a Slurm array job, one z-slab per task, for a volume opened from a file: submits
 * the array and merge jobs, waits for them (an interrupt cancels both), and returns the files and the run. The
 * labels equal the in-process ones with the same `slabDepth` and `halo`. Only what the tasks compute can be asked
 * for: labels, model by name, 1, 3 or 9 axes.
 */
export async function segmentOnCluster(input: Volume | VolumeSource, options: segmentOnCluster.IOptions): Promise<SegmentClusterResult> {
  // Guarded as segment() guards its files, before anything is submitted.
  if (options.out !== undefined) await Private.segmentation().guardSegmentFiles(input, options.out);
  const refuse = (option: string, reason: string) => new SegmentOptionError(option, `${reason} when segmenting on the cluster`);
  const path = 'readSlab' in input ? input.path : undefined;
  if (!path || path.startsWith('<')) {
    throw refuse('input', 'must be a volume opened from a file the compute nodes can read (await open(path))');
  }
  const files = typeof options.out === 'string' ? { labels: options.out } : options.out;
  if (!files?.labels) {
    throw refuse('out', 'needs the labels file');
  }
  const extra = Object.keys(files).filter(key => key !== 'labels');
  if (extra.length > 0 || Object.values(options.outputs ?? {}).some(Boolean)) {
    throw refuse('outputs', `cannot hold ${[...extra, ...Object.keys(options.outputs ?? {})].join(', ')} (the tasks write labels only)`);
  }
  if (options.model !== undefined && typeof options.model !== 'string') {
    throw refuse('model', 'must be a model name or folder, not a loaded model');
  }
  const axes = options.axes ?? 9;
  if (axes !== 1 && axes !== 3 && axes !== 9) {
    throw refuse('axes', 'must be 1, 3 or 9');
  }
  const { tasks, job, client = new SlurmClient() } = options;
  const labels = files.labels;
  const store = options.store ?? (labels.replace(/\/+$/, '').endsWith('.zarr') ? labels : `${labels}.zarr`);
  const signal = resolveSignal(options.signal);
  const started = Date.now();
  const run = await submitSegmentArray({
    input: resolve(path),
    out: store,
    merge: store === labels ? undefined : labels,
    model: options.model,
    axes,
    voting: options.voting,
    precision: options.precision,
    threads: options.threads,
    slabDepth: options.slabDepth,
    halo: options.halo,
    tasks,
    job,
    client
  });
  try {
    await client.wait(run.arrayJobId, { signal });
    await client.wait(run.mergeJobId, { signal });
  } catch (error) {
    if (error instanceof InterruptedError) {
      await client.cancel(run.arrayJobId).catch(() => undefined);
      await client.cancel(run.mergeJobId).catch(() => undefined);
    }
    throw error;
  }
  return { files: { labels }, run, seconds: (Date.now() - started) / 1000 };
}

/** Types of `segmentOnCluster`. */
export namespace segmentOnCluster {
  /** The options of `segment` (with `out`), and how the array job runs. */
  export interface IOptions extends segment.IOptions {
    /** The labels file (the tasks write labels only). */
    out: string | SegmentFiles;
    /** Number of tasks when `slabDepth` is not given (default 4). */
    tasks?: number;
    /** The Zarr store the tasks write into (default: `out` if it ends in .zarr, else `<out>.zarr`). */
    store?: string;
    /** Slurm options of the tasks (cpus, mem, time, partition, workdir, ...). */
    job?: Omit<SubmitOptions, 'script' | 'array' | 'dependency'>;
    /** The cluster (default: a SlurmClient on PATH and SLURM_CONF). */
    client?: SlurmClient;
  }
}

/**
 * Submits the given tasks of a run again (those that failed; the others' slabs are already written),
 * with a new merge job after them (the old one can never run: its dependency failed, so it is cancelled).
 */
export async function resubmitSegmentTasks(
  run: SegmentArrayRun,
  tasks: number[],
  client = new SlurmClient()
): Promise<SegmentArrayRun> {
  const list = tasks.filter(t => Number.isInteger(t) && t >= 0 && t < run.tasks);
  if (list.length === 0 || list.length !== tasks.length) {
    throw new SegmentOptionError('tasks', `must name tasks between 0 and ${run.tasks - 1}, not ${tasks.join(',')}`);
  }
  await client.cancel(run.mergeJobId).catch(() => undefined);
  const array = await client.submit({ ...run.job, script: run.taskScript, array: list.join(',') });
  const merge = await client.submit({ ...run.mergeJob, script: run.mergeScript, dependency: `afterok:${array.jobId}` });
  return { ...run, arrayJobId: array.jobId, mergeJobId: merge.jobId };
}

/**
 * What task `task` of an array segmentation runs: segment rows [task·D, task·D + D) of `input`
 * from rows widened by `halo` on both sides, and write them into the Zarr store `out`.
 */
export async function runSegmentTask(input: string, out: string, task: number, settings: SegmentTaskSettings): Promise<{ z0: number; z1: number }> {
  const { open, openZarrWriter } = Private.io();
  const { segment } = Private.segmentation();
  const source = await open(input);
  try {
    const nz = source.shape[0];
    const depth = settings.slabDepth ?? nz;
    const halo = settings.halo ?? 32;
    const z0 = task * depth;
    if (!Number.isInteger(task) || task < 0 || z0 >= nz) {
      throw new SegmentOptionError('task', `${task} is outside the ${Math.ceil(nz / depth)} slabs of ${depth} rows`);
    }
    const z1 = Math.min(nz, z0 + depth);
    const s0 = Math.max(0, z0 - halo);
    const s1 = Math.min(nz, z1 + halo);
    const sub = await source.readSlab(s0, s1);
    // One slab, no halo: exactly the computation the in-process loop makes for this slab.
    const result = await segment(sub, {
      model: settings.model,
      axes: settings.axes,
      voting: settings.voting,
      precision: settings.precision,
      // At most the cores of this task's allocation (Slurm's cpuset), whatever the submitter asked for.
      threads: settings.threads && Math.min(settings.threads, availableParallelism()),
      slabDepth: s1 - s0,
      halo: 0,
      progress: false
    });
    const writer = await openZarrWriter(out);
    await writer.writeSlab(z0, result.labels.slab(z0 - s0, z1 - s0));
    return { z0, z1 };
  } finally {
    await source.close();
  }
}

/** What the merge job runs: reads the whole store (every slab must be there) and optionally writes it as `merge`. */
export async function mergeSegmentArray(out: string, merge?: string): Promise<{ shape: number[]; merged?: string }> {
  const { read, write } = Private.io();
  const labels = await read(out);
  if (merge) {
    await write(merge, labels);
  }
  return { shape: [...labels.shape], merged: merge };
}

namespace Private {
  /** io/, loaded on first use: `mdlma slurm list` loads cluster/ and need not load the volume formats. */
  export const io = () => require('../io') as typeof import('../io');

  /** segment/, loaded on first use, like io/: it brings the models and ONNX Runtime. */
  export const segmentation = () => require('../segment') as typeof import('../segment');

  /** `node <mdlma> slurm` as shell words: what the array and merge jobs run. */
  function command(): string {
    return `${shellQuote(process.execPath)} ${shellQuote(resolve(__dirname, '..', 'cli', 'mdlma.js'))} slurm`;
  }

  /** The array task's script: the task index comes from Slurm. */
  export function taskScript(input: string, out: string, s: SegmentTaskSettings): string {
    const flags = [
      `--slab-depth ${s.slabDepth}`,
      `--halo ${s.halo}`,
      s.model ? `--model ${shellQuote(s.model)}` : '',
      s.axes ? `--axes ${s.axes}` : '',
      s.voting ? `--voting ${shellQuote(s.voting)}` : '',
      s.precision ? `--precision ${shellQuote(s.precision)}` : '',
      `--threads ${s.threads ?? '"${SLURM_CPUS_PER_TASK:-1}"'}`
    ].filter(Boolean);
    return [
      '#!/bin/bash',
      '# MDLMA Lab: array segmentation, one slab per task',
      'set -euo pipefail',
      `${command()} segment-task ${shellQuote(input)} --out ${shellQuote(out)} --task "$SLURM_ARRAY_TASK_ID" ${flags.join(' ')}`,
      ''
    ].join('\n');
  }

  /** The merge job's script. */
  export function mergeScript(out: string, merge: string | undefined): string {
    return [
      '#!/bin/bash',
      '# MDLMA Lab: array segmentation, merge',
      'set -euo pipefail',
      `${command()} segment-merge ${shellQuote(out)}${merge ? ` --merge ${shellQuote(merge)}` : ''}`,
      ''
    ].join('\n');
  }
}
