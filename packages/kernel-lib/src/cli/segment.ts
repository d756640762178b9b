/**
 * `mdlma segment`: SUN segmentation of a volume file into label (and confidence, agreement)
 * files of any io/ format, streamed slab by slab; optionally metrics against a truth file.
 *
 * @example
 * mdlma segment scan.nii.gz --model sun-implant --axes 9 --out labels.nii.gz --confidence conf.nii.gz
 * mdlma segment scan.h5 --out labels.zarr --metrics m.json --truth truth.nii.gz --json
 */
import { promises as fs } from 'fs';
import { availableParallelism } from 'os';

import { MdlmaError, UsageError } from '../errors';
import { guardOutputs, open, read, writeAtomically } from '../io';
import { degradationMetrics, segmentationMetrics } from '../metrics';
import { PRECISION_CHOICES, type Device } from '../models';
import { segment, type SegmentFiles } from '../segment';
import { runCommand } from './command';
import { exitStatusHelp } from './exit-status';
import { integerOption, oneOf } from './option-values';
import { parseCommandLine, type OptionTable } from './parse';

/** Help text of `mdlma segment`. */
export const SEGMENT_USAGE = `usage: mdlma segment <in> --out labels.nii.gz [options]

SUN segmentation (0 background, 1 bone, 2 degradation layer, 3 residual material) with a 2D U-Net
along 1, 3 or 9 axes, fused by voting. Any io/ format in and out (.nii, .nii.gz, .tif, .h5, .zarr, .raw).

options:
  --out <file>            labels (uint8), written slab by slab
  --model <name|folder>   model under models/ or a model folder (default sun-implant)
  --axes <1|3|9>          slicing axes (default 9)
  --voting <soft|hard>    fusion (default soft)
  --confidence <file>     also write 1 - normalised entropy (float32, 0..1)
  --agreement <file>      also write the fraction of axes agreeing with the label (float32)
  --metrics <file.json>   write per-class metrics (needs --truth) and degradation figures
  --truth <file>          ground-truth labels for --metrics
  --batch-size <n>        tiles per model call (default 8; at most ~1 GiB of buffers per batch)
  --threads <n>           ONNX Runtime threads, 1..cores available (default: number of cores)
  --device <d>            cpu (default) | auto (CUDA, then WebGPU, then CPU) | cuda | webgpu
  --precision <p>         auto (default: the model card's default for the provider) | fp32 | int8 | fp16
  --slab-depth <n>        output slices per slab (default: automatic, bounded memory)
  --json                  print a JSON summary instead of text
  --help                  this text

No output may be the input, --truth or another output (after symlinks and hard links): such a run
is refused before anything is read or written.

${exitStatusHelp({ 0: 'segmented', 1: 'the run failed: a missing or unreadable file, a refused output, a batch the model refuses' })}`;

/** Runs `mdlma segment` with `argv` (the words after "segment", or including it); returns the exit code. */
export function segmentCommand(argv: string[]): Promise<number> {
  return runCommand(argv, { name: 'segment', usage: SEGMENT_USAGE, parse: parseSegmentArgs, run: Private.execute });
}

/** The command line of `mdlma segment`, read. */
export interface SegmentCommandLine {
  input: string;
  files: SegmentFiles;
  metrics?: string;
  truth?: string;
  json: boolean;
  options: segment.IOptions;
}

/** Parses the words after "segment"; throws UsageError naming the option and the value. */
export function parseSegmentArgs(args: string[]): SegmentCommandLine {
  const { values, positionals } = parseCommandLine(args, Private.OPTIONS);
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length ? `one input file expected, got ${positionals.join(' ')}` : 'the input file is missing');
  }
  if (!values.out) throw new UsageError('is required: the labels file', '--out');
  if (values.truth !== undefined && values.metrics === undefined) throw new UsageError('goes with --metrics', '--truth', values.truth);
  // Bounds that need the model (batch size against memory) are checked by segment() once the model is loaded.
  const int = (option: string, text: string | undefined, max?: number) => (text === undefined ? undefined : integerOption(option, text, { min: 1, max }));
  const axes = int('--axes', values.axes);
  return {
    input: positionals[0],
    files: { labels: values.out, confidence: values.confidence, agreement: values.agreement },
    metrics: values.metrics,
    truth: values.truth,
    json: values.json ?? false,
    options: {
      model: values.model ?? 'sun-implant',
      axes: axes === undefined ? 9 : oneOf('--axes', axes, [1, 3, 9] as const),
      voting: oneOf('--voting', values.voting ?? 'soft', ['soft', 'hard'] as const),
      batchSize: int('--batch-size', values['batch-size']),
      threads: int('--threads', values.threads, availableParallelism()),
      device: oneOf('--device', values.device ?? 'cpu', Private.DEVICES),
      precision: oneOf('--precision', values.precision ?? 'auto', PRECISION_CHOICES),
      slabDepth: int('--slab-depth', values['slab-depth'])
    }
  };
}

namespace Private {
  /** Segments, writes the files and prints the summary. */
  export async function execute(parsed: SegmentCommandLine): Promise<number> {
    try {
      await guardOutputs(
        { '--out': parsed.files.labels, '--confidence': parsed.files.confidence, '--agreement': parsed.files.agreement, '--metrics': parsed.metrics },
        { 'the input': parsed.input, '--truth': parsed.truth }
      );
      const source = await open(parsed.input);
      let result;
      try {
        result = await segment(source, { ...parsed.options, out: parsed.files, progress: false });
      } finally {
        await source.close();
      }
      const summary: Record<string, unknown> = { input: parsed.input, files: result.files, stats: result.stats };
      if (parsed.metrics) {
        const labels = await read(parsed.files.labels);
        const report: Record<string, unknown> = { degradation: degradationMetrics(labels) };
        if (parsed.truth) report.segmentation = segmentationMetrics(labels, await read(parsed.truth));
        const text = `${JSON.stringify(report, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
        await writeAtomically(parsed.metrics, temporary => fs.writeFile(temporary, text));
        summary.metrics = parsed.metrics;
      }
      if (parsed.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        const s = result.stats;
        process.stdout.write(
          `Segmented ${parsed.input} [${s.shape.join(', ')}] with ${s.model} ${s.modelVersion} (${s.precision}) on ${s.provider} (${s.threads} threads), ` +
            `${s.axes.length} axes, ${s.voting} voting: ${s.seconds.toFixed(1)} s, ${(s.voxelsPerSecond / 1e6).toFixed(2)} Mvoxel/s\n` +
            Object.entries(result.files).map(([k, v]) => `  ${k}: ${v}\n`).join('') +
            (parsed.metrics ? `  metrics: ${parsed.metrics}\n` : '')
        );
      }
      return 0;
    } catch (error) {
      if (error instanceof MdlmaError) {
        process.stderr.write(`mdlma segment: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }

  /** The options of `mdlma segment`. */
  export const OPTIONS = {
    out: { type: 'string' },
    model: { type: 'string' },
    axes: { type: 'string' },
    voting: { type: 'string' },
    confidence: { type: 'string' },
    agreement: { type: 'string' },
    metrics: { type: 'string' },
    truth: { type: 'string' },
    'batch-size': { type: 'string' },
    threads: { type: 'string' },
    device: { type: 'string' },
    precision: { type: 'string' },
    'slab-depth': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  } as const satisfies OptionTable;

  export const DEVICES: readonly Device[] = ['cpu', 'auto', 'cuda', 'webgpu'];
}
