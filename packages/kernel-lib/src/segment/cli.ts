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

import { integerOption } from '../cli-numbers';
import { MdlmaError, SegmentOptionError } from '../errors';
import { guardOutputs, open, read, writeAtomically } from '../io';
import { degradationMetrics, segmentationMetrics } from '../metrics';
import type { Device } from '../models';
import { segment } from './segment';
import type { SegmentFiles, SegmentOptions } from './options';

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
  --slab-depth <n>        output slices per slab (default: automatic, bounded memory)
  --json                  print a JSON summary instead of text
  --help                  this text

No output may be the input, --truth or another output (after symlinks and hard links): such a run
is refused before anything is read or written.`;

/** Runs `mdlma segment` with `argv` (the words after "segment", or including it); returns the exit code. */
export async function segmentCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'segment' ? argv.slice(1) : argv;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${SEGMENT_USAGE}\n`);
    return 0;
  }
  let parsed: Private.Parsed;
  try {
    parsed = Private.parse(args);
  } catch (error) {
    process.stderr.write(`mdlma segment: ${(error as Error).message}\n\n${SEGMENT_USAGE}\n`);
    return 2;
  }
  const json = args.includes('--json');
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
    if (json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      const s = result.stats;
      process.stdout.write(
        `Segmented ${parsed.input} [${s.shape.join(', ')}] with ${s.model} ${s.modelVersion} on ${s.provider} (${s.threads} threads), ` +
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

namespace Private {
  export interface Parsed {
    input: string;
    files: SegmentFiles;
    metrics?: string;
    truth?: string;
    options: SegmentOptions;
  }

  const VALUED = ['--out', '--model', '--axes', '--voting', '--confidence', '--agreement', '--metrics', '--truth', '--batch-size', '--threads', '--device', '--slab-depth'];

  export function parse(args: string[]): Parsed {
    const values = new Map<string, string>();
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (VALUED.includes(a)) {
        const v = args[++i];
        if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
        values.set(a, v);
      } else if (a === '--json') {
        continue;
      } else if (a.startsWith('--')) {
        throw new Error(`unknown option ${a}`);
      } else {
        positional.push(a);
      }
    }
    if (positional.length !== 1) throw new Error(positional.length ? `one input file expected, got ${positional.join(' ')}` : 'the input file is missing');
    const out = values.get('--out');
    if (!out) throw new Error('--out <labels file> is required');
    if (values.has('--truth') && !values.has('--metrics')) {
      throw new Error('--truth goes with --metrics');
    }
    // Bounds that need the model (batch size against memory) are checked by segment() once the model is loaded.
    const int = (name: string, max?: number) => {
      const v = values.get(name);
      return v === undefined ? undefined : integerOption(name, v, { min: 1, max }, SegmentOptionError);
    };
    const axes = int('--axes');
    if (axes !== undefined && axes !== 1 && axes !== 3 && axes !== 9) throw new Error(`--axes must be 1, 3 or 9, got ${axes}`);
    const voting = values.get('--voting') ?? 'soft';
    if (voting !== 'soft' && voting !== 'hard') throw new Error(`--voting must be soft or hard, got ${voting}`);
    const device = values.get('--device') ?? 'cpu';
    if (!['cpu', 'auto', 'cuda', 'webgpu'].includes(device)) throw new Error(`--device must be cpu, auto, cuda or webgpu, got ${device}`);
    return {
      input: positional[0],
      files: { labels: out, confidence: values.get('--confidence'), agreement: values.get('--agreement') },
      metrics: values.get('--metrics'),
      truth: values.get('--truth'),
      options: {
        model: values.get('--model') ?? 'sun-implant',
        axes: (axes ?? 9) as 1 | 3 | 9,
        voting,
        batchSize: int('--batch-size'),
        threads: int('--threads', availableParallelism()),
        device: device as Device,
        slabDepth: int('--slab-depth')
      }
    };
  }
}
