/**
 * The session part of `npm run bench -- segment`: what each ONNX Runtime session setting gives on the model calls of
 * the pipeline. One fixed mix of input shapes (a whole 256 x 256 slice batch and the windows of oblique slices) runs
 * through a session made with the settings the pipeline uses (models/providers.ts) and with one setting changed at a
 * time: graph optimisation level, memory arena, memory pattern, thread spinning, intra-op threads, parallel execution.
 * Each setting runs in a child process of its own (`sessionChild`), so that no thread pool or arena carries over.
 */
import { readFileSync } from 'fs';
import { availableParallelism } from 'os';
import { join } from 'path';

import { modelFolder, onnxRuntime, ortFloat32, SegmentationModel } from '../models';
import type { ChildRunner } from './segment-speed';

/** One setting changed from the pipeline's session options. */
interface SessionVariant {
  name: string;
  options: Record<string, unknown>;
}

/** The result of one setting: milliseconds per million model pixels, best of the repeats. */
export interface SessionTiming {
  name: string;
  msPerMegapixel: number;
}

/** Runs every variant in its own child; the timings, the pipeline's first. */
export function measureSessions(child: ChildRunner): { calls: Record<string, number>; timings: SessionTiming[] } {
  const timings = Private.variants().map(v => {
    const t: SessionTiming = child('session', v.name);
    console.log(`  ${t.name}: ${t.msPerMegapixel.toFixed(0)} ms per Mpixel`);
    return t;
  });
  return { calls: Private.CALLS, timings };
}

/** A session child: the call mix through a session with variant `name`; best of three rounds. */
export async function sessionChild(name: string): Promise<SessionTiming> {
  const variant = Private.variants().find(v => v.name === name)!;
  const ort = onnxRuntime();
  const folder = modelFolder('sun-implant');
  const card = (await SegmentationModel.load(folder, { threads: 1 })).card;
  const session = await ort.InferenceSession.create(readFileSync(join(folder, 'model.onnx')), { ...Private.pipelineOptions(), ...variant.options });
  let pixels = 0;
  const feeds = Object.entries(Private.CALLS).map(([key, count]) => {
    const [n, h, w] = key.split('x').map(Number);
    pixels += count * n * h * w;
    const data = ortFloat32(Float32Array.from({ length: n * h * w }, (_, i) => ((i * 2654435761) % 1000) / 1000));
    return { feed: { [card.input.name]: new ort.Tensor('float32', data, [n, 1, h, w]) }, count };
  });
  for (const { feed } of feeds) await session.run(feed); // first runs plan each shape
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (const { feed, count } of feeds) for (let i = 0; i < count; i++) await session.run(feed);
    best = Math.min(best, performance.now() - t0);
  }
  await session.release();
  return { name, msPerMegapixel: best / (pixels / 1e6) };
}

/** The markdown section of the session part. */
export function sessionMarkdown(s: ReturnType<typeof measureSessions>): string[] {
  const base = s.timings[0].msPerMegapixel;
  return [
    '## ONNX Runtime session settings',
    '',
    `Calls per round: ${Object.entries(s.calls).map(([shape, n]) => `${n} x [${shape}]`).join(', ')}; best of 3 rounds, each setting in its own process.`,
    '',
    '| setting | ms per Mpixel | vs the pipeline\'s |',
    '|---|---|---|',
    ...s.timings.map(t => `| ${t.name} | ${t.msPerMegapixel.toFixed(0)} | x${(t.msPerMegapixel / base).toFixed(3)} |`),
    ''
  ];
}

namespace Private {
  /** The call mix: batches of whole 256 x 256 slices and of oblique-slice windows of the sizes 256^3 gives. */
  export const CALLS: Record<string, number> = { '8x256x256': 3, '8x256x192': 3, '8x256x96': 3 };

  /** The options models/providers.ts gives the CPU session. */
  export function pipelineOptions(): Record<string, unknown> {
    return {
      executionProviders: ['cpu'],
      intraOpNumThreads: availableParallelism(),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      enableMemPattern: false,
      extra: { session: { intra_op: { allow_spinning: '0' } } }
    };
  }

  export function variants(): SessionVariant[] {
    const cores = availableParallelism();
    return [
      { name: `the pipeline's (all optimisations, arena, no memory pattern, no spinning, ${cores} intra-op threads)`, options: {} },
      { name: 'graph optimisation: extended', options: { graphOptimizationLevel: 'extended' } },
      { name: 'graph optimisation: basic', options: { graphOptimizationLevel: 'basic' } },
      { name: 'graph optimisation: disabled', options: { graphOptimizationLevel: 'disabled' } },
      { name: 'no CPU memory arena', options: { enableCpuMemArena: false } },
      { name: 'memory pattern (planned buffers per input shape)', options: { enableMemPattern: true } },
      { name: 'intra-op threads spin', options: { extra: { session: { intra_op: { allow_spinning: '1' } } } } },
      { name: '1 intra-op thread', options: { intraOpNumThreads: 1 } },
      { name: `parallel execution, ${cores} inter-op threads`, options: { executionMode: 'parallel', interOpNumThreads: cores } }
    ];
  }
}
