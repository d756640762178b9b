/**
 * Registration benchmark (`npm run bench -- registration`), in parts:
 *
 * - pairs: on phantom pairs with known truth, (a) two degradation stages with a rigid offset and a
 *   smooth deformation (NCC for rigid/affine) and (b) a non-monotonic intensity re-mapping (MIND for
 *   rigid/affine), the Dice of bone and implant (DL + RM), TRE, SDlogJ and the percentage of folding
 *   voxels before and after rigid, affine and convexAdam;
 * - speed: convexAdam's wall time on a 128^3 pair;
 * - section: slice-to-volume on 20 histology stand-ins (pair (c)): pose errors, 2D Dice and the 2D
 *   field's error before and after the deformable refinement, time;
 * - published: the published PyTorch convexAdam on the same pairs, run only when
 *   MDLMA_CONVEXADAM_PATH points at a local checkout of multimodallearning/convexAdam (never
 *   committed here) and MDLMA_PYTHON (default /usr/bin/python3) imports torch and numpy.
 *
 * MDLMA_BENCH_PARTS=pairs,speed,section,published (default all) picks the parts; a part left out (or
 * "published" without its checkout) is saved as not run, never taken from an older result. Saves
 * bench-results/registration.json and .md (stamped: results.ts).
 *
 * @example
 * npm run bench -- registration
 * MDLMA_BENCH_PARTS=section npm run bench -- registration
 * MDLMA_CONVEXADAM_PATH=/tmp/convexAdam MDLMA_BENCH_PARTS=published npm run bench -- registration
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir } from 'os';
import { join } from 'path';

import { dice } from '../metrics';
import { crossModalPair, sectionPairs, timePointPair, type RegistrationPair } from '../phantom';
import {
  composeFields,
  convexAdam,
  DisplacementField,
  jacobianStatistics,
  registerLinear,
  registerSection,
  sectionPoseError,
  targetRegistrationError,
  virtualSection,
  warpVolume
} from '../register';
import { benchStamp, isNotRun, notRun, saveBenchResult, type Headline } from './results';

const PARTS = (process.env.MDLMA_BENCH_PARTS ?? 'pairs,speed,section,published').split(',');

/** One method's figures on one pair. */
interface Row {
  pair: string;
  method: string;
  seconds: number;
  diceBone: number;
  diceImplant: number;
  treUm: number;
  sdLogJ: number;
  negativeJacobianPercent: number;
}

/** One section's figures. */
interface SectionRow {
  section: number;
  angleDeg: number;
  normalDeg: number;
  offsetVoxels: number;
  nmi: number;
  nmiDeformed: number;
  confidence: number;
  diceBoneRigid: number;
  diceBoneDeformed: number;
  diceImplantRigid: number;
  diceImplantDeformed: number;
  fieldErrorBeforePx: number;
  fieldErrorAfterPx: number;
  seconds: number;
}

/** Run the registration benchmark; returns what it saved to bench-results/registration.json. */
export async function run(): Promise<object> {
  const stamp = benchStamp('registration');
  const left = notRun('not run: left out of MDLMA_BENCH_PARTS');
  const pairs = PARTS.includes('pairs') ? await Private.pairs() : left;
  const speed = PARTS.includes('speed') ? await Private.speed() : left;
  const section = PARTS.includes('section') ? await Private.sections() : left;
  const checkout = process.env.MDLMA_CONVEXADAM_PATH;
  const published = !PARTS.includes('published')
    ? left
    : checkout
      ? await Private.published(checkout)
      : notRun('not run: set MDLMA_CONVEXADAM_PATH to a local checkout of multimodallearning/convexAdam');
  const result = { pairs, speed, section, published };
  await saveBenchResult({ stamp, result, markdown: Private.markdown(result), headlines: Private.headlines(result) });
  return result;
}

namespace Private {
  export function since(t: number): number {
    return (performance.now() - t) / 1000;
  }

  /** Part "pairs": none / truth / rigid / affine / convexAdam on pairs (a) and (b), 64^3. */
  export async function pairs(): Promise<{ rows: Row[]; pairs: Record<string, string>; notes: string[] }> {
    const rows: Row[] = [];
    const described: Record<string, string> = {};
    const size = 64;
    for (const [name, build, metric] of [
      ['(a) time points', () => timePointPair({ size, seed: 1 }), 'ncc'],
      ['(b) cross-modal', () => crossModalPair({ size, seed: 1 }), 'mind']
    ] as const) {
      const pair = await build();
      described[name] = `${pair.description}; ${pair.truthDescription}`;
      rows.push(evaluate(pair, name, 'none', DisplacementField.zeros(pair.fixed), 0));
      rows.push(evaluate(pair, name, 'truth', pair.truth, 0));
      let t = performance.now();
      const rigid = await registerLinear(pair.fixed, pair.moving, { model: 'rigid', metric });
      rows.push(evaluate(pair, name, `rigid (${metric})`, DisplacementField.fromAffine(rigid.transform, pair.fixed), since(t)));
      t = performance.now();
      const affine = await registerLinear(pair.fixed, pair.moving, { model: 'affine', metric, initial: rigid.transform });
      rows.push(evaluate(pair, name, `affine (${metric})`, DisplacementField.fromAffine(affine.transform, pair.fixed), since(t)));
      t = performance.now();
      const deformable = await convexAdam(pair.fixed, pair.moving);
      rows.push(evaluate(pair, name, 'convexAdam', deformable.field, since(t)));
      t = performance.now();
      const both = await convexAdam(pair.fixed, pair.moving, { initial: affine.transform });
      rows.push(evaluate(pair, name, 'affine + convexAdam', both.field, since(t) + affine.seconds + rigid.seconds));
      console.log(`${name}: done`);
    }
    return {
      rows,
      pairs: described,
      notes: [
        'Pairs from implantPhantom, 64^3 (75 µm voxels); the moving image is the source warped so that fixed voxel x shows moving point x + truth(x).',
        'Dice: bone = label 1, implant = labels 2 + 3, of the moving labels warped (nearest) onto the fixed grid; "truth" warps by the true field (stage change and nearest interpolation keep it below 1).',
        'SDlogJ with the Learn2Reg evaluation code convention (log of J + 3, 2-voxel crop); TRE mean over 40 landmarks in the specimen.',
        'convexAdam with its published defaults, from the identity; "affine + convexAdam" starts from the affine result (seconds include rigid and affine).',
        'Single-threaded (no worker threads).'
      ]
    };
  }

  /** Part "speed": convexAdam on a 128^3 pair (a). */
  export async function speed(): Promise<object> {
    const big = await timePointPair({ size: 128, seed: 1 });
    const timed = await convexAdam(big.fixed, big.moving);
    return { pair: '(a) time points, 128^3', seconds: timed.seconds, row: evaluate(big, '(a) time points, 128^3', 'convexAdam', timed.field, timed.seconds.total) };
  }

  export function evaluate(pair: RegistrationPair, name: string, method: string, field: DisplacementField, seconds: number): Row {
    const warped = warpVolume(pair.movingLabels, field, { method: 'nearest' });
    const j = jacobianStatistics(field);
    return {
      pair: name,
      method,
      seconds: round(seconds),
      diceBone: round(dice(pair.fixedLabels, warped, 1)),
      diceImplant: round(dice(pair.fixedLabels, warped, [2, 3])),
      treUm: round(targetRegistrationError(field, pair.landmarks.fixed, pair.landmarks.moving).mean),
      sdLogJ: round(j.sdLogJ),
      negativeJacobianPercent: round(j.negativePercent)
    };
  }

  /** Part "section": registerSection on 20 sections of pair (c) with default options. */
  export async function sections(): Promise<object> {
    const data = await sectionPairs({ size: 64, seed: 1, count: 20 });
    const rows: SectionRow[] = [];
    const warnings: string[] = [];
    for (const [k, s] of data.sections.entries()) {
      const t = performance.now();
      const result = await registerSection(s.image, data.volume, { onWarning: m => warnings.push(`section ${k}: ${m}`) });
      const seconds = since(t);
      const e = sectionPoseError(result.pose, s.pose, data.volume);
      const [, h, w] = s.image.shape;
      const labels = virtualSection(data.labels, result.pose, { shape: [h, w], spacing: s.image.spacing[2], method: 'nearest' });
      const deformedLabels = warpVolume(s.labels, result.field, { method: 'nearest' });
      // The 2D field's error: |u(p) + d(p + u(p))| (0 when u inverts the true deformation d).
      const meanLength = (f: DisplacementField): number => {
        const n = f.size;
        let sum = 0;
        for (let i = 0; i < n; i++) sum += Math.hypot(f.data[n + i], f.data[2 * n + i]);
        return sum / n;
      };
      rows.push({
        section: k,
        angleDeg: round(e.angleDeg),
        normalDeg: round(e.normalDeg),
        offsetVoxels: round(e.offsetVoxels),
        nmi: round(result.similarity),
        nmiDeformed: round(result.similarityDeformed),
        confidence: round(result.confidence),
        diceBoneRigid: round(dice(labels, s.labels, 1)),
        diceBoneDeformed: round(dice(labels, deformedLabels, 1)),
        diceImplantRigid: round(dice(labels, s.labels, [2, 3])),
        diceImplantDeformed: round(dice(labels, deformedLabels, [2, 3])),
        fieldErrorBeforePx: round(meanLength(s.deformation)),
        fieldErrorAfterPx: round(meanLength(composeFields(s.deformation, result.field))),
        seconds: round(seconds)
      });
      console.log(`section ${k}: ${JSON.stringify(rows[rows.length - 1])}`);
    }
    const median = (key: keyof SectionRow, only = rows): number => {
      const v = only.map(r => r[key]).filter(Number.isFinite).sort((a, b) => a - b);
      return v.length ? round(v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN;
    };
    const found = rows.filter(r => r.angleDeg < 5 && r.offsetVoxels < 2);
    const summary = {
      medianAngleDeg: median('angleDeg'),
      medianNormalDeg: median('normalDeg'),
      medianOffsetVoxels: median('offsetVoxels'),
      found: `${found.length}/${rows.length} (angle < 5 deg and offset < 2 voxels)`,
      medianSeconds: median('seconds'),
      whereFound: {
        diceBoneRigid: median('diceBoneRigid', found),
        diceBoneDeformed: median('diceBoneDeformed', found),
        diceImplantRigid: median('diceImplantRigid', found),
        diceImplantDeformed: median('diceImplantDeformed', found),
        fieldErrorBeforePx: median('fieldErrorBeforePx', found),
        fieldErrorAfterPx: median('fieldErrorAfterPx', found)
      },
      floors: {
        'median angle error < 2 deg': median('angleDeg') < 2,
        'median offset error < 2 voxels': median('offsetVoxels') < 2
      }
    };
    return {
      description: data.description,
      summary,
      rows,
      warnings,
      notes: [
        'registerSection with its defaults: axial search prior (in-plane rotation all round in 10 deg steps, tilts ±20 deg in 10 deg steps, depth over half the volume extent), NMI, 32 refined starts, 2D deformable refinement (MIND-SSC + Adam).',
        'Angle error: the angle of the rotation between estimated and true pose; normal: the angle between the section normals; offset: distance between the section centres in voxels.',
        '2D Dice: labels of the virtual section at the estimated pose vs the stand-in\'s labels, without ("rigid") and with the 2D field; field error: mean |u(p) + d(p + u(p))| in pixels with d the true deformation (before: mean |d|). Medians over the sections found.'
      ]
    };
  }

  /**
   * Part "published": the published convexAdam (PyTorch, CPU) on pairs (a) and (b) and the 128^3 pair
   * beside ours, same inputs (raw float32 [z, y, x]), same defaults; Dice and time ratios. The small
   * Python runner is written to a temporary folder at run time and imports the checkout given.
   */
  export async function published(checkout: string): Promise<object> {
    const python = process.env.MDLMA_PYTHON ?? '/usr/bin/python3';
    if (!existsSync(join(checkout, 'src', 'convexAdam', 'convex_adam_MIND.py'))) {
      throw new Error(`MDLMA_CONVEXADAM_PATH=${checkout} is not a checkout of multimodallearning/convexAdam (no src/convexAdam/convex_adam_MIND.py)`);
    }
    const tmp = mkdtempSync(join(tmpdir(), 'mdlma-convexadam-'));
    try {
      const script = join(tmp, 'run_published.py');
      writeFileSync(script, PUBLISHED_RUNNER);
      const rows: object[] = [];
      for (const [name, build] of [
        ['(a) time points', () => timePointPair({ size: 64, seed: 1 })],
        ['(b) cross-modal', () => crossModalPair({ size: 64, seed: 1 })],
        ['(a) time points, 128^3', () => timePointPair({ size: 128, seed: 1 })]
      ] as const) {
        const pair = await build();
        const [nz, ny, nx] = pair.fixed.shape;
        writeFileSync(join(tmp, 'fixed.f32'), Buffer.from(pair.fixed.data.buffer, pair.fixed.data.byteOffset, pair.fixed.data.byteLength));
        writeFileSync(join(tmp, 'moving.f32'), Buffer.from(pair.moving.data.buffer, pair.moving.data.byteOffset, pair.moving.data.byteLength));
        const t = performance.now();
        const ours = await convexAdam(pair.fixed, pair.moving);
        const oursSeconds = since(t);
        const out = execFileSync(python, [script, checkout, tmp, String(nz), String(ny), String(nx), String(cpus().length)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit']
        });
        const report = JSON.parse(out.trim().split('\n').pop() ?? '{}');
        const bytes = readFileSync(join(tmp, 'field.f32'));
        const field = DisplacementField.zeros(pair.fixed);
        field.data.set(new Float32Array(bytes.buffer, bytes.byteOffset, field.data.length));
        const oursRow = evaluate(pair, name, 'convexAdam (ours)', ours.field, oursSeconds);
        const theirs = evaluate(pair, name, 'convexAdam (published, PyTorch CPU)', field, report.seconds);
        rows.push({
          pair: name,
          ours: oursRow,
          published: theirs,
          diceBoneDifference: round(oursRow.diceBone - theirs.diceBone),
          diceImplantDifference: round(oursRow.diceImplant - theirs.diceImplant),
          timeRatio: round(oursRow.seconds / theirs.seconds),
          torch: report.torch,
          threads: report.threads
        });
        console.log(`published convexAdam, ${name}: ${JSON.stringify(rows[rows.length - 1])}`);
      }
      return {
        rows,
        notes: [
          'Published: multimodallearning/convexAdam, convex_adam_pt with its defaults (MIND radius 1, dilation 2, grid spacing 6, disp_hw 4, ic, 80 Adam iterations, lambda 1.25, grid_sp_adam 2), float32 on the CPU through PyTorch with as many threads as cores; ours runs on one thread. Time: its convex_adam_pt call alone, and our convexAdam call alone.',
          'Its field (channels along the array axes [z, y, x], voxels, fixed + d -> moving) is our convention, so it is evaluated as it comes.',
          'Its optional imports (nibabel, SimpleITK, scipy: file I/O and masks, unused here) are stubbed by the runner when missing; the code under test runs unmodified.',
          'Time ratio = ours / published (< 1: ours is faster); Dice difference = ours - published.'
        ]
      };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Python run beside ours: raw float32 inputs, the checkout's convex_adam_pt, the field written as raw float32 [3, z, y, x]. */
  const PUBLISHED_RUNNER = String.raw`
import json, os, sys, time, types
checkout, folder, nz, ny, nx, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
# File I/O and mask helpers the MIND path does not use: stub them when the packages are absent.
for name, attrs in [('nibabel', ['Nifti1Image', 'load', 'save']), ('SimpleITK', ['Image']), ('scipy', []), ('scipy.ndimage', ['distance_transform_edt', 'gaussian_filter'])]:
    try:
        __import__(name)
    except ImportError:
        module = types.ModuleType(name)
        for a in attrs:
            setattr(module, a, type(a, (), {}))
        sys.modules[name] = module
        if '.' in name:
            setattr(sys.modules[name.split('.')[0]], name.split('.')[1], module)
sys.path.insert(0, os.path.join(checkout, 'src'))
import numpy as np, torch
from convexAdam.convex_adam_MIND import convex_adam_pt
torch.set_num_threads(threads)
fixed = np.fromfile(os.path.join(folder, 'fixed.f32'), dtype=np.float32).reshape(nz, ny, nx)
moving = np.fromfile(os.path.join(folder, 'moving.f32'), dtype=np.float32).reshape(nz, ny, nx)
t = time.perf_counter()
disp = convex_adam_pt(img_fixed=fixed, img_moving=moving, device=torch.device('cpu'))
seconds = time.perf_counter() - t
np.ascontiguousarray(np.moveaxis(np.asarray(disp, dtype=np.float32), 3, 0)).tofile(os.path.join(folder, 'field.f32'))
print(json.dumps({'seconds': seconds, 'torch': torch.__version__, 'threads': torch.get_num_threads()}))
`;

  export function round(v: number): number {
    return Math.round(v * 1000) / 1000;
  }

  export function markdown(result: Record<string, any>): string {
    const parts: string[] = ['# Registration benchmark\n'];
    const notRunPart = (title: string, part: unknown) => isNotRun(part) && parts.push(`## ${title}\n\n${part.notRun}\n`);
    const head = '| pair | method | s | Dice bone | Dice implant | TRE µm | SDlogJ | % J<=0 |\n|---|---|---|---|---|---|---|---|\n';
    const line = (r: Row): string => `| ${r.pair} | ${r.method} | ${r.seconds} | ${r.diceBone} | ${r.diceImplant} | ${r.treUm} | ${r.sdLogJ} | ${r.negativeJacobianPercent} |`;
    notRunPart('Pairs (a) and (b)', result.pairs);
    notRunPart('Speed', result.speed);
    notRunPart('Slice-to-volume', result.section);
    notRunPart('Published convexAdam side by side', result.published);
    if (!isNotRun(result.pairs)) {
      parts.push('## Pairs (a) and (b), 64^3\n');
      parts.push(Object.entries(result.pairs.pairs ?? {}).map(([k, v]) => `- ${k}: ${v}`).join('\n') + '\n');
      parts.push(head + result.pairs.rows.map(line).join('\n') + '\n');
      parts.push(result.pairs.notes.map((n: string) => `- ${n}`).join('\n') + '\n');
    }
    if (!isNotRun(result.speed)) {
      parts.push('## Speed, 128^3\n');
      parts.push(head + line(result.speed.row) + '\n');
      parts.push(`Stages (s): ${JSON.stringify(result.speed.seconds)}\n`);
    }
    if (!isNotRun(result.section)) {
      const s = result.section;
      parts.push(`## Slice-to-volume\n\n${s.description}\n`);
      parts.push('```json\n' + JSON.stringify(s.summary, null, 2) + '\n```\n');
      const keys = Object.keys(s.rows[0] ?? {});
      parts.push(`| ${keys.join(' | ')} |\n|${keys.map(() => '---').join('|')}|\n` + s.rows.map((r: Record<string, number>) => `| ${keys.map(k => r[k]).join(' | ')} |`).join('\n') + '\n');
      parts.push(s.notes.map((n: string) => `- ${n}`).join('\n') + '\n');
      if (s.warnings?.length) parts.push(`Warnings:\n${s.warnings.map((w: string) => `- ${w}`).join('\n')}\n`);
    }
    if (!isNotRun(result.published)) {
      const p = result.published;
      parts.push('## Published convexAdam side by side\n');
      {
        parts.push(
          '| pair | ours s | published s | time ratio | Dice bone ours / published | Dice implant ours / published | TRE µm | SDlogJ | % J<=0 |\n|---|---|---|---|---|---|---|---|---|\n' +
            p.rows
              .map(
                (r: any) =>
                  `| ${r.pair} | ${r.ours.seconds} | ${r.published.seconds} | ${r.timeRatio} | ${r.ours.diceBone} / ${r.published.diceBone} | ` +
                  `${r.ours.diceImplant} / ${r.published.diceImplant} | ${r.ours.treUm} / ${r.published.treUm} | ${r.ours.sdLogJ} / ${r.published.sdLogJ} | ` +
                  `${r.ours.negativeJacobianPercent} / ${r.published.negativeJacobianPercent} |`
              )
              .join('\n') +
            '\n'
        );
        parts.push(p.notes.map((n: string) => `- ${n}`).join('\n') + '\n');
      }
    }
    return parts.join('\n');
  }

  /** The figures bench-results/README.md lists. */
  export function headlines(result: Record<string, any>): Headline[] {
    const lines: Headline[] = [];
    const { pairs, speed, section, published } = result;
    if (isNotRun(pairs)) lines.push({ label: 'pairs', value: pairs.notRun });
    else {
      for (const method of ['affine (ncc)', 'convexAdam', 'affine + convexAdam']) {
        const row = pairs.rows.find((r: Row) => r.pair === '(a) time points' && r.method === method);
        if (row) lines.push({ label: `(a) time points, ${row.method}: Dice bone / implant, TRE`, value: `${row.diceBone} / ${row.diceImplant}, ${row.treUm} µm` });
      }
    }
    lines.push(isNotRun(speed) ? { label: 'speed', value: speed.notRun } : { label: 'convexAdam on 128^3', value: `${speed.seconds.total.toFixed(1)} s` });
    if (isNotRun(section)) lines.push({ label: 'section', value: section.notRun });
    lines.push(isNotRun(published) ? { label: 'published convexAdam side by side', value: published.notRun } : { label: 'published convexAdam side by side', value: `${published.rows.length} pairs (see the report)` });
    return lines;
  }
}
