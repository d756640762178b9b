/**
 * The speed part of `npm run bench -- segment`, on a 256^3 phantom (seed 1005) whose truth labels are known:
 * - the pipeline as users run it (in-volume windows, the default) for 1, 3 and 9 axes, at 2 threads and at 1, against
 *   bare ONNX Runtime replaying the same model calls with the same session (2 threads);
 * - the whole-slice pipeline (`windows: false`: the pipeline before windows, the same probabilities bit for bit), 9 axes;
 * - a plain Python pipeline of the same model (bench/peers/sun_pipeline.py: numpy, scipy's affine_transform,
 *   onnxruntime 1.30, whole slices, batches of 8), 9 axes, 2 threads;
 * and the 9-axis labels of the three compared with each other and with the truth.
 *
 * Each pipeline run is its own child process (`speedChild`), so its peak RSS is its own.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';

import { read, write } from '../io';
import { segmentationMetrics } from '../metrics';
import { onnxRuntime, ortFloat32, SegmentationModel } from '../models';
import { segment } from '../segment';
import { Volume } from '../volume';
import { notRun, REPOSITORY_ROOT, type NotRun } from './results';

/** Runs a child of bench/segment.ts: `kind` and its arguments; its JSON result. */
export type ChildRunner = (kind: string, ...args: string[]) => any;

/** One timed pipeline run. */
export interface SpeedCase {
  axes: 1 | 3 | 9;
  threads: number;
  /** In-volume windows (true) or whole slices. */
  windows: boolean;
  seconds: number;
  inferenceSeconds: number;
  /** Bare ONNX Runtime on the same calls (2-thread runs with windows only). */
  bareSeconds?: number;
  voxelsPerSecond: number;
  modelPixelsPerVoxel: number;
  modelCalls: number;
  distinctInputShapes: number;
  peakRssMB: number;
}

/** Runs every speed case and compares the labels; `dir` holds image.raw and truth.raw. */
export async function measureSpeed(dir: string, child: ChildRunner) {
  const image = join(dir, 'image.raw');
  const cases: SpeedCase[] = [];
  for (const [threads, windows, axes] of Private.PLAN) {
    const labels = axes === 9 ? join(dir, `labels-${windows ? 'windows' : 'whole'}-${threads}.raw`) : '';
    const c: SpeedCase = child('speed', image, String(threads), String(windows), String(axes), labels);
    console.log(`  ${axes} axes, ${threads} thread(s), ${windows ? 'windows' : 'whole slices'}: ${c.seconds.toFixed(1)} s` + (c.bareSeconds ? `, bare ${c.bareSeconds.toFixed(1)} s` : ''));
    cases.push(c);
  }
  const peer = Private.peer(image, join(dir, 'labels-peer.raw'), 2);
  const truth = await read(join(dir, 'truth.raw'));
  const windows = await read(join(dir, 'labels-windows-2.raw'));
  const whole = await read(join(dir, 'labels-whole-2.raw'));
  const peerLabels = 'notRun' in peer ? undefined : await read(join(dir, 'labels-peer.raw'));
  const dice = (v: Volume) => segmentationMetrics(v, truth, { surface: false }).classes.map(c => c.dice);
  return {
    shape: truth.shape,
    cases,
    peer,
    labels: {
      diceVsTruth: { windows: dice(windows), whole: dice(whole), ...(peerLabels ? { peer: dice(peerLabels) } : {}) },
      sameLabels: {
        windowsVsWhole: Private.agreement(windows, whole),
        ...(peerLabels ? { peerVsWhole: Private.agreement(peerLabels, whole), peerVsWindows: Private.agreement(peerLabels, windows) } : {})
      }
    }
  };
}

/** A speed child: one pipeline run; writes its labels to `labelsPath` when given. */
export async function speedChild(imagePath: string, threads: string, windows: string, axes: string, labelsPath: string): Promise<SpeedCase> {
  const model = await SegmentationModel.load('sun-implant', { threads: Number(threads) });
  const image = await read(imagePath);
  await Private.bare(model, { '8x256x256': 1 }); // warm-up: the first call plans the session
  const r = await segment(image, { model, axes: Number(axes) as 1 | 3 | 9, windows: windows === 'true', progress: false });
  if (labelsPath) await write(labelsPath, r.labels);
  const bareSeconds = windows === 'true' && model.threads === 2 ? await Private.bare(model, r.stats.calls) : undefined;
  return {
    axes: Number(axes) as 1 | 3 | 9,
    threads: model.threads,
    windows: windows === 'true',
    seconds: r.stats.seconds,
    inferenceSeconds: r.stats.inferenceSeconds,
    bareSeconds,
    voxelsPerSecond: r.stats.voxelsPerSecond,
    modelPixelsPerVoxel: r.stats.modelPixels / image.size,
    modelCalls: Object.values(r.stats.calls).reduce((a, b) => a + b, 0),
    distinctInputShapes: Object.keys(r.stats.calls).length,
    peakRssMB: process.resourceUsage().maxRSS / 1024
  };
}

/** The markdown section of the speed part. */
export function speedMarkdown(s: Awaited<ReturnType<typeof measureSpeed>>): string[] {
  const f = (x: number | undefined, d = 3) => (x === undefined ? '-' : x.toFixed(d));
  const find = (threads: number, windows: boolean, axes: number) => s.cases.find(c => c.threads === threads && c.windows === windows && c.axes === axes)!;
  const [win, whole] = [find(2, true, 9), find(2, false, 9)];
  const voxels = s.shape[0] * s.shape[1] * s.shape[2];
  const projectedHours = (c: SpeedCase) => (c.seconds * (1024 ** 3 / voxels)) / 3600;
  const lines = [
    `## Speed: ${s.shape.join('x')} phantom, CPU`,
    '',
    '| axes | threads | slices | pipeline s | bare ONNX Runtime s | ratio | Mvoxel/s | model pixels per voxel | input shapes | 1024^3 projected, h |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...s.cases.map(
      c =>
        `| ${c.axes} | ${c.threads} | ${c.windows ? 'windows' : 'whole'} | ${f(c.seconds, 1)} | ${f(c.bareSeconds, 1)} | ${c.bareSeconds ? f(c.seconds / c.bareSeconds) : '-'} | ` +
        `${f(c.voxelsPerSecond / 1e6)} | ${f(c.modelPixelsPerVoxel, 2)} | ${c.distinctInputShapes} | ${f(projectedHours(c), 2)} |`
    ),
    '',
    `Windows against whole slices, 9 axes, 2 threads: model pixels per voxel ${f(whole.modelPixelsPerVoxel, 2)} -> ${f(win.modelPixelsPerVoxel, 2)} ` +
      `(${f(100 * (1 - win.modelPixelsPerVoxel / whole.modelPixelsPerVoxel), 1)} % fewer); wall time ${f(whole.seconds, 1)} -> ${f(win.seconds, 1)} s ` +
      `(x${f(win.seconds / whole.seconds)}); the same label on ${f(100 * s.labels.sameLabels.windowsVsWhole, 3)} % of the voxels.`,
    '',
    '| 9-axis labels | Dice vs truth: ' + ['background', 'bone', 'DL', 'RM'].join(' | ') + ' |',
    '|---|---|---|---|---|',
    ...Object.entries(s.labels.diceVsTruth).map(([name, d]) => `| ${name} | ${d.map(x => f(x, 4)).join(' | ')} |`),
    ''
  ];
  if ('notRun' in s.peer) lines.push(`Python peer: ${s.peer.notRun}`, '');
  else {
    const same = s.labels.sameLabels as Record<string, number>;
    lines.push(
      `Python peer (bench/peers/sun_pipeline.py; numpy ${s.peer.numpy}, scipy ${s.peer.scipy}, onnxruntime ${s.peer.onnxruntime}; whole slices, batches of 8), ` +
        `9 axes, ${s.peer.threads} threads: ${f(s.peer.seconds, 1)} s (${f(s.peer.inference_seconds, 1)} s in ONNX Runtime). ` +
        `Ours with windows / peer: x${f(win.seconds / s.peer.seconds)}; whole slices / peer: x${f(whole.seconds / s.peer.seconds)}. ` +
        `Same label as our whole-slice pipeline on ${f(100 * same.peerVsWhole, 3)} % of the voxels, as ours with windows on ${f(100 * same.peerVsWindows, 3)} %.`,
      ''
    );
  }
  return lines;
}

namespace Private {
  /** [threads, windows, axes] of every pipeline run, in order. */
  export const PLAN: [number, boolean, 1 | 3 | 9][] = [
    [2, true, 1],
    [2, true, 3],
    [2, true, 9],
    [2, false, 9],
    [1, true, 1],
    [1, true, 3],
    [1, true, 9]
  ];

  /** Fraction of voxels with the same label. */
  export function agreement(a: Volume, b: Volume): number {
    let same = 0;
    for (let p = 0; p < a.size; p++) same += Number(a.data[p] === b.data[p]);
    return same / a.size;
  }

  /** Replays `calls` (shape -> count) on bare ONNX Runtime with the model's own session; seconds. */
  export async function bare(model: SegmentationModel, calls: Record<string, number>): Promise<number> {
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
