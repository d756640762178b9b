/**
 * Benchmark of the SUN pipeline (`npm run bench -- segment`): accuracy on held-out phantoms
 * (seeds >= 1000, never used in training: see the model card) for 1, 3 and 9 axes, soft and hard
 * voting; whether confidence flags errors; speed on a 256^3 phantom against bare ONNX Runtime
 * running the same model calls with the same session and threads; peak RSS in memory (256^3,
 * 512^3) and through the streaming path for a volume larger than the RSS. Writes
 * bench-results/segment.json and .md at the repository root.
 *
 * Each speed and memory case runs in its own process, so that its peak RSS is its own.
 *
 * @example
 * nice npm run bench -- segment
 */
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir, totalmem } from 'os';
import { dirname, join } from 'path';

import { createWriter, open, read, write } from '../io';
import { segmentationMetrics } from '../metrics';
import { onnxRuntime, ortFloat32, SegmentationModel } from '../models';
import { implantPhantom } from '../phantom';
import { InferenceRun, predictAxis, segment, VoteAccumulator } from '../segment';
import { axesFor, Volume, type SunAxis } from '../volume';

const REPO = join(__dirname, '..', '..', '..', '..');
/** Held-out phantoms: seeds >= 1000 (the card's rule), stages and materials varied. */
const HELD_OUT = [
  { seed: 1000, stage: 8, material: 'Mg-10Gd' },
  { seed: 1001, stage: 4, material: 'Mg-5Gd' },
  { seed: 1002, stage: 12, material: 'Mg-10Gd' },
  { seed: 1003, stage: 6, material: 'Mg-5Gd' },
  { seed: 1004, stage: 10, material: 'Mg-10Gd' }
] as const;
const CLASS_NAMES = ['background', 'bone', 'DL', 'RM'];
/** MDLMA_BENCH_QUICK=1: a smoke run of every code path at small sizes (figures not comparable). */
const QUICK = process.env.MDLMA_BENCH_QUICK === '1';
/**
 * MDLMA_BENCH_PARTS=accuracy,speed,memory (default all): the parts to run; the others are kept
 * from the previous bench-results/segment.json, with the date they were measured.
 */
const PARTS = (process.env.MDLMA_BENCH_PARTS ?? 'accuracy,speed,memory').split(',');

/** Runs the benchmark; returns what it wrote to bench-results/segment.json. */
export async function run(): Promise<object> {
  const model = await SegmentationModel.load('sun-implant');
  const dir = join(REPO, 'bench-results');
  const previous = Private.previous(join(dir, 'segment.json'), model.card.sha256);
  const accuracy = PARTS.includes('accuracy') ? await Private.accuracy(model) : previous('accuracy');
  // Inputs are made here and read by the children, so that a child's peak RSS is the segmentation's, not the phantom maker's.
  const tmp = mkdtempSync(join(tmpdir(), 'mdlma-bench-segment-'));
  let speed;
  let memory;
  try {
    const child = (kind: string, path: string) =>
      JSON.parse(execFileSync(process.execPath, [__filename, '--child', kind, path], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] }));
    const n = QUICK ? 128 : 256;
    if (PARTS.includes('speed')) {
      console.log(`speed (${n}^3, 1/3/9 axes, pipeline vs bare ONNX Runtime)...`);
      await write(join(tmp, 'speed.raw'), (await implantPhantom({ size: n, seed: 1005, stage: 8 })).image);
      speed = child('speed', join(tmp, 'speed.raw'));
    } else {
      speed = previous('speed');
    }
    if (PARTS.includes('memory')) {
      console.log('memory (512^3 in memory, streaming)...');
      await Private.writeTiled(join(tmp, 'memory.raw'), QUICK ? [128, 256, 256] : [512, 512, 512]);
      const inMemory512 = child('memory512', join(tmp, 'memory.raw'));
      rmSync(join(tmp, 'memory.raw'));
      await Private.writeTiled(join(tmp, 'stream.raw'), QUICK ? [128, 384, 384] : [2048, 384, 384]);
      memory = { inMemory512, streaming: child('stream', join(tmp, 'stream.raw')) };
    } else {
      memory = previous('memory');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const result = {
    name: 'segment',
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGB: +(totalmem() / 1e9).toFixed(1), node: process.version },
    model: { name: model.card.name, version: model.card.version, sha256: model.card.sha256, provider: model.provider, threads: model.threads },
    accuracy,
    speed,
    memory
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'segment.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, 'segment.md'), Private.markdown(result));
  console.log(Private.markdown(result));
  return result;
}

namespace Private {
  const MB = 1024 * 1024;

  /** A getter of parts of the previous result (same model only), each stamped with the date it was measured. */
  export function previous(path: string, sha256: string): (part: string) => any {
    let old: any;
    try {
      old = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      old = undefined;
    }
    return part => {
      if (!old?.[part] || old.model?.sha256 !== sha256) throw new Error(`No previous "${part}" figures for this model in ${path}; run that part too`);
      return { ...old[part], measured: old[part].measured ?? old.date };
    };
  }

  /** Per-class Dice for 1/3/9 axes x soft/hard, from one set of per-axis predictions per phantom. */
  export async function accuracy(model: SegmentationModel) {
    const C = model.classes;
    const rows: Record<string, number[][]> = {};
    const confidence: { lowErrorRate: number; restErrorRate: number; ratio: number }[] = [];
    for (const p of QUICK ? HELD_OUT.slice(0, 1) : HELD_OUT) {
      const { image, labels } = await implantPhantom({ size: 128, seed: p.seed, stage: p.stage, material: p.material, flux: 10000, ringArtifacts: 0.004 });
      const run = new InferenceRun({ model, batchSize: 8, signal: new AbortController().signal });
      const perAxis = new Map<SunAxis, Float32Array>();
      for (const axis of axesFor(9)) {
        const probs = new Float32Array(C * image.size);
        await predictAxis(run, image, axis, 0, image.shape[0], probs);
        perAxis.set(axis, probs);
      }
      for (const count of [1, 3, 9] as const) {
        const votes = new VoteAccumulator({ voxels: image.size, classes: C });
        for (const axis of axesFor(count)) votes.add(perAxis.get(axis)!);
        for (const voting of ['soft', 'hard'] as const) {
          const out = new Uint8Array(image.size);
          const conf = count === 9 && voting === 'soft' ? new Float32Array(image.size) : undefined;
          votes.fuse({ voting, labels: out, confidence: conf });
          const pred = new Volume({ data: out, shape: image.shape, spacing: image.spacing });
          const dice = segmentationMetrics(pred, labels, { surface: false }).classes.map(c => c.dice);
          (rows[`${count} axes ${voting}`] ??= []).push(dice);
          if (conf) confidence.push(errorRates(out, labels.data as Uint8Array, conf));
        }
      }
      console.log(`  seed ${p.seed}: 9-axis soft Dice ${rows['9 axes soft'].at(-1)!.map(d => d.toFixed(3)).join(' ')}`);
    }
    const mean = (ds: number[][]) => ds[0].map((_, c) => ds.reduce((s, d) => s + d[c], 0) / ds.length);
    const table = Object.entries(rows).map(([setting, ds]) => ({ setting, dice: mean(ds), perPhantom: ds }));
    const m = (k: string) => table.find(t => t.setting === k)!.dice;
    const floors = {
      rm9soft: m('9 axes soft')[3] >= 0.95,
      bone9soft: m('9 axes soft')[1] >= 0.92,
      dl9soft: m('9 axes soft')[2] >= 0.85,
      dlOrdering: m('9 axes soft')[2] >= m('3 axes soft')[2] && m('3 axes soft')[2] >= m('1 axes soft')[2]
    };
    const ratios = confidence.map(c => c.ratio);
    return { phantoms: HELD_OUT.map(p => ({ ...p, size: 128, flux: 10000, rings: 0.004 })), classes: CLASS_NAMES, table, floors, confidence: { perPhantom: confidence, meanRatio: ratios.reduce((a, b) => a + b, 0) / ratios.length } };
  }

  /** Voxel error rate among the 10 % least confident voxels and among the rest. */
  export function errorRates(pred: Uint8Array, truth: Uint8Array, conf: Float32Array) {
    const order = Uint32Array.from({ length: conf.length }, (_, i) => i).sort((a, b) => conf[a] - conf[b]);
    const cut = Math.floor(conf.length * 0.1);
    let low = 0;
    let rest = 0;
    for (let r = 0; r < order.length; r++) {
      const wrong = pred[order[r]] !== truth[order[r]] ? 1 : 0;
      if (r < cut) low += wrong;
      else rest += wrong;
    }
    const lowErrorRate = low / cut;
    const restErrorRate = rest / (order.length - cut);
    return { lowErrorRate, restErrorRate, ratio: lowErrorRate / restErrorRate };
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

  /** The speed child: a 256^3 phantom (seed 1005), pipeline vs bare ONNX Runtime for 1, 3 and 9 axes. */
  export async function speed(path: string) {
    const model = await SegmentationModel.load('sun-implant');
    const image = await read(path);
    await bare(model, { '8x256x256': 1 }); // warm-up
    const cases = [];
    for (const axes of [1, 3, 9] as const) {
      const r = await segment(image, { model, axes, progress: false });
      const bareSeconds = await bare(model, r.stats.calls);
      cases.push({ axes, seconds: r.stats.seconds, inferenceSeconds: r.stats.inferenceSeconds, bareSeconds, ratio: r.stats.seconds / bareSeconds, voxelsPerSecond: r.stats.voxelsPerSecond, calls: r.stats.calls });
      console.error(`  ${axes} axes: ${r.stats.seconds.toFixed(1)} s, bare ${bareSeconds.toFixed(1)} s, ratio ${(r.stats.seconds / bareSeconds).toFixed(3)}`);
    }
    return { shape: image.shape, threads: model.threads, cases, peakRssMB: process.resourceUsage().maxRSS / 1024, inMemoryAxes: 9 };
  }

  /** Writes a float32 raw volume of `shape` tiled from a 128^3 phantom (content like a scan, made fast), slab by slab. */
  export async function writeTiled(path: string, shape: [number, number, number]): Promise<void> {
    const { image } = await implantPhantom({ size: 128, seed: 1006, stage: 8 });
    const src = image.data as Float32Array;
    const [nz, ny, nx] = shape;
    const writer = await createWriter(path, { shape, dtype: 'float32', spacing: image.spacing, origin: [0, 0, 0] });
    const slab = new Float32Array(64 * ny * nx);
    for (let z0 = 0; z0 < nz; z0 += 64) {
      const z1 = Math.min(nz, z0 + 64);
      for (let z = z0, o = 0; z < z1; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) slab[o++] = src[((z % 128) * 128 + (y % 128)) * 128 + (x % 128)];
      await writer.writeSlab(z0, new Volume({ data: slab.subarray(0, (z1 - z0) * ny * nx), shape: [z1 - z0, ny, nx], spacing: image.spacing }));
    }
    await writer.commit();
  }

  /** The 512^3 in-memory child (1 axis: memory is set by the volume-sized buffers, not by the axis count). */
  export async function memory512(path: string) {
    const image = await read(path);
    const r = await segment(image, { axes: 1, progress: false });
    return { shape: image.shape, axes: 1, inputMB: image.byteLength / MB, seconds: r.stats.seconds, slabs: r.stats.slabs, peakRssMB: process.resourceUsage().maxRSS / 1024 };
  }

  /**
   * The streaming child: a float32 raw file larger than the RSS it ends with, segmented slab by slab
   * to a file. One axis keeps it within minutes on 2 cores; the halo path of the other axes is
   * checked for equality with the in-memory result in segment.test.ts.
   */
  export async function stream(input: string) {
    const source = await open(input);
    const shape = source.shape;
    const fileMB = (shape[0] * shape[1] * shape[2] * 4) / MB;
    const out = join(dirname(input), 'labels.raw');
    const r = await segment(source, { axes: 1, slabDepth: 32, out, progress: false });
    await source.close();
    return { shape, axes: 1, slabDepth: 32, inputFileMB: fileMB, seconds: r.stats.seconds, slabs: r.stats.slabs, peakRssMB: process.resourceUsage().maxRSS / 1024 };
  }

  export function markdown(r: any): string {
    const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
    const lines = [
      `# segment benchmark (${r.date})`,
      '',
      `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGB} GB, Node ${r.machine.node}. Model ${r.model.name} ${r.model.version} on ${r.model.provider}, ${r.model.threads} threads.`,
      '',
      `## Accuracy: mean Dice over ${r.accuracy.phantoms.length} held-out 128^3 phantoms (seeds ${r.accuracy.phantoms.map((p: any) => p.seed).join(', ')})${r.accuracy.measured ? ` (measured ${r.accuracy.measured})` : ''}`,
      '',
      `| setting | ${CLASS_NAMES.join(' | ')} |`,
      `|---|${CLASS_NAMES.map(() => '---').join('|')}|`,
      ...r.accuracy.table.map((t: any) => `| ${t.setting} | ${t.dice.map((d: number) => f(d)).join(' | ')} |`),
      '',
      `Floors (9-axis soft: RM >= 0.95, bone >= 0.92, DL >= 0.85; DL 9 >= 3 >= 1 axes): ${JSON.stringify(r.accuracy.floors)}`,
      '',
      `Confidence: voxel error rate in the 10 % least confident voxels / in the rest = ${f(r.accuracy.confidence.meanRatio, 1)}x (mean over phantoms; ` +
        r.accuracy.confidence.perPhantom.map((c: any) => `${f(c.lowErrorRate)} vs ${f(c.restErrorRate, 4)}`).join('; ') + ')',
      '',
      `## Speed: ${r.speed.shape.join('x')} phantom, CPU, ${r.speed.threads} threads${r.speed.measured ? ` (measured ${r.speed.measured})` : ''}`,
      '',
      '| axes | pipeline s | bare ONNX Runtime s | ratio | Mvoxel/s |',
      '|---|---|---|---|---|',
      ...r.speed.cases.map((c: any) => `| ${c.axes} | ${f(c.seconds, 1)} | ${f(c.bareSeconds, 1)} | ${f(c.ratio)} | ${f(c.voxelsPerSecond / 1e6)} |`),
      '',
      `## Peak RSS${r.memory.measured ? ` (measured ${r.memory.measured})` : ''}`,
      '',
      `- ${r.speed.shape.join('x')} in memory, 9 axes: ${f(r.speed.peakRssMB, 0)} MB`,
      `- ${r.memory.inMemory512.shape.join('x')} in memory (${f(r.memory.inMemory512.inputMB, 0)} MB float32 input), 1 axis, ${r.memory.inMemory512.slabs} slabs: ${f(r.memory.inMemory512.peakRssMB, 0)} MB`,
      `- ${r.memory.streaming.shape.join('x')} float32 raw file (${f(r.memory.streaming.inputFileMB, 0)} MB) streamed, 1 axis, slab depth ${r.memory.streaming.slabDepth}: ${f(r.memory.streaming.peakRssMB, 0)} MB (${f(r.memory.streaming.seconds, 0)} s)`,
      ''
    ];
    return lines.join('\n');
  }
}

if (require.main === module && process.argv[2] === '--child') {
  const kinds: Record<string, (path: string) => Promise<object>> = { speed: Private.speed, memory512: Private.memory512, stream: Private.stream };
  kinds[process.argv[3]](process.argv[4]).then(
    result => process.stdout.write(`${JSON.stringify(result)}\n`),
    error => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}

