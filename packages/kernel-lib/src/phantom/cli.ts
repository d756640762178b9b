/**
 * `mdlma phantom`: write a phantom's image and labels as raw + JSON sidecar files.
 *
 * @example
 * mdlma phantom --size 128 --seed 1 --stage 8 --out phantom.raw --labels phantom-labels.raw --json
 * mdlma phantom --family real-bone --seed 2 --stage 12 --out real.raw
 */
import { totalmem } from 'os';

import { integerOption, realOption } from '../cli-numbers';
import { MdlmaError, PhantomOptionError } from '../errors';
import { checkRegularFile, formatFromExtension, guardOutputs, write } from '../io';
import { IMPLANT_MATERIALS, ImplantMaterial } from './attenuation';
import { RAMP_WINDOWS, RampWindow } from './fbp';
import { Phantom, PhantomCommonOptions, implantPhantom } from './phantom';
import { QIM3D_BONE_PATH, readBoneTiff, realBonePhantom } from './real-bone';

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

--out and --labels must be two files, neither of them --bone (after symlinks and hard links).`;

/** Run `mdlma phantom` with `argv` (the words after "phantom"); returns the exit code. */
export async function phantomCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'phantom' ? argv.slice(1) : argv;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${PHANTOM_USAGE}\n`);
    return 0;
  }
  let parsed: Private.Parsed;
  try {
    parsed = Private.parse(args);
  } catch (error) {
    process.stderr.write(`mdlma phantom: ${(error as Error).message}\n\n${PHANTOM_USAGE}\n`);
    return 2;
  }
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

namespace Private {
  export interface Parsed {
    out: string;
    labels: string;
    family: 'synthetic' | 'real-bone';
    bone?: string;
    size: number;
    json: boolean;
    options: PhantomCommonOptions;
  }

  const VALUED = ['--out', '--labels', '--family', '--bone', '--size', '--seed', '--stage', '--fraction', '--material', '--spacing', '--angles', '--flux', '--rings', '--phase', '--window', '--dtype'];

  export function parse(args: string[]): Parsed {
    const values = new Map<string, string>();
    let json = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--json') {
        json = true;
      } else if (VALUED.includes(a)) {
        if (i + 1 >= args.length) throw new Error(`${a} needs a value`);
        values.set(a, args[++i]);
      } else {
        throw new Error(`unknown argument "${a}"`);
      }
    }
    const out = values.get('--out');
    if (!out) throw new Error('--out <file> is required');
    const extension = /(\.nii\.gz|\.[A-Za-z0-9]+)$/.exec(out)?.[1] ?? '';
    const labels = values.get('--labels') ?? `${out.slice(0, out.length - extension.length)}.labels${extension}`;
    for (const path of [out, labels]) {
      if (!formatFromExtension(path)) throw new Error(`${path}: use .nii, .nii.gz, .tif, .h5, .zarr or .raw`);
    }
    // Signs and syntax here; the phantom checks its own ranges (size 16..4096, angles 2..20000, fraction 0..1).
    const int = (name: string, min: number): number | undefined => {
      const v = values.get(name);
      return v === undefined ? undefined : integerOption(name, v, { min }, PhantomOptionError);
    };
    const real = (name: string, range: Parameters<typeof realOption>[2]): number | undefined => {
      const v = values.get(name);
      return v === undefined ? undefined : realOption(name, v, range, PhantomOptionError);
    };
    const family = values.get('--family') ?? 'synthetic';
    if (family !== 'synthetic' && family !== 'real-bone') throw new Error(`--family must be synthetic or real-bone, got "${family}"`);
    const material = values.get('--material') ?? 'Mg-10Gd';
    if (!IMPLANT_MATERIALS.includes(material as ImplantMaterial)) throw new Error(`--material must be one of ${IMPLANT_MATERIALS.join(', ')}`);
    const window = values.get('--window') ?? 'shepp-logan';
    if (!RAMP_WINDOWS.includes(window as RampWindow)) throw new Error(`--window must be one of ${RAMP_WINDOWS.join(', ')}`);
    const dtype = values.get('--dtype') ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'uint16') throw new Error(`--dtype must be float32 or uint16, got "${dtype}"`);
    const size = int('--size', 1) ?? 64;
    const bytes = size ** 3 * PHANTOM_BYTES_PER_VOXEL;
    if (family === 'synthetic' && bytes > totalmem()) {
      const gib = (b: number) => (b / 2 ** 30).toFixed(1);
      throw new PhantomOptionError('--size', `${size} needs about ${gib(bytes)} GiB of memory, more than this machine's ${gib(totalmem())} GiB`);
    }
    return {
      out,
      labels,
      family,
      bone: values.get('--bone'),
      size,
      json,
      options: {
        seed: int('--seed', 0) ?? 1,
        stage: real('--stage', { min: 0 }),
        fraction: real('--fraction', { min: 0, max: 1 }),
        material: material as ImplantMaterial,
        spacing: real('--spacing', { min: 0, exclusive: true }),
        angles: int('--angles', 2),
        flux: real('--flux', { min: 0, exclusive: true, infinity: true }),
        ringArtifacts: real('--rings', { min: 0 }) ?? 0.004,
        phaseContrast: real('--phase', { min: 0 }) ?? 0,
        window: window as RampWindow,
        dtype
      }
    };
  }
}
