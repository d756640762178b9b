import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { read, write } from '../io';
import { implantPhantom } from '../phantom';
import { segmentCommand } from './cli';

describe('mdlma segment', () => {
  let dir: string;
  let output: string[];
  const spy = () => jest.spyOn(process.stdout, 'write').mockImplementation(chunk => (output.push(String(chunk)), true));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-segment-cli-'));
    const { image, labels } = await implantPhantom({ shape: [24, 128, 128], seed: 1004, stage: 8 });
    await write(join(dir, 'scan.nii.gz'), image);
    await write(join(dir, 'truth.tif'), labels);
  }, 60000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => (output = []));
  afterEach(() => jest.restoreAllMocks());

  it('segments a NIfTI file into TIFF labels, a confidence map and metrics against the truth, printing JSON', async () => {
    spy();
    const f = (name: string) => join(dir, name);
    const code = await segmentCommand(['segment', f('scan.nii.gz'), '--axes', '1', '--out', f('labels.tif'), '--confidence', f('conf.nii'), '--metrics', f('m.json'), '--truth', f('truth.tif'), '--batch-size', '4', '--threads', '2', '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(output.join(''));
    expect(summary.stats.provider).toBe('cpu');
    expect(summary.stats.threads).toBe(2);
    expect((await read(f('labels.tif'))).shape).toEqual([24, 128, 128]);
    expect((await read(f('conf.nii'))).dtype).toBe('float32');
    const metrics = JSON.parse(readFileSync(f('m.json'), 'utf8'));
    expect(metrics.segmentation.classes).toHaveLength(4);
    expect(metrics.degradation.rmVolumeMm3).toBeGreaterThan(0);
  }, 120000);

  it('prints help, and rejects bad options with exit code 2 and missing files with 1', async () => {
    spy();
    expect(await segmentCommand(['--help'])).toBe(0);
    expect(output.join('')).toContain('usage: mdlma segment');
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await segmentCommand([join(dir, 'scan.nii.gz'), '--out', join(dir, 'x.nii'), '--axes', '4'])).toBe(2);
    expect(await segmentCommand([join(dir, 'scan.nii.gz')])).toBe(2);
    expect(await segmentCommand([join(dir, 'missing.nii'), '--out', join(dir, 'y.nii')])).toBe(1);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/missing.nii/);
    expect(existsSync(join(dir, 'y.nii'))).toBe(false);
  });
});
