/**
 * Benchmark of the SUN pipeline (`npm run bench -- segment`): accuracy on the model card's held-out
 * plan (seeds >= 1000, never used in training: both phantom families, phase contrast, rings and the
 * flux range of the plan), per family, for 1, 3 and 9 axes, soft and hard voting; whether confidence
 * flags errors; speed on a 256^3 phantom (bench/segment-speed.ts: in-volume windows against whole slices,
 * against bare ONNX Runtime on the same calls and against a plain Python pipeline, at 2 threads and 1); peak RSS in
 * memory (512^3) and through the streaming path for a volume larger than the RSS. Saves bench-results/segment.json,
 * .md and segment.svg.
 *
 * Each speed and memory case runs in its own process, so that its peak RSS is its own.
 * MDLMA_BENCH_PARTS=accuracy,speed,session,memory (default all) picks the parts; a part left out is saved
 * as not run, never taken from an older result.
 *
 * @example
 * nice npm run bench -- segment
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

import { renderSvg } from '../display';
import { createWriter, open, read, write } from '../io';
import { segmentationMetrics } from '../metrics';
import { SegmentationModel } from '../models';
import { implantPhantom } from '../phantom';
import { InferenceRun, predictAxis, segment, VoteAccumulator } from '../segment';
import { axesFor, Volume, type SunAxis } from '../volume';
import { heldOutPhantom, heldOutPlan, type HeldOutPhantom } from './heldout-plan';
import { benchStamp, isNotRun, notRun, saveBenchResult, type Headline } from './results';
import { measureSessions, sessionChild, sessionMarkdown } from './segment-session';
import { beforeChild, measureSpeed, speedChild, speedMarkdown } from './segment-speed';

const CLASS_NAMES = ['background', 'bone', 'DL', 'RM'];
/** MDLMA_BENCH_QUICK=1: a smoke run of every code path at small sizes (figures not comparable). */
const QUICK = process.env.MDLMA_BENCH_QUICK === '1';
const PARTS = (process.env.MDLMA_BENCH_PARTS ?? 'accuracy,speed,session,memory').split(',');
const NOT_CHOSEN = 'not run: left out of MDLMA_BENCH_PARTS';

/** Runs the benchmark; returns what it saved to bench-results/segment.json. */
export async function run(): Promise<object> {
  const stamp = benchStamp('segment');
  // The card's own file: the accuracy tables stay comparable from run to run; its CPU variants are scored beside it.
  const model = await SegmentationModel.load('sun-implant', { precision: 'fp32' });
  const accuracy = PARTS.includes('accuracy') ? await Private.accuracy(model) : notRun(NOT_CHOSEN);
  // Inputs are made here and read by the children, so that a child's peak RSS is the segmentation's, not the phantom maker's.
  const tmp = mkdtempSync(join(tmpdir(), 'mdlma-bench-segment-'));
  let speed;
  let session;
  let memory;
  try {
    const child = (kind: string, ...args: string[]) =>
      JSON.parse(execFileSync(process.execPath, [__filename, '--child', kind, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] }));
    const n = QUICK ? 64 : 256;
    if (PARTS.includes('speed')) {
      console.log(`speed (${n}^3: windows, whole slices, bare ONNX Runtime, the Python peer)...`);
      const phantom = await implantPhantom({ size: n, seed: 1005, stage: 8 });
      await write(join(tmp, 'image.raw'), phantom.image);
      await write(join(tmp, 'truth.raw'), phantom.labels);
      speed = await measureSpeed(tmp, child);
    } else {
      speed = notRun(NOT_CHOSEN);
    }
    if (PARTS.includes('session')) {
      console.log('ONNX Runtime session settings...');
      session = measureSessions(child);
    } else {
      session = notRun(NOT_CHOSEN);
    }
    if (PARTS.includes('memory')) {
      console.log('memory (512^3 in memory, streaming)...');
      await Private.writeTiled(join(tmp, 'memory.raw'), QUICK ? [128, 256, 256] : [512, 512, 512]);
      const inMemory512 = child('memory512', join(tmp, 'memory.raw'));
      rmSync(join(tmp, 'memory.raw'));
      await Private.writeTiled(join(tmp, 'stream.raw'), QUICK ? [128, 384, 384] : [2048, 384, 384]);
      memory = { inMemory512, streaming: child('stream', join(tmp, 'stream.raw')) };
    } else {
      memory = notRun(NOT_CHOSEN);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const result = {
    quick: QUICK,
    model: { name: model.card.name, version: model.card.version, sha256: model.card.sha256, provider: model.provider, threads: model.threads },
    accuracy,
    speed,
    session,
    memory
  };
  const markdown = Private.markdown(result);
  const svgs: Record<string, string> = isNotRun(accuracy) ? {} : { 'segment.svg': await renderSvg(Private.plotSpec(accuracy)) };
  await saveBenchResult({ stamp, result, markdown, headlines: Private.headlines(result), svgs });
  console.log(markdown);
  return result;
}

namespace Private {
  const MB = 1024 * 1024;

  /** Mean per-class Dice over rows. */
  export function meanDice(ds: number[][]): number[] {
    return ds[0].map((_, c) => ds.reduce((sum, d) => sum + d[c], 0) / ds.length);
  }

  /**
   * Per-class Dice for 1/3/9 axes x soft/hard on every phantom of the card's held-out plan, from one
   * set of per-axis predictions per phantom; means over all phantoms and per family.
   */
  export async function accuracy(model: SegmentationModel) {
    const C = model.classes;
    const plan = QUICK ? heldOutPlan(model.card).slice(0, 1) : heldOutPlan(model.card);
    const variants = await Promise.all(
      Object.values(model.card.variants)
        .filter(v => v.providers.includes('cpu'))
        .map(v => SegmentationModel.load(model.folder, { precision: v.precision, threads: model.threads }))
    );
    const phantoms: (HeldOutPhantom & { dice: Record<string, number[]> })[] = [];
    const confidence: { lowErrorRate: number; restErrorRate: number; ratio: number }[] = [];
    for (const p of plan) {
      const { image, labels } = await heldOutPhantom(p);
      const run = new InferenceRun({ model, batchSize: 8, signal: new AbortController().signal });
      const perAxis = new Map<SunAxis, Float32Array>();
      for (const axis of axesFor(9)) {
        const probs = new Float32Array(C * image.size);
        await predictAxis(run, image, axis, 0, image.shape[0], probs);
        perAxis.set(axis, probs);
      }
      const dice: Record<string, number[]> = {};
      for (const count of [1, 3, 9] as const) {
        const votes = new VoteAccumulator({ voxels: image.size, classes: C });
        for (const axis of axesFor(count)) votes.add(perAxis.get(axis)!);
        for (const voting of ['soft', 'hard'] as const) {
          const out = new Uint8Array(image.size);
          const conf = count === 9 && voting === 'soft' ? new Float32Array(image.size) : undefined;
          votes.fuse({ voting, labels: out, confidence: conf });
          const pred = new Volume({ data: out, shape: image.shape, spacing: image.spacing });
          dice[`${count} axes ${voting}`] = segmentationMetrics(pred, labels, { surface: false }).classes.map(c => c.dice);
          if (conf) confidence.push(errorRates(out, labels.data as Uint8Array, conf));
        }
      }
      for (const variant of variants) {
        // The variant's 9-axis soft labels, fused the same way.
        const vrun = new InferenceRun({ model: variant, batchSize: 8, signal: new AbortController().signal });
        const votes = new VoteAccumulator({ voxels: image.size, classes: C });
        for (const axis of axesFor(9)) {
          const probs = new Float32Array(C * image.size);
          await predictAxis(vrun, image, axis, 0, image.shape[0], probs);
          votes.add(probs);
        }
        const out = new Uint8Array(image.size);
        votes.fuse({ voting: 'soft', labels: out });
        const pred = new Volume({ data: out, shape: image.shape, spacing: image.spacing });
        dice[`9 axes soft, ${variant.precision}`] = segmentationMetrics(pred, labels, { surface: false }).classes.map(c => c.dice);
      }
      phantoms.push({ ...p, dice });
      console.log(`  ${p.name}: 9-axis soft Dice ${dice['9 axes soft'].map(d => d.toFixed(3)).join(' ')}`);
    }
    const settings = Object.keys(phantoms[0].dice);
    const groups: Record<string, typeof phantoms> = { all: phantoms };
    for (const p of phantoms) (groups[p.family] ??= []).push(p);
    const phase = phantoms.filter(p => p.phase > 0);
    if (phase.length) groups['phase contrast'] = phase;
    const table = Object.fromEntries(
      Object.entries(groups).map(([group, ps]) => [group, { phantoms: ps.length, dice: Object.fromEntries(settings.map(k => [k, meanDice(ps.map(p => p.dice[k]))])) }])
    );
    const m = (k: string) => table.all.dice[k];
    const floors = {
      rm9soft: m('9 axes soft')[3] >= 0.95,
      bone9soft: m('9 axes soft')[1] >= 0.92,
      dl9soft: m('9 axes soft')[2] >= 0.85,
      dlOrdering: m('9 axes soft')[2] >= m('3 axes soft')[2] && m('3 axes soft')[2] >= m('1 axes soft')[2]
    };
    const variantScores = Object.fromEntries(
      variants.map(v => {
        const mean = m(`9 axes soft, ${v.precision}`);
        return [v.precision, { file: v.file, dice: mean, changeVsFp32: mean.map((d, c) => d - m('9 axes soft')[c]) }];
      })
    );
    const ratios = confidence.map(c => c.ratio);
    return {
      plan: 'the model card\'s held-out plan (training.data.heldout.phantoms)',
      classes: CLASS_NAMES,
      phantoms,
      table,
      floors,
      variants: variantScores,
      confidence: { perPhantom: confidence, meanRatio: ratios.reduce((a, b) => a + b, 0) / ratios.length }
    };
  }

  /** A Vega-Lite bar chart: 9-axis soft Dice per class, per group of phantoms. */
  export function plotSpec(accuracy: Awaited<ReturnType<typeof Private.accuracy>>): Record<string, unknown> {
    const values = Object.entries(accuracy.table).flatMap(([group, t]) =>
      [1, 2, 3].map(c => ({ group: `${group} (${t.phantoms})`, class: CLASS_NAMES[c], dice: +t.dice['9 axes soft'][c].toFixed(4) }))
    );
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'SUN segmentation on the held-out plan: Dice, 9 axes, soft voting',
      data: { values },
      mark: 'bar',
      width: 120,
      height: 180,
      encoding: {
        column: { field: 'class', type: 'nominal', title: null },
        x: { field: 'group', type: 'nominal', title: null, axis: { labelAngle: -30 } },
        y: { field: 'dice', type: 'quantitative', title: 'Dice', scale: { domain: [0, 1] } },
        color: { field: 'group', type: 'nominal', legend: null }
      }
    };
  }

  /** The figures bench-results/README.md lists. */
  export function headlines(r: any): Headline[] {
    const f = (x: number) => x.toFixed(3);
    const lines: Headline[] = [];
    if (isNotRun(r.accuracy)) lines.push({ label: 'accuracy', value: r.accuracy.notRun });
    else {
      for (const [group, t] of Object.entries<any>(r.accuracy.table)) {
        const d = t.dice['9 axes soft'];
        lines.push({ label: `Dice bone / DL / RM, 9 axes soft, held-out ${group} (${t.phantoms} phantoms)`, value: `${f(d[1])} / ${f(d[2])} / ${f(d[3])}` });
      }
    }
    if (isNotRun(r.speed)) lines.push({ label: 'speed', value: r.speed.notRun });
    else {
      const nine = (windows: boolean, precision: string) => r.speed.cases.find((c: any) => c.axes === 9 && c.threads === 2 && c.windows === windows && c.precision === precision);
      const peer = 'notRun' in r.speed.peer ? 'not run' : `${r.speed.peer.seconds.toFixed(1)} s`;
      const before = 'notRun' in r.speed.before ? 'not run' : `${r.speed.before.seconds.toFixed(1)} s`;
      lines.push({
        label: `9 axes on ${r.speed.shape.join('x')}, 2 threads: seconds with windows fp32 / int8 / bare ONNX Runtime (fp32) / whole slices / before the speed work / Python peer`,
        value: `${nine(true, 'fp32').seconds.toFixed(1)} / ${nine(true, 'int8')?.seconds.toFixed(1) ?? '-'} / ${nine(true, 'fp32').bareSeconds.toFixed(1)} / ${nine(false, 'fp32').seconds.toFixed(1)} s / ${before} / ${peer}`
      });
    }
    if (isNotRun(r.memory)) lines.push({ label: 'memory', value: r.memory.notRun });
    else lines.push({ label: `peak RSS streaming a ${r.memory.streaming.inputFileMB.toFixed(0)} MB file`, value: `${r.memory.streaming.peakRssMB.toFixed(0)} MB` });
    return lines;
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
    const lines = [`# segment benchmark`, '', `Model ${r.model.name} ${r.model.version} on ${r.model.provider}, ${r.model.threads} threads.${r.quick ? ' QUICK smoke run: figures not comparable.' : ''}`, ''];
    const a = r.accuracy;
    if (isNotRun(a)) lines.push('## Accuracy', '', a.notRun, '');
    else {
      lines.push(
        `## Accuracy on the model card's held-out plan (${a.phantoms.length} phantoms, 128^3, seeds >= 1000, never trained on)`,
        '',
        '| phantom | family | weeks | material | flux | rings | phase | Dice bone | Dice DL | Dice RM (9 axes soft) |',
        '|---|---|---|---|---|---|---|---|---|---|',
        ...a.phantoms.map((p: any) => `| ${p.seed} | ${p.family} | ${p.stage} | ${p.material} | ${p.flux} | ${p.rings} | ${p.phase} | ${[1, 2, 3].map(c => f(p.dice['9 axes soft'][c])).join(' | ')} |`),
        ''
      );
      for (const [group, t] of Object.entries<any>(a.table)) {
        lines.push(
          `### Mean Dice: ${group} (${t.phantoms} phantoms)`,
          '',
          `| setting | ${CLASS_NAMES.join(' | ')} |`,
          `|---|${CLASS_NAMES.map(() => '---').join('|')}|`,
          ...Object.entries<number[]>(t.dice).map(([setting, d]) => `| ${setting} | ${d.map(x => f(x)).join(' | ')} |`),
          ''
        );
      }
      lines.push(
        `Floors on all phantoms (9-axis soft: RM >= 0.95, bone >= 0.92, DL >= 0.85; DL 9 >= 3 >= 1 axes): ${JSON.stringify(a.floors)}`,
        '',
        `Confidence: voxel error rate in the 10 % least confident voxels / in the rest = ${f(a.confidence.meanRatio, 1)}x (mean over phantoms; ` +
          a.confidence.perPhantom.map((c: any) => `${f(c.lowErrorRate)} vs ${f(c.restErrorRate, 4)}`).join('; ') + ').',
        '',
        'Plot: segment.svg.',
        ''
      );
      for (const [precision, v] of Object.entries<any>(a.variants ?? {})) {
        lines.push(
          `Variant ${precision} (${v.file}), 9 axes soft, all phantoms: Dice ${v.dice.map((x: number) => f(x, 4)).join(' / ')}; change against float32 ` +
            `${v.changeVsFp32.map((x: number) => (x >= 0 ? '+' : '') + x.toFixed(4)).join(' / ')} (${CLASS_NAMES.join(' / ')}).`,
          ''
        );
      }
    }
    if (isNotRun(r.speed)) lines.push('## Speed', '', r.speed.notRun, '');
    else lines.push(...speedMarkdown(r.speed));
    if (isNotRun(r.session)) lines.push('## ONNX Runtime session settings', '', r.session.notRun, '');
    else lines.push(...sessionMarkdown(r.session));
    const m = r.memory;
    if (isNotRun(m)) lines.push('## Peak RSS', '', m.notRun, '');
    else {
      lines.push(
        '## Peak RSS',
        '',
        `- ${m.inMemory512.shape.join('x')} in memory (${f(m.inMemory512.inputMB, 0)} MB float32 input), 1 axis, ${m.inMemory512.slabs} slabs: ${f(m.inMemory512.peakRssMB, 0)} MB`,
        `- ${m.streaming.shape.join('x')} float32 raw file (${f(m.streaming.inputFileMB, 0)} MB) streamed, 1 axis, slab depth ${m.streaming.slabDepth}: ${f(m.streaming.peakRssMB, 0)} MB (${f(m.streaming.seconds, 0)} s)`,
        ''
      );
    }
    return lines.join('\n');
  }
}

if (require.main === module && process.argv[2] === '--child') {
  const kinds: Record<string, (...args: string[]) => Promise<object>> = {
    speed: (image, threads, windows, axes, labels, precision, variant) => speedChild(image, threads, windows, axes, labels, precision, variant),
    before: (lib, commit, image, labels) => beforeChild(lib, commit, image, labels),
    session: name => sessionChild(name),
    memory512: Private.memory512,
    stream: Private.stream
  };
  kinds[process.argv[3]](...process.argv.slice(4)).then(
    result => process.stdout.write(`${JSON.stringify(result)}\n`),
    error => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}

