import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { findTemplate, renderTemplate } from '../cluster/templates';
import { read, write } from '../io';
import { dice, DisplacementField, parseRegisterArgs, readFieldNifti, registerCommand, timePointPair, writeFieldNifti } from '.';

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

  it('round-trips a displacement field through a NIfTI vector image (µm, x y z components)', async () => {
    const field = DisplacementField.zeros({ shape: [3, 4, 5], spacing: [2, 3, 4], origin: [10, 20, 30] });
    field.data.forEach((_, i) => (field.data[i] = Math.sin(i) * 2));
    await writeFieldNifti(f('small.nii'), field);
    const back = await readFieldNifti(f('small.nii'));
    expect(back.shape).toEqual([3, 4, 5]);
    expect(back.origin).toEqual([10, 20, 30]);
    back.data.forEach((v, i) => expect(v).toBeCloseTo(field.data[i], 5));
    // The first component on disk is dx in µm.
    const raw = readFileSync(f('small.nii'));
    expect(raw.readFloatLE(352)).toBeCloseTo(field.data[2 * 60] * 4, 4);
    expect(raw.readInt16LE(68)).toBe(1006);
    await expect(writeFieldNifti(f('small.tif'), field)).rejects.toThrow(/\.nii/);
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
