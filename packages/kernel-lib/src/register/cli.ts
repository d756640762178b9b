/**
 * `mdlma register`: aligns a moving volume to a fixed one (rigid, affine, or convexAdam after an
 * affine pre-alignment) and writes the moving image (and labels) warped onto the fixed grid; any
 * io/ format in and out. The displacement field goes to a NIfTI vector image (field-io.ts), the
 * affine part to JSON.
 *
 * @example
 * mdlma register week4.nii.gz week8.nii.gz --out week8-on-week4.nii.gz --field field.nii.gz
 * mdlma register ct.tif mr.h5 --method affine --metric mind --out mr-on-ct.zarr --transform t.json --json
 * mdlma register a.nii b.nii --out b-on-a.nii --labels b-labels.nii --labels-out b-labels-on-a.nii --fixed-labels a-labels.nii
 */
import { promises as fs } from 'fs';

import { integerOption } from '../cli-numbers';
import { MdlmaError, RegistrationInputError } from '../errors';
import { guardOutputs, read, write, writeAtomically } from '../io';
import { Volume } from '../volume';
import { convexAdam } from './convex-adam';
import { DisplacementField } from './field';
import { writeFieldNifti } from './field-io';
import { checkGrids } from './grids';
import { registerLinear } from './linear';
import { jacobianStatistics, labelDice } from './metrics';
import { AffineTransform } from './transform';
import { warpVolume } from './warp';

/** The most Adam iterations `--adam-iterations` takes: 125 times the default, so that a typo cannot run for days. */
const MAX_ADAM_ITERATIONS = 10000;

/** Help text of `mdlma register`. */
export const REGISTER_USAGE = `usage: mdlma register <fixed> <moving> --out warped.nii.gz [options]

Aligns <moving> to <fixed> and writes <moving> resampled onto the fixed grid (float32). Any io/ format
in and out (.nii, .nii.gz, .tif, .h5, .zarr, .raw). A moving image on another grid is resampled onto
the fixed one first (with a warning).

options:
  --out <file>              the warped moving image
  --method <m>              rigid | affine | convexadam (default convexadam: rigid, affine, then convexAdam)
  --metric <ncc|mind>       similarity of the rigid and affine steps: ncc (one modality, default) or mind (across modalities)
  --field <file.nii[.gz]>   also write the displacement field (NIfTI vector image, µm; fixed point p shows moving point p + d(p))
  --transform <file.json>   also write the affine part (fixed -> moving, µm, [z, y, x], 4x4)
  --labels <file>           moving labels, warped with nearest neighbour (needs --labels-out)
  --labels-out <file>       where the warped labels go (dtype kept)
  --fixed-labels <file>     fixed labels: report Dice per label before and after (needs --labels)
  --adam-iterations <n>     convexAdam's Adam iterations, 0..${MAX_ADAM_ITERATIONS} (default 80)
  --grid-spacing <n>        convexAdam's coarse grid spacing in voxels (default 6)
  --json                    print a JSON summary instead of text
  --help                    this text

No output may be an input or another output (after symlinks and hard links): such a run is
refused before anything is read or written.`;

/** What `parseRegisterArgs` returns. */
export interface RegisterCommand {
  fixed: string;
  moving: string;
  out: string;
  method: 'rigid' | 'affine' | 'convexadam';
  metric: 'ncc' | 'mind';
  field?: string;
  transform?: string;
  labels?: string;
  labelsOut?: string;
  fixedLabels?: string;
  adamIterations?: number;
  gridSpacing?: number;
}

/** Runs `mdlma register` with `argv` (the words after "register", or including it); returns the exit code. */
export async function registerCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'register' ? argv.slice(1) : argv;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${REGISTER_USAGE}\n`);
    return 0;
  }
  let command: RegisterCommand;
  try {
    command = parseRegisterArgs(args);
  } catch (error) {
    process.stderr.write(`mdlma register: ${(error as Error).message}\n\n${REGISTER_USAGE}\n`);
    return 2;
  }
  const json = args.includes('--json');
  try {
    const summary = await Private.run(command, json ? () => undefined : (message: string) => process.stderr.write(`${message}\n`));
    if (json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      const d = summary.dice as Record<string, unknown> | undefined;
      process.stdout.write(
        `Registered ${command.moving} to ${command.fixed} (${command.method}, ${command.metric}): ${summary.seconds} s` +
          (summary.sdLogJ !== undefined ? `, SDlogJ ${summary.sdLogJ}, ${summary.negativeJacobianPercent} % J <= 0` : '') +
          '\n' +
          Object.entries(summary.files as Record<string, string>).map(([k, v]) => `  ${k}: ${v}\n`).join('') +
          (d ? `  Dice (mean over labels): ${JSON.stringify(d.before)} before, ${JSON.stringify(d.after)} after\n` : '')
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof MdlmaError) {
      process.stderr.write(`mdlma register: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** Parses the words after "register"; throws an Error with the reason for bad usage. */
export function parseRegisterArgs(args: string[]): RegisterCommand {
  const VALUED = ['--out', '--method', '--metric', '--field', '--transform', '--labels', '--labels-out', '--fixed-labels', '--adam-iterations', '--grid-spacing'];
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (VALUED.includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--') || v === '') throw new Error(`${a} needs a value`);
      values.set(a, v);
    } else if (a === '--json') {
      continue;
    } else if (a.startsWith('--')) {
      throw new Error(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 2) throw new Error(`two input files expected (fixed and moving), got ${positional.length ? positional.join(' ') : 'none'}`);
  const out = values.get('--out');
  if (!out) throw new Error('--out <warped file> is required');
  const method = values.get('--method') ?? 'convexadam';
  if (method !== 'rigid' && method !== 'affine' && method !== 'convexadam') throw new Error(`--method must be rigid, affine or convexadam, got ${method}`);
  const metric = values.get('--metric') ?? 'ncc';
  if (metric !== 'ncc' && metric !== 'mind') throw new Error(`--metric must be ncc or mind, got ${metric}`);
  if (values.has('--labels') !== values.has('--labels-out')) throw new Error('--labels and --labels-out go together');
  if (values.has('--fixed-labels') && !values.has('--labels')) throw new Error('--fixed-labels needs --labels (the moving labels)');
  const field = values.get('--field');
  if (field && !/\.nii(\.gz)?$/i.test(field)) throw new Error(`--field must end in .nii or .nii.gz (a NIfTI vector image), got ${field}`);
  // Grid spacings too large for the image are refused by convexAdam, which knows the image.
  const int = (name: string, min: number, max?: number): number | undefined => {
    const v = values.get(name);
    return v === undefined ? undefined : integerOption(name, v, { min, max }, RegistrationInputError);
  };
  return {
    fixed: positional[0],
    moving: positional[1],
    out,
    method,
    metric,
    field,
    transform: values.get('--transform'),
    labels: values.get('--labels'),
    labelsOut: values.get('--labels-out'),
    fixedLabels: values.get('--fixed-labels'),
    adamIterations: int('--adam-iterations', 0, MAX_ADAM_ITERATIONS),
    gridSpacing: int('--grid-spacing', 1)
  };
}

namespace Private {
  export async function run(c: RegisterCommand, warn: (message: string) => void): Promise<Record<string, unknown>> {
    const t0 = performance.now();
    await guardOutputs(
      { '--out': c.out, '--field': c.field, '--transform': c.transform, '--labels-out': c.labelsOut },
      { 'the fixed image': c.fixed, 'the moving image': c.moving, '--labels': c.labels, '--fixed-labels': c.fixedLabels }
    );
    const fixed = await read(c.fixed);
    const moving = checkGrids(fixed, await read(c.moving), warn);
    const rigid = await registerLinear(fixed, moving, { model: 'rigid', metric: c.metric });
    let affine: AffineTransform = rigid.transform;
    let similarity = rigid.similarity;
    if (c.method !== 'rigid') {
      const fit = await registerLinear(fixed, moving, { model: 'affine', metric: c.metric, initial: rigid.transform });
      affine = fit.transform;
      similarity = fit.similarity;
    }
    let field: DisplacementField;
    if (c.method === 'convexadam') {
      field = (await convexAdam(fixed, moving, { initial: affine, adamIterations: c.adamIterations, gridSpacing: c.gridSpacing, onWarning: warn })).field;
    } else {
      field = DisplacementField.fromAffine(affine, fixed);
    }
    const files: Record<string, string> = {};
    await write(c.out, warpVolume(moving, field));
    files.warped = c.out;
    if (c.field) {
      await writeFieldNifti(c.field, field);
      files.field = c.field;
    }
    if (c.transform) {
      const text = `${JSON.stringify({ convention: 'fixed -> moving, µm, [z, y, x, 1], row-major', matrix: affine.toJSON() }, null, 2)}\n`;
      await writeAtomically(c.transform, temporary => fs.writeFile(temporary, text));
      files.transform = c.transform;
    }
    const summary: Record<string, unknown> = { fixed: c.fixed, moving: c.moving, method: c.method, metric: c.metric, similarity: round(similarity) };
    if (c.labels && c.labelsOut) {
      const movingLabels = checkGridsLabels(fixed, await read(c.labels), warn);
      const warpedLabels = warpVolume(movingLabels, field, { method: 'nearest' });
      await write(c.labelsOut, warpedLabels);
      files.labels = c.labelsOut;
      if (c.fixedLabels) {
        const fixedLabels = await read(c.fixedLabels);
        const present = [...new Set(Array.from(fixedLabels.data as ArrayLike<number>))].filter(v => v !== 0).sort((a, b) => a - b);
        const before = labelDice(fixedLabels, movingLabels, present);
        const after = labelDice(fixedLabels, warpedLabels, present);
        summary.dice = {
          labels: present,
          before: { perLabel: before.perLabel.map(round), mean: round(before.mean) },
          after: { perLabel: after.perLabel.map(round), mean: round(after.mean) }
        };
      }
    }
    if (c.method === 'convexadam') {
      const j = jacobianStatistics(field);
      summary.sdLogJ = round(j.sdLogJ);
      summary.negativeJacobianPercent = round(j.negativePercent);
    }
    summary.transform = affine.toJSON();
    summary.files = files;
    summary.seconds = round((performance.now() - t0) / 1000);
    return summary;
  }

  /** Moving labels on the fixed grid (nearest neighbour when the grids differ). */
  function checkGridsLabels(fixed: Volume, labels: Volume, warn: (message: string) => void): Volume {
    const same = labels.shape.every((n, a) => n === fixed.shape[a]) && labels.spacing.every((s, a) => Math.abs(s - fixed.spacing[a]) <= 1e-6 * s);
    if (same) return labels;
    warn(`register: moving labels resampled (nearest) onto the fixed grid`);
    return warpVolume(labels, AffineTransform.identity(), { reference: fixed, method: 'nearest' });
  }

  export function round(v: number): number {
    return Math.round(v * 1000) / 1000;
  }
}
