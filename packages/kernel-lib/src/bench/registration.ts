/**
 * Registration benchmark: on phantom pairs with known truth, (a) two degradation stages with a
 * rigid offset and a smooth deformation (NCC for rigid/affine) and (b) a non-monotonic intensity
 * re-mapping (MIND for rigid/affine), the Dice of bone and implant (DL + RM), TRE, SDlogJ and the
 * percentage of folding voxels before and after rigid, affine and convexAdam; and convexAdam's wall
 * time on a 128^3 pair. The published PyTorch convexAdam is not run side by side (yet).
 *
 * Writes bench-results/registration.json and .md at the repository root.
 *
 * @example
 * node lib/bench/run.js registration
 */
import { mkdirSync, renameSync, writeFileSync } from 'fs';
import { cpus, totalmem } from 'os';
import { resolve } from 'path';

import {
  convexAdam,
  crossModalPair,
  dice,
  DisplacementField,
  jacobianStatistics,
  registerLinear,
  targetRegistrationError,
  timePointPair,
  warpVolume
} from '../register';
import type { RegistrationPair } from '../register';

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

/** Run the registration benchmark; returns what it wrote to bench-results/registration.json. */
export async function run(): Promise<object> {
  const rows: Row[] = [];
  const size = 64;
  for (const [name, build, metric] of [
    ['(a) time points', () => timePointPair({ size, seed: 1 }), 'ncc'],
    ['(b) cross-modal', () => crossModalPair({ size, seed: 1 }), 'mind']
  ] as const) {
    const pair = await build();
    rows.push(Private.evaluate(pair, name, 'none', DisplacementField.zeros(pair.fixed), 0));
    rows.push(Private.evaluate(pair, name, 'truth', pair.truth, 0));
    let t = performance.now();
    const rigid = await registerLinear(pair.fixed, pair.moving, { model: 'rigid', metric });
    rows.push(Private.evaluate(pair, name, `rigid (${metric})`, DisplacementField.fromAffine(rigid.transform, pair.fixed), Private.since(t)));
    t = performance.now();
    const affine = await registerLinear(pair.fixed, pair.moving, { model: 'affine', metric, initial: rigid.transform });
    rows.push(Private.evaluate(pair, name, `affine (${metric})`, DisplacementField.fromAffine(affine.transform, pair.fixed), Private.since(t)));
    t = performance.now();
    const deformable = await convexAdam(pair.fixed, pair.moving);
    rows.push(Private.evaluate(pair, name, 'convexAdam', deformable.field, Private.since(t)));
    console.log(`${name}: done`);
  }
  const big = await timePointPair({ size: 128, seed: 1 });
  const timed = await convexAdam(big.fixed, big.moving);
  const bigRow = Private.evaluate(big, '(a) time points, 128^3', 'convexAdam', timed.field, timed.seconds.total);
  rows.push(bigRow);
  const result = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    convexAdam128: { seconds: timed.seconds },
    rows,
    notes: [
      'Pairs from implantPhantom (64^3 unless stated); truth = rigid offset (4 deg, 3 voxels) after a smooth deformation (max 4 voxels).',
      'Dice: bone = label 1, implant = labels 2 + 3, of the moving labels warped (nearest) onto the fixed grid; "truth" warps by the true field (stage change and nearest interpolation keep it below 1).',
      'SDlogJ with the Learn2Reg evaluation code convention (log of J + 3, 2-voxel crop); TRE mean over 40 landmarks in the specimen.',
      'Single-threaded (no worker threads). Not run: the published PyTorch convexAdam side by side, slice-to-volume.'
    ]
  };
  Private.write('registration.json', `${JSON.stringify(result, null, 2)}\n`);
  Private.write('registration.md', Private.markdown(result));
  return result;
}

namespace Private {
  export function since(t: number): number {
    return (performance.now() - t) / 1000;
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

  export function round(v: number): number {
    return Math.round(v * 1000) / 1000;
  }

  export function markdown(result: { machine: object; rows: Row[]; notes: string[] }): string {
    const head = '| pair | method | s | Dice bone | Dice implant | TRE µm | SDlogJ | % J<=0 |\n|---|---|---|---|---|---|---|---|\n';
    const body = result.rows
      .map(r => `| ${r.pair} | ${r.method} | ${r.seconds} | ${r.diceBone} | ${r.diceImplant} | ${r.treUm} | ${r.sdLogJ} | ${r.negativeJacobianPercent} |`)
      .join('\n');
    return `# Registration benchmark\n\nMachine: ${JSON.stringify(result.machine)}\n\n${head}${body}\n\n${result.notes.map(n => `- ${n}`).join('\n')}\n`;
  }

  /** Write under bench-results/ at the repository root, atomically. */
  export function write(name: string, text: string): void {
    const dir = resolve(__dirname, '../../../../bench-results');
    mkdirSync(dir, { recursive: true });
    const tmp = resolve(dir, `.${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, resolve(dir, name));
  }
}
