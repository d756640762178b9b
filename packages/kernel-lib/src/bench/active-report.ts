/**
 * What the active-learning benchmark saves and how it reads: the result's shape, the summary per oracle (slices to
 * reach 95 % of the fully supervised reference, best strategy against random), the markdown report, the headlines of
 * bench-results/README.md and the Vega-Lite plot.
 *
 * @example
 * const summary = summariseActive(result.curves.filter(c => c.oracle === 'perfect'), result.reference, result.setting);
 * const markdown = activeMarkdown(result);
 */
import type { AcquisitionStrategy } from '../active';
import type { OrthogonalAxis } from '../protocol';
import type { OracleName } from './active-oracle';
import type { Headline } from './results';

/** Class names of the sun-implant model, in label order. */
export const CLASSES = ['background', 'bone', 'DL', 'RM'];

/** One strategy with one oracle on one phantom: per round (0 = the U-Net alone), on the never-annotated voxels. */
export interface ActiveCurve {
  oracle: OracleName;
  strategy: AcquisitionStrategy;
  seed: number;
  /** Annotated slices after each round. */
  slices: number[];
  /** Dice [background, bone, DL, RM]. */
  dice: number[][];
  /** Mean Dice of bone, DL and RM. */
  meanForegroundDice: number[];
  /** The U-Net alone on the same voxels (they change as slices are annotated). */
  unetMeanForegroundDice: number[];
  /** Voxels scored. */
  heldOutVoxels: number[];
  /** Voxels that carry an annotation. */
  labelledVoxels: number[];
  trainSeconds: number[];
  predictSeconds: number[];
  /** Slices in the order they were annotated. */
  picks: number[];
}

/** The U-Net alone on one phantom (no annotation: every voxel scored). */
export interface UnetAlone {
  seed: number;
  dice: number[];
  meanForegroundDice: number;
  outputsSeconds: number;
}

/** The fully supervised reference on one phantom: a head trained on every slice of another phantom. */
export interface ReferenceHead {
  /** The phantom it is scored on (every voxel: none of them was annotated). */
  seed: number;
  /** The phantom whose every slice it was trained on. */
  trainedOnSeed: number;
  dice: number[];
  meanForegroundDice: number;
  trainSeconds: number;
  trainingVoxels: number;
}

/** The benchmark's setting, as saved. */
export interface ActiveSetting {
  model: string;
  phantoms: { size: number; seeds: number[]; stage: number; material: string; phaseContrast: number; flux: number; family: string };
  /** Seeds of the phantoms the reference heads were trained on, one per evaluated phantom. */
  referencePhantomSeeds: number[];
  axis: OrthogonalAxis;
  slicesPerRound: number;
  rounds: number;
  strategies: readonly AcquisitionStrategy[];
  oracles: Record<OracleName, string>;
  /** Fraction of the reference's Dice a strategy must reach (the "95 %"). */
  target: number;
  evaluation: string;
  reference: string;
  /** Why these seeds and rounds. */
  cost: string;
}

/** What bench-results/active.json holds (besides the stamp and headlines). */
export interface ActiveResult {
  name: 'active';
  quick: boolean;
  setting: ActiveSetting;
  unet: UnetAlone[];
  reference: ReferenceHead[];
  summary: Record<OracleName, ActiveSummary>;
  timings: {
    headTrainSeconds: Stats;
    predictSeconds: Stats;
    updateToOverlaySeconds: Stats;
    benchSeconds: number;
    /** 1 / 5 / 15 min load average at the last save (other jobs share the cores). */
    loadAverage: number[];
  };
  curves: ActiveCurve[];
  /** The plot as a Vega-Lite spec (rendered to active.svg). */
  plot: Record<string, unknown>;
}

/** Mean, max and count of a list of seconds. */
export interface Stats {
  mean: number;
  max: number;
  n: number;
}

/** Summary of one oracle's curves; see `summariseActive`. */
export type ActiveSummary = ReturnType<typeof summariseActive>;

/**
 * Per strategy: mean curve over seeds and the slices needed to reach the target, under two criteria: the mean Dice
 * of bone, DL and RM reaches 95 % of the reference's ("mean of classes"), and each of the three reaches 95 % of its own
 * reference Dice ("every class": the rare DL cannot hide behind bone). Each on the mean curve over seeds and per seed
 * against that phantom's reference (median over seeds; a seed that never reaches counts as budget + K).
 */
export function summariseActive(curves: ActiveCurve[], reference: ReferenceHead[], setting: Pick<ActiveSetting, 'slicesPerRound' | 'rounds' | 'strategies' | 'target'>) {
  const { slicesPerRound: K, rounds, strategies, target: fraction } = setting;
  const budget = K * rounds;
  const referenceClass = [1, 2, 3].map(cls => Private.mean(reference.map(s => s.dice[cls])));
  const target = fraction * Private.mean(reference.map(s => s.meanForegroundDice));
  const reachesMean = (dice: number[], own: ReferenceHead) => Private.mean([1, 2, 3].map(c => dice[c])) >= fraction * own.meanForegroundDice;
  const reachesEvery = (dice: number[], own: ReferenceHead) => [1, 2, 3].every(c => dice[c] >= fraction * own.dice[c]);
  const perStrategy = strategies.map(strategy => {
    const mine = curves.filter(c => c.strategy === strategy);
    const slices = mine[0].slices;
    const meanCurve = slices.map((_, r) => Private.mean(mine.map(c => c.meanForegroundDice[r])));
    const perClass = [1, 2, 3].map(cls => slices.map((_, r) => Private.round4(Private.mean(mine.map(c => c.dice[r][cls])))));
    const first = (ok: (r: number) => boolean) => {
      const r = slices.findIndex((_, i) => ok(i));
      return r < 0 ? null : slices[r];
    };
    const perSeed = (reaches: (dice: number[], own: ReferenceHead) => boolean) =>
      mine.map(c => {
        const own = reference.find(s => s.seed === c.seed)!;
        const r = c.dice.findIndex(d => reaches(d, own));
        return r < 0 ? null : c.slices[r];
      });
    const medianOf = (xs: (number | null)[]) => Private.median(xs.map(x => x ?? budget + K).sort((a, b) => a - b));
    const meanSeeds = perSeed(reachesMean);
    const everySeeds = perSeed(reachesEvery);
    return {
      strategy,
      slices,
      meanForegroundDice: meanCurve.map(Private.round4),
      unetMeanForegroundDice: slices.map((_, r) => Private.round4(Private.mean(mine.map(c => c.unetMeanForegroundDice[r])))),
      labelledVoxels: slices.map((_, r) => Math.round(Private.mean(mine.map(c => c.labelledVoxels[r])))),
      bone: perClass[0],
      dl: perClass[1],
      rm: perClass[2],
      meanOfClasses: { meanCurve: first(r => meanCurve[r] >= target), perSeed: meanSeeds, median: medianOf(meanSeeds) },
      everyClass: { meanCurve: first(r => [0, 1, 2].every(c => perClass[c][r] >= fraction * referenceClass[c])), perSeed: everySeeds, median: medianOf(everySeeds) }
    };
  });
  const verdict = (criterion: 'meanOfClasses' | 'everyClass', on: 'meanCurve' | 'median') => {
    const value = (p: (typeof perStrategy)[number]) => p[criterion][on] ?? budget + K;
    const random = value(perStrategy.find(p => p.strategy === 'random')!);
    const best = perStrategy.filter(p => p.strategy !== 'random').sort((a, b) => value(a) - value(b))[0];
    const reduction = 1 - value(best) / random;
    return { best: best.strategy, bestSlices: value(best), randomSlices: random, reduction: +reduction.toFixed(3), floorMet: reduction >= 0.25 };
  };
  return {
    targetMeanForegroundDice: Private.round4(target),
    targetPerClass: referenceClass.map(d => Private.round4(fraction * d)),
    budget,
    perStrategy,
    verdicts: {
      meanOfClasses: { meanCurve: verdict('meanOfClasses', 'meanCurve'), medianPerSeed: verdict('meanOfClasses', 'median') },
      everyClass: { meanCurve: verdict('everyClass', 'meanCurve'), medianPerSeed: verdict('everyClass', 'median') }
    }
  };
}

/** The figures bench-results/README.md lists: U-Net, reference, each oracle at the budget and its verdict. */
export function activeHeadlines(r: ActiveResult): Headline[] {
  const oracles = Object.keys(r.summary) as OracleName[];
  const headlines: Headline[] = [
    { label: 'U-Net alone, mean Dice of bone, DL, RM (all voxels)', value: Private.f(Private.mean(r.unet.map(u => u.meanForegroundDice))) },
    { label: 'fully supervised reference (head trained on every slice of other phantoms)', value: Private.f(Private.mean(r.reference.map(u => u.meanForegroundDice))) }
  ];
  for (const oracle of oracles) {
    const s = r.summary[oracle];
    const random = s.perStrategy.find(p => p.strategy === 'random')!;
    const best = s.perStrategy.filter(p => p.strategy !== 'random').sort((a, b) => b.meanForegroundDice.at(-1)! - a.meanForegroundDice.at(-1)!)[0];
    const v = s.verdicts.meanOfClasses.medianPerSeed;
    headlines.push(
      {
        label: `${oracle} oracle, ${s.budget} slices, mean Dice on never-annotated voxels (best strategy, random)`,
        value: `${best.strategy} ${Private.f(best.meanForegroundDice.at(-1)!)}, random ${Private.f(random.meanForegroundDice.at(-1)!)}`
      },
      {
        label: `${oracle} oracle, slices to 95 % of the reference (median per seed, mean of classes)`,
        value: `${v.best} ${Private.slices(v.bestSlices, s.budget)} vs random ${Private.slices(v.randomSlices, s.budget)}: ${Private.fewer(v.reduction)}, 25 % floor ${v.floorMet ? 'met' : 'not met'}`
      }
    );
  }
  return headlines;
}

/** The report (bench-results/active.md; `saveBenchResult` puts the stamp under its title). */
export function activeMarkdown(r: ActiveResult): string {
  const s = r.setting;
  const oracles = Object.keys(r.summary) as OracleName[];
  const budget = s.slicesPerRound * s.rounds;
  const seeds = (xs: (number | null)[]) => xs.map(x => x ?? '-').join(', ');
  const classRow = (label: string, rows: { dice: number[]; meanForegroundDice: number }[]) =>
    `| ${label} | ${[1, 2, 3].map(c => Private.f(Private.mean(rows.map(u => u.dice[c])))).join(' | ')} | ${Private.f(Private.mean(rows.map(u => u.meanForegroundDice)))} |`;
  const lines = [
    '# active-learning benchmark',
    '',
    r.quick ? '**QUICK smoke run (MDLMA_BENCH_QUICK=1): figures not comparable.**\n' : '',
    '## Protocol',
    '',
    `- Phantoms: ${s.phantoms.seeds.length} held-out synthetic phantoms (seeds ${s.phantoms.seeds.join(', ')}), ${s.phantoms.size}³, ${s.phantoms.material} at ${s.phantoms.stage} weeks, ` +
      `phase contrast ${s.phantoms.phaseContrast}, flux ${s.phantoms.flux}: a domain shift for ${s.model}, trained on 128³ phantoms with phase contrast 0-0.8. ` +
      `ONNX Runtime on 1 thread; head and acquisition in TypeScript on one core.`,
    `- Loop: every strategy starts from the U-Net alone and adds ${s.slicesPerRound} slice along ${s.axis} per round for ${s.rounds} rounds (budget ${budget}); ` +
      `the head retrains on all annotated voxels each round. One strategy seed per phantom.`,
    `- Scoring: ${s.evaluation}`,
    `- Oracles: **perfect**: ${s.oracles.perfect} **imperfect**: ${s.oracles.imperfect}`,
    `- Reference ("fully supervised"): ${s.reference} Target: ${Math.round(s.target * 100)} % of it.`,
    `- Cost: ${s.cost}`,
    '',
    '## U-Net alone and the reference',
    '',
    '| | bone | DL | RM | mean |',
    '|---|---|---|---|---|',
    classRow('U-Net alone (every voxel)', r.unet),
    classRow(`reference: head trained on every slice of phantoms ${r.reference.map(x => x.trainedOnSeed).join(', ')}`, r.reference),
    '',
    `## Mean Dice (bone, DL, RM) on never-annotated voxels vs annotated slices, mean over seeds`,
    '',
    `| oracle | strategy | ${r.summary[oracles[0]].perStrategy[0].slices.join(' | ')} |`,
    `|---|---|${r.summary[oracles[0]].perStrategy[0].slices.map(() => '---').join('|')}|`,
    ...oracles.flatMap(o => r.summary[o].perStrategy.map(p => `| ${o} | ${p.strategy} | ${p.meanForegroundDice.map(Private.f).join(' | ')} |`)),
    '',
    `## Slices to reach 95 % of the reference (budget ${budget}; "-" = not within it, counted as ${budget + s.slicesPerRound})`,
    '',
    `Mean of classes: the mean Dice of bone, DL and RM reaches 95 % of the reference's (${Private.f(r.summary[oracles[0]].targetMeanForegroundDice)} on the mean curve). ` +
      `Every class: each of bone, DL and RM reaches 95 % of its own (${r.summary[oracles[0]].targetPerClass.map(Private.f).join(', ')} on the mean curves). Per seed, against that phantom's reference.`,
    '',
    '| oracle | strategy | mean of classes: mean curve | per seed | median | every class: mean curve | per seed | median |',
    '|---|---|---|---|---|---|---|---|',
    ...oracles.flatMap(o =>
      r.summary[o].perStrategy.map(
        p => `| ${o} | ${p.strategy} | ${p.meanOfClasses.meanCurve ?? '-'} | ${seeds(p.meanOfClasses.perSeed)} | ${p.meanOfClasses.median} | ${p.everyClass.meanCurve ?? '-'} | ${seeds(p.everyClass.perSeed)} | ${p.everyClass.median} |`
      )
    ),
    '',
    '## At the last round, mean over seeds',
    '',
    'The U-Net alone is scored on the same never-annotated voxels as the strategy: leaving out the slices a strategy picked can make the rest easier or harder by itself.',
    '',
    '| oracle | strategy | bone | DL | RM | mean | U-Net alone, same voxels | labelled voxels |',
    '|---|---|---|---|---|---|---|---|',
    ...oracles.flatMap(o =>
      r.summary[o].perStrategy.map(
        p => `| ${o} | ${p.strategy} | ${Private.f(p.bone.at(-1)!)} | ${Private.f(p.dl.at(-1)!)} | ${Private.f(p.rm.at(-1)!)} | ${Private.f(p.meanForegroundDice.at(-1)!)} | ${Private.f(p.unetMeanForegroundDice.at(-1)!)} | ${p.labelledVoxels.at(-1)} |`
      )
    ),
    '',
    '## Floor: the best strategy needs at least 25 % fewer slices than random',
    '',
    '| oracle | criterion | on | best | its slices | random | reduction | floor |',
    '|---|---|---|---|---|---|---|---|',
    ...oracles.flatMap(o =>
      (['meanOfClasses', 'everyClass'] as const).flatMap(c =>
        (['meanCurve', 'medianPerSeed'] as const).map(on => {
          const v = r.summary[o].verdicts[c][on];
          return `| ${o} | ${c === 'meanOfClasses' ? 'mean of classes' : 'every class'} | ${on === 'meanCurve' ? 'mean curve' : 'median per seed'} | ${v.best} | ${v.bestSlices} | ${v.randomSlices} | ${Math.round(100 * v.reduction)} % | ${v.floorMet ? 'met' : 'NOT met'} |`;
        })
      )
    ),
    '',
    '## Timings',
    '',
    `Wall-clock; load average at the last save ${r.timings.loadAverage.join(' / ')} (1 / 5 / 15 min; other jobs may share the cores).`,
    '',
    `- head training per round: mean ${r.timings.headTrainSeconds.mean} s, max ${r.timings.headTrainSeconds.max} s (${r.timings.headTrainSeconds.n} rounds)`,
    `- re-prediction of every voxel per round: mean ${r.timings.predictSeconds.mean} s, max ${r.timings.predictSeconds.max} s`,
    `- \`al.update()\` to the refreshed overlay slice (update + the panel's get-slice reply, kernel side): mean ${r.timings.updateToOverlaySeconds.mean} s, max ${r.timings.updateToOverlaySeconds.max} s`,
    `- whole benchmark: ${Math.round(r.timings.benchSeconds)} s`,
    '',
    'Plot: active.svg (Dice per class vs annotated slices, one row per oracle; band = ±1 standard deviation over seeds, dashed = the reference); its Vega-Lite spec is `plot` in active.json.',
    ''
  ];
  return lines.join('\n');
}

/** A Vega-Lite spec: Dice of bone, DL, RM and their mean vs annotated slices, one line per strategy, one row per oracle (mean over seeds, band = ±1 standard deviation). */
export function activeLearningPlotSpec(curves: ActiveCurve[], reference: ReferenceHead[]): Record<string, unknown> {
  const MEAN = 'mean of bone, DL, RM';
  const REFERENCE = 'fully supervised (other phantoms)';
  const values = curves.flatMap(c =>
    c.slices.flatMap((slices, r) => [
      ...[1, 2, 3].map(cls => ({ oracle: c.oracle, strategy: c.strategy, seed: c.seed, slices, class: CLASSES[cls], dice: c.dice[r][cls] })),
      { oracle: c.oracle, strategy: c.strategy, seed: c.seed, slices, class: MEAN, dice: c.meanForegroundDice[r] }
    ])
  );
  const oracles = [...new Set(curves.map(c => c.oracle))];
  const referenceValues = oracles.flatMap(oracle => [
    ...[1, 2, 3].map(cls => ({ oracle, strategy: REFERENCE, slices: null, class: CLASSES[cls], dice: Private.mean(reference.map(s => s.dice[cls])) })),
    { oracle, strategy: REFERENCE, slices: null, class: MEAN, dice: Private.mean(reference.map(s => s.meanForegroundDice)) }
  ]);
  const curvesOnly = { filter: `datum.strategy != '${REFERENCE}'` };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Active learning: Dice on never-annotated voxels vs annotated slices',
    data: { values: [...values, ...referenceValues] },
    facet: { row: { field: 'oracle', type: 'nominal', title: 'oracle' }, column: { field: 'class', type: 'nominal', title: null } },
    spec: {
      width: 200,
      height: 150,
      layer: [
        {
          transform: [curvesOnly],
          mark: { type: 'errorband', extent: 'stdev', opacity: 0.15 },
          encoding: { x: { field: 'slices', type: 'quantitative', title: 'annotated slices' }, y: { field: 'dice', type: 'quantitative', title: 'Dice', scale: { zero: false } }, color: { field: 'strategy', type: 'nominal' } }
        },
        {
          transform: [curvesOnly],
          mark: { type: 'line', point: true },
          encoding: { x: { field: 'slices', type: 'quantitative' }, y: { field: 'dice', type: 'quantitative', aggregate: 'mean' }, color: { field: 'strategy', type: 'nominal' } }
        },
        {
          transform: [{ filter: `datum.strategy == '${REFERENCE}'` }],
          mark: { type: 'rule', strokeDash: [4, 3], color: 'black' },
          encoding: { y: { field: 'dice', type: 'quantitative' } }
        }
      ]
    },
    resolve: { scale: { y: 'independent' } }
  };
}

/** Mean, max and count of a list of seconds. */
export function secondsStats(seconds: number[]): Stats {
  return { mean: +Private.mean(seconds).toFixed(3), max: +Math.max(...seconds).toFixed(3), n: seconds.length };
}

namespace Private {
  /** Mean of the finite values (0 when there are none). */
  export function mean(a: number[]): number {
    const ok = a.filter(x => Number.isFinite(x));
    return ok.reduce((s, x) => s + x, 0) / Math.max(1, ok.length);
  }

  /** Median of sorted numbers (mean of the middle two for an even count). */
  export function median(sorted: number[]): number {
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  export function round4(x: number): number {
    return +x.toFixed(4);
  }

  export function f(x: number): string {
    return x.toFixed(3);
  }

  /** A relative reduction in words ("40 % fewer", "20 % more"). */
  export function fewer(reduction: number): string {
    const percent = Math.round(100 * reduction);
    return percent >= 0 ? `${percent} % fewer` : `${-percent} % more`;
  }

  /** A slice count, or "none within B" when it is the stand-in for "not reached". */
  export function slices(n: number, budget: number): string {
    return n > budget ? `none within ${budget}` : `${n}`;
  }
}
