/**
 * `mdlma phantom`: write a phantom's image and labels as raw + JSON sidecar files.
 *
 * @example
 * mdlma phantom --size 128 --seed 1 --stage 8 --out phantom.raw --labels phantom-labels.raw --json
 * mdlma phantom --family real-bone --seed 2 --stage 12 --out real.raw
 */
import { MdlmaError } from '../errors';
import { formatFromExtension, write } from '../io';
import { IMPLANT_MATERIALS, ImplantMaterial } from './attenuation';
import { RAMP_WINDOWS, RampWindow } from './fbp';
import { Phantom, PhantomCommonOptions, implantPhantom } from './phantom';
import { QIM3D_BONE_PATH, readBoneTiff, realBonePhantom } from './real-bone';

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
  --size <n>                cube side in voxels (synthetic; default 64)
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
  --help                    this text`;

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
    const phantom: Phantom =
      parsed.family === 'real-bone'
        ? await realBonePhantom({ ...parsed.options, bone: readBoneTiff(parsed.bone ?? QIM3D_BONE_PATH) })
        : await implantPhantom({ ...parsed.options, size: parsed.size });
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
    if (out === labels) throw new Error('--out and --labels must differ');
    const num = (name: string, fallback?: number): number | undefined => {
      const v = values.get(name);
      if (v === undefined) return fallback;
      const x = /^[+-]?inf(inity)?$/i.test(v) ? Infinity : Number(v);
      if (Number.isNaN(x)) throw new Error(`${name} must be a number, got "${v}"`);
      return x;
    };
    const family = values.get('--family') ?? 'synthetic';
    if (family !== 'synthetic' && family !== 'real-bone') throw new Error(`--family must be synthetic or real-bone, got "${family}"`);
    const material = values.get('--material') ?? 'Mg-10Gd';
    if (!IMPLANT_MATERIALS.includes(material as ImplantMaterial)) throw new Error(`--material must be one of ${IMPLANT_MATERIALS.join(', ')}`);
    const window = values.get('--window') ?? 'shepp-logan';
    if (!RAMP_WINDOWS.includes(window as RampWindow)) throw new Error(`--window must be one of ${RAMP_WINDOWS.join(', ')}`);
    const dtype = values.get('--dtype') ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'uint16') throw new Error(`--dtype must be float32 or uint16, got "${dtype}"`);
    const size = num('--size', 64)!;
    return {
      out,
      labels,
      family,
      bone: values.get('--bone'),
      size,
      json,
      options: {
        seed: num('--seed', 1)!,
        stage: num('--stage'),
        fraction: num('--fraction'),
        material: material as ImplantMaterial,
        spacing: num('--spacing'),
        angles: num('--angles'),
        flux: num('--flux'),
        ringArtifacts: num('--rings', 0.004),
        phaseContrast: num('--phase', 0),
        window: window as RampWindow,
        dtype
      }
    };
  }
}
