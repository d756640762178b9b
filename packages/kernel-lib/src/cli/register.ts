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

import { MdlmaError, UsageError } from '../errors';
import { guardOutputs, read, write, writeAtomically } from '../io';
import { labelDice } from '../metrics';
import {
  AffineTransform,
  checkGrids,
  convexAdam,
  DisplacementField,
  jacobianStatistics,
  registerLinear,
  warpVolume,
  writeFieldNifti
} from '../register';
import { Volume } from '../volume';
import { runCommand } from './command';
import { exitStatusHelp } from './exit-status';
import { integerOption, oneOf } from './option-values';
import { parseCommandLine, type OptionTable } from './parse';

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
refused before anything is read or written.

${exitStatusHelp({ 0: 'registered', 1: 'the run failed: a missing or unreadable file, a refused output, inputs that cannot be registered' })}`;

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
  json: boolean;
}

/** Runs `mdlma register` with `argv` (the words after "register", or including it); returns the exit code. */
export function registerCommand(argv: string[]): Promise<number> {
  return runCommand(argv, { name: 'register', usage: REGISTER_USAGE, parse: parseRegisterArgs, run: Private.execute });
}

/** Parses the words after "register"; throws UsageError naming the option and the value. */
export function parseRegisterArgs(args: string[]): RegisterCommand {
  const { values, positionals } = parseCommandLine(args, Private.OPTIONS);
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new UsageError('needs a value', `--${name}`, value);
  }
  if (positionals.length !== 2) throw new UsageError(`two input files expected (fixed and moving), got ${positionals.length ? positionals.join(' ') : 'none'}`);
  const out = values.out;
  if (!out) throw new UsageError('is required: the warped file', '--out');
  const method = oneOf('--method', values.method ?? 'convexadam', ['rigid', 'affine', 'convexadam'] as const);
  const metric = oneOf('--metric', values.metric ?? 'ncc', ['ncc', 'mind'] as const);
  if ((values.labels === undefined) !== (values['labels-out'] === undefined)) {
    throw new UsageError('and --labels-out go together', '--labels', values.labels);
  }
  if (values['fixed-labels'] !== undefined && values.labels === undefined) throw new UsageError('needs --labels (the moving labels)', '--fixed-labels', values['fixed-labels']);
  const field = values.field;
  if (field && !/\.nii(\.gz)?$/i.test(field)) throw new UsageError('must end in .nii or .nii.gz (a NIfTI vector image)', '--field', field);
  // Grid spacings too large for the image are refused by convexAdam, which knows the image.
  const int = (option: string, text: string | undefined, min: number, max?: number) => (text === undefined ? undefined : integerOption(option, text, { min, max }));
  return {
    fixed: positionals[0],
    moving: positionals[1],
    out,
    method,
    metric,
    field,
    transform: values.transform,
    labels: values.labels,
    labelsOut: values['labels-out'],
    fixedLabels: values['fixed-labels'],
    adamIterations: int('--adam-iterations', values['adam-iterations'], 0, MAX_ADAM_ITERATIONS),
    gridSpacing: int('--grid-spacing', values['grid-spacing'], 1),
    json: values.json ?? false
  };
}

namespace Private {
  /** Registers, writes the files and prints the summary. */
  export async function execute(command: RegisterCommand): Promise<number> {
    const json = command.json;
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

  /** The options of `mdlma register`. */
  export const OPTIONS = {
    out: { type: 'string' },
    method: { type: 'string' },
    metric: { type: 'string' },
    field: { type: 'string' },
    transform: { type: 'string' },
    labels: { type: 'string' },
    'labels-out': { type: 'string' },
    'fixed-labels': { type: 'string' },
    'adam-iterations': { type: 'string' },
    'grid-spacing': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  } as const satisfies OptionTable;

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
