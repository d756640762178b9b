import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { findTemplate, renderTemplate } from '../cluster';
import { UsageError } from '../errors';
import { read, write } from '../io';
import { dice } from '../metrics';
import { timePointPair } from '../phantom';
import { readFieldNifti } from '../register';
import { parseRegisterArgs, registerCommand } from './register';

describe('mdlma register', () => {
  let dir: string;
  let pair: Awaited<ReturnType<typeof timePointPair>>;
  let output: string[];
  const f = (name: string) => join(dir, name);
  const spy = () => jest.spyOn(process.stdout, 'write').mockImplementation(chunk => (output.push(String(chunk)), true));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-register-cli-'));
    pair = await timePointPair({ size: 48, seed: 2 });
    await write(f('fixed.nii.gz'), pair.fixed);
    await write(f('moving.tif'), pair.moving);
    await write(f('fixed-labels.nii'), pair.fixedLabels);
    await write(f('moving-labels.nii.gz'), pair.movingLabels);
  }, 60000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => (output = []));
  afterEach(() => jest.restoreAllMocks());

  it('registers a NIfTI and a TIFF with convexAdam, writing the warped image, labels, field and transform', async () => {
    spy();
    const code = await registerCommand([
      'register', f('fixed.nii.gz'), f('moving.tif'), '--out', f('warped.h5'), '--field', f('field.nii.gz'), '--transform', f('t.json'),
      '--labels', f('moving-labels.nii.gz'), '--labels-out', f('labels.tif'), '--fixed-labels', f('fixed-labels.nii'), '--json'
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(output.join(''));
    expect(summary.method).toBe('convexadam');
    expect(summary.sdLogJ).toBeLessThan(0.1);
    expect(summary.dice.after.mean).toBeGreaterThan(summary.dice.before.mean + 0.1);
    const warped = await read(f('warped.h5'));
    expect(warped.shape).toEqual(pair.fixed.shape);
    expect(warped.dtype).toBe('float32');
    const labels = await read(f('labels.tif'));
    expect(labels.dtype).toBe(pair.movingLabels.dtype);
    expect(summary.dice.labels).toEqual([1, 2, 3]);
    expect(dice(pair.fixedLabels, labels, [2, 3])).toBeGreaterThan(0.85);
    const field = await readFieldNifti(f('field.nii.gz'));
    expect(field.shape).toEqual(pair.fixed.shape);
    expect(field.spacing).toEqual(pair.fixed.spacing);
    // The field moves fixed points towards the truth: mean error well below the true displacement.
    const n = field.size;
    let error = 0;
    let size = 0;
    for (let i = 0; i < n; i += 7) {
      error += Math.hypot(...[0, 1, 2].map(a => field.data[a * n + i] - pair.truth.data[a * n + i]));
      size += Math.hypot(...[0, 1, 2].map(a => pair.truth.data[a * n + i]));
    }
    expect(error).toBeLessThan(0.5 * size);
    const transform = JSON.parse(readFileSync(f('t.json'), 'utf8'));
    expect(transform.matrix).toHaveLength(4);
  }, 120000);

  it('runs rigid and affine, and prints text', async () => {
    spy();
    expect(await registerCommand([f('fixed.nii.gz'), f('moving.tif'), '--method', 'rigid', '--out', f('rigid.nii')])).toBe(0);
    expect(output.join('')).toMatch(/Registered .* \(rigid, ncc\)/);
    expect((await read(f('rigid.nii'))).shape).toEqual(pair.fixed.shape);
    expect(await registerCommand([f('fixed.nii.gz'), f('moving.tif'), '--method', 'affine', '--out', f('affine.zarr'), '--json'])).toBe(0);
    expect(existsSync(f('affine.zarr'))).toBe(true);
  }, 120000);

  it('prints help, rejects bad usage with exit code 2 and bad files with 1', async () => {
    spy();
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await registerCommand(['--help'])).toBe(0);
    expect(output.join('')).toContain('usage: mdlma register');
    expect(await registerCommand([f('fixed.nii.gz'), '--out', f('x.nii')])).toBe(2);
    expect(await registerCommand([f('fixed.nii.gz'), f('moving.tif'), '--out', f('x.nii'), '--method', 'bspline'])).toBe(2);
    expect(await registerCommand([f('fixed.nii.gz'), f('moving.tif'), '--out', f('x.nii'), '--labels', f('moving-labels.nii.gz')])).toBe(2);
    expect(await registerCommand([f('fixed.nii.gz'), f('moving.tif'), '--out', f('x.nii'), '--field', f('field.tif')])).toBe(2);
    expect(await registerCommand([f('fixed.nii.gz'), f('missing.nii'), '--out', f('y.nii')])).toBe(1);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/missing.nii/);
    expect(existsSync(f('y.nii'))).toBe(false);
  });

  it('refuses any output that is an input or another output, and leaves every input byte for byte', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    linkSync(f('fixed.nii.gz'), f('fixed-hardlink.nii.gz'));
    const inputs = ['fixed.nii.gz', 'moving.tif', 'fixed-labels.nii', 'moving-labels.nii.gz'];
    const before = inputs.map(name => readFileSync(f(name)));
    const names = readdirSync(dir).sort();
    const base = [f('fixed.nii.gz'), f('moving.tif'), '--method', 'rigid'];
    const cases: [string[], RegExp][] = [
      [['--out', f('fixed-hardlink.nii.gz')], /--out \S*fixed-hardlink\.nii\.gz resolves to the fixed image \S*fixed\.nii\.gz: refusing to overwrite an input/],
      [['--out', `${dir}/./moving.tif`], /--out \S*moving\.tif resolves to the moving image/],
      [['--out', f('w.nii'), '--field', f('w.nii')], /--field \S*w\.nii resolves to --out \S*w\.nii as well/],
      [['--out', f('w.nii'), '--transform', f('fixed-labels.nii'), '--labels', f('moving-labels.nii.gz'), '--labels-out', f('l.nii'), '--fixed-labels', f('fixed-labels.nii')], /--transform \S*fixed-labels\.nii resolves to --fixed-labels/],
      [['--out', f('w.nii'), '--labels', f('moving-labels.nii.gz'), '--labels-out', f('moving-labels.nii.gz')], /--labels-out \S* resolves to --labels/]
    ];
    for (const [extra, message] of cases) {
      err.mockClear();
      expect(await registerCommand([...base, ...extra])).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(message);
    }
    inputs.forEach((name, i) => expect(readFileSync(f(name)).equals(before[i])).toBe(true));
    expect(readdirSync(dir).sort()).toEqual(names);
  }, 120000);

  it('parses --adam-iterations and --grid-spacing strictly, with a typed error naming the option', () => {
    const base = ['a.nii', 'b.nii', '--out', 'c.nii'];
    expect(parseRegisterArgs([...base, '--adam-iterations', '0', '--grid-spacing', '4'])).toMatchObject({ adamIterations: 0, gridSpacing: 4 });
    for (const [option, value] of [['--adam-iterations', '1e9'], ['--adam-iterations', '10001'], ['--adam-iterations', '-1'], ['--grid-spacing', '0'], ['--grid-spacing', '6.0'], ['--grid-spacing', 'NaN']]) {
      expect(() => parseRegisterArgs([...base, option, value])).toThrow(UsageError);
      expect(() => parseRegisterArgs([...base, option, value])).toThrow(`${option} must be an integer in `);
    }
  });

  it('agrees with the Slurm template "register"', async () => {
    const template = await findTemplate('register', { user: join(dir, 'no-user-templates') });
    const { script } = renderTemplate(template, {
      fixed: 'a.nii.gz', moving: 'b.tif', output: 'b-on-a.nii.gz', method: 'affine', metric: 'mind',
      field: 'field.nii.gz', transform: 't.json', labels: 'b-labels.tif', labels_output: 'b-labels-on-a.tif'
    });
    const line = script.replace(/\\\n/g, ' ').split('\n').find(l => / register /.test(l)) ?? '';
    const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map(m => m[1] ?? m[2]);
    const parsed = parseRegisterArgs(words.slice(words.indexOf('register') + 1));
    expect(parsed).toMatchObject({
      fixed: 'a.nii.gz', moving: 'b.tif', out: 'b-on-a.nii.gz', method: 'affine', metric: 'mind',
      field: 'field.nii.gz', transform: 't.json', labels: 'b-labels.tif', labelsOut: 'b-labels-on-a.tif'
    });
    // Only the required parameters: the defaults (convexadam, ncc) and nothing optional.
    const plain = renderTemplate(template, { fixed: 'a.nii', moving: 'b.nii', output: 'c.nii' }).script.replace(/\\\n/g, ' ');
    const plainWords = [...(plain.split('\n').find(l => / register /.test(l)) ?? '').matchAll(/'([^']*)'|(\S+)/g)].map(m => m[1] ?? m[2]);
    expect(parseRegisterArgs(plainWords.slice(plainWords.indexOf('register') + 1))).toMatchObject({ method: 'convexadam', metric: 'ncc', field: undefined, labels: undefined });
  });
});
