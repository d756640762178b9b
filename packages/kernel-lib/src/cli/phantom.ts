/**
 * `mdlma phantom`: write a phantom's image and labels as raw + JSON sidecar files.
 *
 * @example
 * mdlma phantom --size 128 --seed 1 --stage 8 --out phantom.raw --labels phantom-labels.raw --json
 * mdlma phantom --family real-bone --seed 2 --stage 12 --out real.raw
 */
import { totalmem } from 'os';

import { MdlmaError, UsageError } from '../errors';
import { checkRegularFile, formatFromExtension, guardOutputs, write } from '../io';
import { IMPLANT_MATERIALS, implantPhantom, QIM3D_BONE_PATH, RAMP_WINDOWS, readBoneTiff, realBonePhantom, type Phantom, type PhantomCommonOptions } from '../phantom';
import { runCommand } from './command';
import { exitStatusHelp } from './exit-status';
import { integerOption, oneOf, realOption } from './option-values';
import { parseCommandLine, type OptionTable } from './parse';

/** Peak memory of a synthetic phantom per voxel (measured: ~29 bytes at --size 128, volumes of the scan simulation included). */
const PHANTOM_BYTES_PER_VOXEL = 32;

/** Help text of `mdlma phantom`. */
export const PHANTOM_USAGE = `usage: mdlma phantom --out image.raw [options]

Synthetic SRµCT tomogram of a degrading Mg screw in bone, with exact labels
(0 background, 1 bone, 2 degradation layer, 3 residual material).

options:
  --out <file>              image (float32 attenuation in 1/cm, or uint16); the extension picks the format:
                            .nii, .nii.gz, .tif, .h5, .zarr, .raw (with a JSON sidecar)
  --labels <file>           labels (uint8); default <out>.labels.<same extension>
  --family <name>           synthetic (default) | real-bone (qim3d's real bone scan)
  --bone <file.tif>         real bone scan for --family real-bone (default: ${QIM3D_BONE_PATH})
  --size <n>                cube side in voxels, 16..4096 as memory allows (synthetic; default 64)
  --seed <s>                seed (default 1)
  --stage <weeks>           weeks after implantation (default 8)
  --fraction <f>            degraded volume fraction [0, 1] instead of --stage
  --material <m>            ${IMPLANT_MATERIALS.join(' | ')} (default Mg-10Gd)
  --spacing <µm>            isotropic voxel size (default 4800 µm / size)
  --angles <n>              projections over 180° (default: size)
  --flux <photons>          incident photons per pixel per projection (default 10000; inf: no noise)
  --rings <σ>               detector gain error σ for ring artifacts (default 0.004; 0: none)
  --phase <γ>               phase-contrast strength (default 0: off; 0.8 typical)
  --window <w>              ${RAMP_WINDOWS.join(' | ')} (default shepp-logan)
  --dtype <t>               float32 (default) | uint16
  --json                    print a JSON summary (files, params) instead of text
  --help                    this text

--out and --labels must be two files, neither of them --bone (after symlinks and hard links).

${exitStatusHelp({
  0: 'written',
  1: 'an unexpected failure',
  2: 'a refused run: outputs that share a file or overwrite --bone, a --bone that is no regular file,\n     a phantom option out of range'
})}`;

/** Run `mdlma phantom` with `argv` (the words after "phantom"); returns the exit code. */
export function phantomCommand(argv: string[]): Promise<number> {
  return runCommand(argv, { name: 'phantom', usage: PHANTOM_USAGE, parse: parsePhantomArgs, run: Private.execute });
}

/** The command line of `mdlma phantom`, read. */
export interface PhantomCommandLine {
  out: string;
  labels: string;
  family: 'synthetic' | 'real-bone';
  bone?: string;
  size: number;
  json: boolean;
  options: PhantomCommonOptions;
}

/** Parses the words after "phantom"; throws UsageError naming the option and the value. */
export function parsePhantomArgs(args: string[]): PhantomCommandLine {
  const { values } = parseCommandLine(args, Private.OPTIONS, { positionals: false });
  const out = values.out;
  if (!out) throw new UsageError('is required: the image file', '--out');
  const extension = /(\.nii\.gz|\.[A-Za-z0-9]+)$/.exec(out)?.[1] ?? '';
  const labels = values.labels ?? `${out.slice(0, out.length - extension.length)}.labels${extension}`;
  for (const [option, path] of [['--out', out], ['--labels', labels]]) {
    if (!formatFromExtension(path)) throw new UsageError('must end in .nii, .nii.gz, .tif, .h5, .zarr or .raw', option, path);
  }
  // Signs and syntax here; the phantom checks its own ranges (size 16..4096, angles 2..20000, fraction 0..1).
  const int = (option: string, text: string | undefined, min: number) => (text === undefined ? undefined : integerOption(option, text, { min }));
  const real = (option: string, text: string | undefined, range: realOption.IRange) => (text === undefined ? undefined : realOption(option, text, range));
  const family = oneOf('--family', values.family ?? 'synthetic', ['synthetic', 'real-bone'] as const);
  const material = oneOf('--material', values.material ?? 'Mg-10Gd', IMPLANT_MATERIALS);
  const window = oneOf('--window', values.window ?? 'shepp-logan', RAMP_WINDOWS);
  const dtype = oneOf('--dtype', values.dtype ?? 'float32', ['float32', 'uint16'] as const);
  const size = int('--size', values.size, 1) ?? 64;
  const bytes = size ** 3 * PHANTOM_BYTES_PER_VOXEL;
  if (family === 'synthetic' && bytes > totalmem()) {
    const gib = (b: number) => (b / 2 ** 30).toFixed(1);
    throw new UsageError(`needs about ${gib(bytes)} GiB of memory, more than this machine's ${gib(totalmem())} GiB`, '--size', String(size));
  }
  return {
    out,
    labels,
    family,
    bone: values.bone,
    size,
    json: values.json ?? false,
    options: {
      seed: int('--seed', values.seed, 0) ?? 1,
      stage: real('--stage', values.stage, { min: 0 }),
      fraction: real('--fraction', values.fraction, { min: 0, max: 1 }),
      material,
      spacing: real('--spacing', values.spacing, { min: 0, exclusive: true }),
      angles: int('--angles', values.angles, 2),
      flux: real('--flux', values.flux, { min: 0, exclusive: true, infinity: true }),
      ringArtifacts: real('--rings', values.rings, { min: 0 }) ?? 0.004,
      phaseContrast: real('--phase', values.phase, { min: 0 }) ?? 0,
      window,
      dtype
    }
  };
}

namespace Private {
  /** Generates the phantom, writes image and labels, prints the summary. */
  export async function execute(parsed: PhantomCommandLine): Promise<number> {
    try {
      const started = Date.now();
      const bone = parsed.family === 'real-bone' ? parsed.bone ?? QIM3D_BONE_PATH : undefined;
      await guardOutputs({ '--out': parsed.out, '--labels': parsed.labels }, { '--bone': bone });
      let phantom: Phantom;
      if (bone !== undefined) {
        await checkRegularFile(bone);
        phantom = await realBonePhantom({ ...parsed.options, bone: readBoneTiff(bone) });
      } else {
        phantom = await implantPhantom({ ...parsed.options, size: parsed.size });
      }
      await write(parsed.out, phantom.image);
      await write(parsed.labels, phantom.labels);
      const summary = { image: parsed.out, labels: parsed.labels, seconds: (Date.now() - started) / 1000, params: phantom.params };
      if (parsed.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        const f = phantom.params.volumeFractions.map(v => `${(100 * v).toFixed(1)} %`).join(' / ');
        process.stdout.write(
          `Wrote ${parsed.out} (${phantom.image.dtype}) and ${parsed.labels} (uint8), shape [${phantom.image.shape.join(', ')}], ` +
            `in ${summary.seconds.toFixed(1)} s\nvolume fractions background / bone / DL / RM: ${f}\n`
        );
      }
      return 0;
    } catch (error) {
      process.stderr.write(`mdlma phantom: ${(error as Error).message}\n`);
      return error instanceof MdlmaError ? 2 : 1;
    }
  }

  /** The options of `mdlma phantom`. */
  export const OPTIONS = {
    out: { type: 'string' },
    labels: { type: 'string' },
    family: { type: 'string' },
    bone: { type: 'string' },
    size: { type: 'string' },
    seed: { type: 'string' },
    stage: { type: 'string' },
    fraction: { type: 'string' },
    material: { type: 'string' },
    spacing: { type: 'string' },
    angles: { type: 'string' },
    flux: { type: 'string' },
    rings: { type: 'string' },
    phase: { type: 'string' },
    window: { type: 'string' },
    dtype: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  } as const satisfies OptionTable;
}
