/**
 * The speed part of `npm run bench -- segment`, on a 256^3 phantom (seed 1005) whose truth labels are known:
 * - the pipeline as users run it (in-volume windows, two single-threaded sessions in worker threads) for 1, 3 and 9
 *   axes, at 2 threads and at 1, in float32 and, at 2 threads, in int8 (the card's CPU variant), against bare ONNX
 *   Runtime replaying the same model calls on the same sessions (two in flight), and on one session of 2 threads on
 *   the main thread, one call at a time (the bare figure before session threads);
 * - two A/B rows at 9 axes, 2 threads, float32: the model on one 2-thread session on the main thread (sessionThreads
 *   0: the pipeline before session threads), and ONNX Runtime's memory pattern on (MDLMA_ORT_MEM_PATTERN=1);
 * - the whole-slice pipeline (`windows: false`: the pipeline before windows, the same probabilities bit for bit), 9 axes;
 * - the pipeline as it was before the speed work (commit BEFORE_SPEED_WORK, built in a git worktree: whole slices and
 *   its own session settings), 9 axes, 2 threads;
 * - a plain Python pipeline of the same model (bench/peers/sun_pipeline.py: numpy, scipy's affine_transform,
 *   onnxruntime 1.30, whole slices, batches of 8), 9 axes, 2 threads;
 * and the 9-axis labels of all of them compared with each other and with the truth.
 *
 * Each pipeline run is its own child process (`speedChild`, `beforeChild`), so its peak RSS is its own.
 * Env: MDLMA_BENCH_BEFORE (default BEFORE_SPEED_WORK): the commit to build and run as "before".
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { read, write } from '../io';
import { segmentationMetrics } from '../metrics';
import { onnxRuntime, ortFloat32, SegmentationModel, type Precision } from '../models';
import { segment } from '../segment';
import { Volume } from '../volume';
import { notRun, REPOSITORY_ROOT, type NotRun } from './results';

/** The last commit before issue #23's work on speed (windows, session settings, variants). */
export const BEFORE_SPEED_WORK = '87677e9';

/** Runs a child of bench/segment.ts: `kind` and its arguments; its JSON result. */
export type ChildRunner = (kind: string, ...args: string[]) => any;

/** A setting a pipeline run differs in from the default: none, one session on the main thread, the memory pattern on. */
export type SpeedVariant = '' | 'main-thread session' | 'memory pattern';

/** One timed pipeline run. */
export interface SpeedCase {
  axes: 1 | 3 | 9;
  threads: number;
  /** Session threads that ran the model (0: the main thread's session). */
  sessionThreads: number;
  variant: SpeedVariant;
  /** In-volume windows (true) or whole slices. */
  windows: boolean;
  /** Precision of the model file that ran. */
  precision: Precision;
  seconds: number;
  inferenceSeconds: number;
  /** Bare ONNX Runtime on the same calls and the same sessions, two in flight (2-thread runs with windows only). */
  bareSeconds?: number;
  /** Bare ONNX Runtime on the same calls on one 2-thread session on the main thread, one at a time. */
  bareOneSessionSeconds?: number;
  voxelsPerSecond: number;
  modelPixelsPerVoxel: number;
  modelCalls: number;
  distinctInputShapes: number;
  peakRssMB: number;
}

/** The run of the commit before the speed work. */
export interface BeforeCase {
  commit: string;
  axes: 9;
  threads: number;
  seconds: number;
  inferenceSeconds: number;
  voxelsPerSecond: number;
  peakRssMB: number;
}

/** Runs every speed case and compares the labels; `dir` holds image.raw and truth.raw. */
export async function measureSpeed(dir: string, child: ChildRunner) {
  const image = join(dir, 'image.raw');
  const cases: SpeedCase[] = [];
  for (const [threads, windows, axes, precision, variant] of Private.PLAN) {
    const labels = axes === 9 && threads === 2 && !variant ? join(dir, `labels-${Private.label(windows, precision)}.raw`) : '';
    const c: SpeedCase = child('speed', image, String(threads), String(windows), String(axes), labels, precision, variant ?? '');
    console.log(
      `  ${axes} axes, ${threads} thread(s), ${windows ? 'windows' : 'whole slices'}, ${c.precision}${variant ? `, ${variant}` : ''}: ${c.seconds.toFixed(1)} s` +
        (c.bareSeconds ? `, bare ${c.bareSeconds.toFixed(1)} s (one session: ${c.bareOneSessionSeconds!.toFixed(1)} s)` : '')
    );
    cases.push(c);
  }
  const before = Private.before(dir, join(dir, 'labels-before.raw'), child);
  const peer = Private.peer(image, join(dir, 'labels-peer.raw'), 2);
  const truth = await read(join(dir, 'truth.raw'));
  const runs: Record<string, Volume> = {};
  for (const name of ['windows fp32', 'windows int8', 'whole fp32', 'before', 'peer']) {
    const path = join(dir, `labels-${name.replace(' ', '-')}.raw`);
    if (existsSync(path)) runs[name] = await read(path);
  }
  const dice = (v: Volume) => segmentationMetrics(v, truth, { surface: false }).classes.map(c => c.dice);
  const reference = runs['whole fp32'];
  return {
    shape: truth.shape,
    cases,
    before,
    peer,
    labels: {
      diceVsTruth: Object.fromEntries(Object.entries(runs).map(([name, v]) => [name, dice(v)])),
      /** Fraction of voxels with the whole-slice float32 pipeline's label. */
      sameAsWholeFp32: Object.fromEntries(Object.entries(runs).map(([name, v]) => [name, Private.agreement(v, reference)]))
    }
  };
}

/** A speed child: one pipeline run; writes its labels to `labelsPath` when given. */
export async function speedChild(imagePath: string, threads: string, windows: string, axes: string, labelsPath: string, precision: string, variant = ''): Promise<SpeedCase> {
  if (variant === 'memory pattern') process.env.MDLMA_ORT_MEM_PATTERN = '1';
  const sessionThreads = variant === 'main-thread session' ? 0 : undefined;
  const model = await SegmentationModel.load('sun-implant', { threads: Number(threads), precision: precision as Precision, sessionThreads });
  const image = await read(imagePath);
  // Warm-up: the first call of each session plans it.
  await Private.bareOneSession(model, { '8x256x256': 1 });
  await Private.bare(model, { '8x256x256': 2 });
  const r = await segment(image, { model, axes: Number(axes) as 1 | 3 | 9, windows: windows === 'true', progress: false });
  if (labelsPath) await write(labelsPath, r.labels);
  const bare = windows === 'true' && model.threads === 2 && !variant;
  return {
    axes: Number(axes) as 1 | 3 | 9,
    threads: model.threads,
    sessionThreads: model.sessionThreads,
    variant: variant as SpeedVariant,
    windows: windows === 'true',
    precision: model.precision,
    seconds: r.stats.seconds,
    inferenceSeconds: r.stats.inferenceSeconds,
    bareSeconds: bare ? await Private.bare(model, r.stats.calls) : undefined,
    bareOneSessionSeconds: bare ? await Private.bareOneSession(model, r.stats.calls) : undefined,
    voxelsPerSecond: r.stats.voxelsPerSecond,
    modelPixelsPerVoxel: r.stats.modelPixels / image.size,
    modelCalls: Object.values(r.stats.calls).reduce((a, b) => a + b, 0),
    distinctInputShapes: Object.keys(r.stats.calls).length,
    peakRssMB: process.resourceUsage().maxRSS / 1024
  };
}

/** The "before" child: the library built from the commit before the speed work segments the image, 9 axes, 2 threads. */
export async function beforeChild(libPath: string, commit: string, imagePath: string, labelsPath: string): Promise<BeforeCase> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const lib = require(libPath);
  const image = await lib.read(imagePath);
  const model = await lib.SegmentationModel.load('sun-implant', { threads: 2 });
  await lib.segment(image.slab(0, 16), { model, axes: 1, progress: false }); // warm-up: the first calls plan the session
  const r = await lib.segment(image, { model, axes: 9, progress: false });
  await lib.write(labelsPath, r.labels);
  return { commit, axes: 9, threads: model.threads, seconds: r.stats.seconds, inferenceSeconds: r.stats.inferenceSeconds, voxelsPerSecond: r.stats.voxelsPerSecond, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

/** The markdown section of the speed part. */
export function speedMarkdown(s: Awaited<ReturnType<typeof measureSpeed>>): string[] {
  const f = (x: number | undefined, d = 3) => (x === undefined ? '-' : x.toFixed(d));
  const find = (threads: number, windows: boolean, axes: number, precision: Precision) =>
    s.cases.find(c => c.threads === threads && c.windows === windows && c.axes === axes && c.precision === precision && !c.variant);
  const [win, whole, int8] = [find(2, true, 9, 'fp32')!, find(2, false, 9, 'fp32')!, find(2, true, 9, 'int8')];
  const voxels = s.shape[0] * s.shape[1] * s.shape[2];
  const projectedHours = (seconds: number) => (seconds * (1024 ** 3 / voxels)) / 3600;
  const before = 'notRun' in s.before ? undefined : s.before;
  const lines = [
    `## Speed: ${s.shape.join('x')} phantom, CPU`,
    '',
    '| axes | threads | slices | precision | sessions | pipeline s | bare, same sessions s | ratio | bare, one session s | ratio | Mvoxel/s | model pixels per voxel | input shapes | 1024^3 projected, h |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...s.cases.map(
      c =>
        `| ${c.axes} | ${c.threads} | ${c.windows ? 'windows' : 'whole'} | ${c.precision} | ${Private.sessions(c)} | ${f(c.seconds, 1)} | ` +
        `${f(c.bareSeconds, 1)} | ${c.bareSeconds ? f(c.seconds / c.bareSeconds) : '-'} | ${f(c.bareOneSessionSeconds, 1)} | ${c.bareOneSessionSeconds ? f(c.seconds / c.bareOneSessionSeconds) : '-'} | ` +
        `${f(c.voxelsPerSecond / 1e6)} | ${f(c.modelPixelsPerVoxel, 2)} | ${c.distinctInputShapes} | ${f(projectedHours(c.seconds), 2)} |`
    ),
    ...(before
      ? [`| 9 | ${before.threads} | before (${before.commit}) | fp32 | 1 on the main thread | ${f(before.seconds, 1)} | - | - | - | - | ${f(before.voxelsPerSecond / 1e6)} | ${f(whole.modelPixelsPerVoxel, 2)} | - | ${f(projectedHours(before.seconds), 2)} |`]
      : []),
    '',
    'Sessions: ONNX Runtime sessions that ran the model and their intra-op threads. Bare, same sessions: the calls the pipeline made, replayed ' +
      'on its sessions with two in flight and nothing else to do; bare, one session: replayed one at a time on one 2-thread session on the main ' +
      'thread (how bare ONNX Runtime was measured before session threads). Threads: ONNX Runtime\'s intra-op threads; the pipeline\'s own ' +
      'thread (cutting, normalising, back-projecting) comes on top, and with session threads it works while the model runs.',
    '',
    ...Private.abRows(s.cases, win),
    `Windows against whole slices, 9 axes, 2 threads, float32: model pixels per voxel ${f(whole.modelPixelsPerVoxel, 2)} -> ${f(win.modelPixelsPerVoxel, 2)} ` +
      `(${f(100 * (1 - win.modelPixelsPerVoxel / whole.modelPixelsPerVoxel), 1)} % fewer); wall time ${f(whole.seconds, 1)} -> ${f(win.seconds, 1)} s (x${f(win.seconds / whole.seconds)}).`,
    '',
    before
      ? `Against the pipeline before the speed work (${before.commit}, built and run in this bench), 9 axes, 2 threads: ${f(before.seconds, 1)} s -> ` +
        `${f(win.seconds, 1)} s in float32 (x${f(win.seconds / before.seconds)})` +
        (int8 ? `, ${f(int8.seconds, 1)} s in int8 (x${f(int8.seconds / before.seconds)})` : '') + '.'
      : `Before the speed work: ${(s.before as NotRun).notRun}`,
    '',
    '| 9-axis labels, 2 threads | Dice vs truth: ' + ['background', 'bone', 'DL', 'RM'].join(' | ') + ' | same label as whole fp32 |',
    '|---|---|---|---|---|---|',
    ...Object.entries(s.labels.diceVsTruth).map(([name, d]) => `| ${name} | ${d.map(x => f(x, 4)).join(' | ')} | ${f(100 * s.labels.sameAsWholeFp32[name], 3)} % |`),
    ''
  ];
  if ('notRun' in s.peer) lines.push(`Python peer: ${s.peer.notRun}`, '');
  else {
    lines.push(
      `Python peer (bench/peers/sun_pipeline.py; numpy ${s.peer.numpy}, scipy ${s.peer.scipy}, onnxruntime ${s.peer.onnxruntime}; whole slices, batches of 8, float32), ` +
        `9 axes, ${s.peer.threads} threads: ${f(s.peer.seconds, 1)} s (${f(s.peer.inference_seconds, 1)} s in ONNX Runtime). ` +
        `Ours with windows / peer: x${f(win.seconds / s.peer.seconds)} in float32` +
        (int8 ? `, x${f(int8.seconds / s.peer.seconds)} in int8` : '') +
        `; whole slices / peer: x${f(whole.seconds / s.peer.seconds)}.`,
      ''
    );
  }
  return lines;
}

namespace Private {
  /** [threads, windows, axes, precision, variant] of every pipeline run, in order. */
  export const PLAN: [number, boolean, 1 | 3 | 9, Precision, SpeedVariant?][] = [
    [2, true, 1, 'fp32'],
    [2, true, 3, 'fp32'],
    [2, true, 9, 'fp32'],
    [2, true, 9, 'fp32', 'main-thread session'],
    [2, true, 9, 'fp32', 'memory pattern'],
    [2, false, 9, 'fp32'],
    [2, true, 1, 'int8'],
    [2, true, 3, 'int8'],
    [2, true, 9, 'int8'],
    [1, true, 1, 'fp32'],
    [1, true, 3, 'fp32'],
    [1, true, 9, 'fp32']
  ];

  /** The sessions column of a case: how many, where, with how many intra-op threads each. */
  export function sessions(c: SpeedCase): string {
    const memory = c.variant === 'memory pattern' ? ', memory pattern' : '';
    const threads = (k: number) => `${k} intra-op thread${k > 1 ? 's' : ''}`;
    if (c.sessionThreads === 0) return `1 on the main thread, ${threads(c.threads)}${memory}`;
    const each = Math.floor(c.threads / c.sessionThreads);
    return c.sessionThreads === 1 ? `1 in a worker thread, ${threads(each)}${memory}` : `${c.sessionThreads} in worker threads, ${threads(each)} each${memory}`;
  }

  /** The A/B lines: each variant against the default run of its shape. */
  export function abRows(cases: SpeedCase[], reference: SpeedCase): string[] {
    const lines = cases
      .filter(c => c.variant)
      .map(c => `- ${c.variant}: ${c.seconds.toFixed(1)} s against ${reference.seconds.toFixed(1)} s with the default (x${(reference.seconds / c.seconds).toFixed(3)} for the default).`);
    return lines.length ? ['A/B at 9 axes, 2 threads, float32, windows:', '', ...lines, ''] : [];
  }

  /** The name of a 2-thread 9-axis run's labels. */
  export function label(windows: boolean, precision: Precision): string {
    return `${windows ? 'windows' : 'whole'}-${precision}`;
  }

  /**
   * Builds the library of the commit before the speed work in a git worktree (node_modules linked from here) and
   * runs it in a child; its result, or why it did not run.
   */
  export function before(dir: string, labels: string, child: ChildRunner): BeforeCase | NotRun {
    const commit = process.env.MDLMA_BENCH_BEFORE ?? BEFORE_SPEED_WORK;
    const tree = mkdtempSync(join(tmpdir(), 'mdlma-bench-before-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', REPOSITORY_ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      git('worktree', 'add', '--detach', '--force', join(tree, 'repo'), commit);
      const repo = join(tree, 'repo');
      symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(repo, 'node_modules'));
      // The compiler the workspace builds with (node_modules/.bin/tsc, what `npm run build` calls).
      execFileSync(join(REPOSITORY_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(repo, 'packages', 'kernel-lib', 'tsconfig.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
      const result: BeforeCase = child('before', join(repo, 'packages', 'kernel-lib', 'lib'), git('rev-parse', '--short=12', commit).trim(), join(dir, 'image.raw'), labels);
      console.log(`  9 axes, 2 threads, before the speed work (${result.commit}): ${result.seconds.toFixed(1)} s`);
      return result;
    } catch (error) {
      return notRun(`the run of ${commit} failed: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      try {
        git('worktree', 'remove', '--force', join(tree, 'repo'));
      } catch {
        // a worktree that was never added
      }
      rmSync(tree, { recursive: true, force: true });
    }
  }

  /** Fraction of voxels with the same label. */
  export function agreement(a: Volume, b: Volume): number {
    let same = 0;
    for (let p = 0; p < a.size; p++) same += Number(a.data[p] === b.data[p]);
    return same / a.size;
  }

  /**
   * Replays `calls` (shape -> count) through the model's session threads with two calls in flight, as the pipeline
   * keeps them, and nothing else to do; wall seconds.
   */
  export async function bare(model: SegmentationModel, calls: Record<string, number>): Promise<number> {
    const t0 = performance.now();
    for (const [key, count] of Object.entries(calls)) {
      const [n, h, w] = key.split('x').map(Number);
      const data = Float32Array.from({ length: n * h * w }, (_, i) => ((i * 2654435761) % 1000) / 1000);
      let inFlight: Promise<unknown> | undefined;
      for (let i = 0; i < count; i++) {
        const next = model.predictTimed(data, [n, h, w]);
        if (inFlight) await inFlight;
        inFlight = next;
      }
      await inFlight;
    }
    return (performance.now() - t0) / 1000;
  }

  /** Replays `calls` (shape -> count) on the model's main-thread session (2 threads), one at a time; seconds in ONNX Runtime. */
  export async function bareOneSession(model: SegmentationModel, calls: Record<string, number>): Promise<number> {
    const ort = onnxRuntime();
    let ms = 0;
    for (const [key, count] of Object.entries(calls)) {
      const [n, h, w] = key.split('x').map(Number);
      const data = ortFloat32(Float32Array.from({ length: n * h * w }, (_, i) => ((i * 2654435761) % 1000) / 1000));
      const feeds = { [model.card.input.name]: new ort.Tensor('float32', data, [n, 1, h, w]) };
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await model.session.run(feeds, [model.card.outputs.probs]);
        ms += performance.now() - t0;
      }
    }
    return ms / 1000;
  }

  /** Runs the Python peer (its virtualenv made by peers/environment.sh when missing); its JSON line, or why not. */
  export function peer(image: string, labels: string, threads: number): Record<string, any> | NotRun {
    const peers = join(REPOSITORY_ROOT, 'packages', 'kernel-lib', 'src', 'bench', 'peers');
    try {
      const python = execFileSync('bash', ['-c', `source "${peers}/environment.sh" >&2 && printf %s "$bench_python"`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const args = [join(peers, 'sun_pipeline.py'), '--model', join(REPOSITORY_ROOT, 'models', 'sun-implant'), '--input', image, '--axes', '9', '--threads', String(threads), '--batch', '8', '--out', labels, '--json'];
      const out = execFileSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
      return JSON.parse(out.trim().split('\n').pop()!);
    } catch (error) {
      return notRun(`the Python peer failed: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}
