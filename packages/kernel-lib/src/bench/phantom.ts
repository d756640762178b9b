/**
 * Phantom benchmark: generation time, and how realistic the phantoms are in the one sense
 * that can be measured without a beamline, namely that the degradation layer is hard to
 * separate by grey value. For each phantom: seconds, class volume fractions, the best
 * global-threshold Dice per class, and the pairwise overlap of the class histograms.
 * Both families run (real-bone only when qim3d's bone scan has been fetched).
 *
 * Saves bench-results/phantom.json and .md (stamped: results.ts).
 *
 * @example
 * node build/bench/run.js phantom        (the dispatcher imports this module and calls run())
 */
import { existsSync } from 'fs';

import {
  CLASS_NAMES,
  classHistograms,
  histogramOverlap,
  implantPhantom,
  Phantom,
  QIM3D_BONE_PATH,
  readBoneTiff,
  realBonePhantom,
  thresholdBaseline
} from '../phantom';
import type { ImplantMaterial } from '../phantom';
import { benchStamp, saveBenchResult } from './results';

/** One phantom's figures. */
interface PhantomFigures {
  family: string;
  size: number;
  seed: number;
  stage: number;
  material: ImplantMaterial;
  angles: number;
  seconds: { total: number; anatomy: number; acquisition: number };
  volumeFractions: number[];
  thresholdDice: Record<string, number>;
  bestIntervalDice: Record<string, number>;
  histogramOverlap: Record<string, number>;
}

/** Run the phantom benchmark; returns what it wrote to bench-results/phantom.json. */
export async function run(): Promise<object> {
  const stamp = benchStamp('phantom');
  const cases: { family: 'synthetic' | 'real-bone'; size: number; seed: number; stage: number; material: ImplantMaterial }[] = [
    { family: 'synthetic', size: 64, seed: 1, stage: 8, material: 'Mg-10Gd' },
    { family: 'synthetic', size: 128, seed: 1, stage: 4, material: 'Mg-10Gd' },
    { family: 'synthetic', size: 128, seed: 2, stage: 8, material: 'Mg-10Gd' },
    { family: 'synthetic', size: 128, seed: 3, stage: 12, material: 'Mg-10Gd' },
    { family: 'synthetic', size: 128, seed: 4, stage: 12, material: 'Mg-5Gd' }
  ];
  const haveBone = existsSync(QIM3D_BONE_PATH);
  if (haveBone) {
    cases.push(
      { family: 'real-bone', size: 128, seed: 1, stage: 4, material: 'Mg-10Gd' },
      { family: 'real-bone', size: 128, seed: 2, stage: 8, material: 'Mg-10Gd' },
      { family: 'real-bone', size: 128, seed: 3, stage: 12, material: 'Mg-10Gd' }
    );
  }
  const bone = haveBone ? readBoneTiff(QIM3D_BONE_PATH) : undefined;
  const figures: PhantomFigures[] = [];
  let histogram: object | undefined;
  for (const c of cases) {
    const started = process.hrtime.bigint();
    const options = { seed: c.seed, stage: c.stage, material: c.material, ringArtifacts: true };
    const phantom: Phantom = c.family === 'real-bone' ? await realBonePhantom({ ...options, bone: bone! }) : await implantPhantom({ ...options, size: c.size });
    const total = Number(process.hrtime.bigint() - started) / 1e9;
    const base = thresholdBaseline(phantom.image, phantom.labels);
    const h = classHistograms(phantom.image, phantom.labels, 128);
    const named = (values: number[]) => Object.fromEntries(CLASS_NAMES.map((name, k) => [name, Private.round(values[k])]));
    figures.push({
      family: c.family,
      size: c.size,
      seed: c.seed,
      stage: c.stage,
      material: c.material,
      angles: phantom.params.scan?.angles ?? 0,
      seconds: { total: Private.round(total), anatomy: phantom.params.seconds.anatomy, acquisition: phantom.params.seconds.acquisition },
      volumeFractions: phantom.params.volumeFractions.map(Private.round),
      thresholdDice: named(base.dice),
      bestIntervalDice: named(base.bestInterval.map(b => b.dice)),
      histogramOverlap: {
        'DL-RM': Private.round(histogramOverlap(h, 2, 3)),
        'DL-bone': Private.round(histogramOverlap(h, 2, 1)),
        'bone-RM': Private.round(histogramOverlap(h, 1, 3)),
        'bone-background': Private.round(histogramOverlap(h, 1, 0))
      }
    });
    if (c.family === 'synthetic' && c.size === 128 && c.stage === 8) {
      // Long-format rows for a Vega-Lite layered histogram in the tutorial.
      histogram = {
        phantom: { family: c.family, size: c.size, seed: c.seed, stage: c.stage },
        values: h.centers.flatMap((x, k) => CLASS_NAMES.map((name, cls) => ({ intensity: Private.round(x), class: name, fraction: h.totals[cls] ? h.counts[cls][k] / h.totals[cls] : 0 })))
      };
    }
  }
  const result = {
    notes: [
      'One thread. Default acquisition: angles = size, flux 10000 photons/pixel, ring artifacts on, no phase contrast, Shepp-Logan window.',
      'thresholdDice: best global 3-threshold segmentation (exhaustive on 128 bins, mean Dice maximised); bestIntervalDice: each class alone, its best intensity interval.',
      'histogramOverlap: sum of min of the normalised class histograms (0 disjoint, 1 identical).',
      haveBone ? 'real-bone: qim3d 1.5.3 bone_128x128x128.tif (MIT).' : `real-bone skipped: ${QIM3D_BONE_PATH} absent (run packages/kernel-lib/scripts/fetch-qim3d-bone.sh).`
    ],
    phantoms: figures,
    histogram
  };
  const markdown = Private.markdown(result.notes, figures);
  const mean = (family: string, cls: string) => {
    const rows = figures.filter(p => p.family === family && p.size === 128);
    return rows.length ? (rows.reduce((sum, p) => sum + p.thresholdDice[cls], 0) / rows.length).toFixed(3) : 'not run';
  };
  const headlines = ['synthetic', 'real-bone'].map(family => ({
    label: `best global-threshold Dice bone / DL / RM, ${family} 128^3 (how hard the phantom is for thresholding)`,
    value: ['bone', 'DL', 'RM'].map(cls => mean(family, cls)).join(' / ')
  }));
  await saveBenchResult({ stamp, result, markdown, headlines });
  return result;
}

namespace Private {
  export function round(x: number): number {
    return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
  }

  export function markdown(notes: string[], figures: PhantomFigures[]): string {
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
    const rows = figures.map(p =>
      `| ${p.family} | ${p.size}³ | ${p.seed} | ${p.stage} | ${p.material} | ${p.angles} | ${p.seconds.total.toFixed(2)} | ` +
        `${CLASS_NAMES.map(c => f(p.thresholdDice[c])).join(' | ')} | ${f(p.bestIntervalDice.DL)} | ` +
        `${f(p.histogramOverlap['DL-RM'])} | ${f(p.histogramOverlap['DL-bone'])} | ${f(p.histogramOverlap['bone-RM'])} |`
    );
    return [
      '# Phantom benchmark',
      '',
      ...notes.map(n => `- ${n}`),
      '',
      '| family | size | seed | weeks | material | angles | seconds | Dice bg | Dice bone | Dice DL | Dice RM | best-interval Dice DL | overlap DL-RM | overlap DL-bone | overlap bone-RM |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      ''
    ].join('\n');
  }
}
