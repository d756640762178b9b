import { execFileSync } from 'child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'fs';
import { availableParallelism, tmpdir } from 'os';
import { join } from 'path';

import { read, write } from '../io';
import { implantPhantom } from '../phantom';
import { segmentCommand } from './segment';

describe('mdlma segment', () => {
  let dir: string;
  let output: string[];
  const spy = () => jest.spyOn(process.stdout, 'write').mockImplementation(chunk => (output.push(String(chunk)), true));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-segment-cli-'));
    const { image, labels } = await implantPhantom({ shape: [24, 128, 128], seed: 1004, stage: 8 });
    await write(join(dir, 'scan.nii.gz'), image);
    await write(join(dir, 'truth.tif'), labels);
    await write(join(dir, 'scan.nii'), image);
    symlinkSync(join(dir, 'scan.nii'), join(dir, 'link.nii'));
  }, 60000);
  // jscpd:ignore-start: the temporary folder and stdout capture of every CLI test (as in register.test.ts), read best in place
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => (output = []));
  afterEach(() => jest.restoreAllMocks());
  // jscpd:ignore-end

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

  it('refuses an output that is the input or another output, exits non-zero, and leaves the scan byte for byte', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const f = (name: string) => join(dir, name);
    const scans = { nii: readFileSync(f('scan.nii')), gz: readFileSync(f('scan.nii.gz')) };
    const names = readdirSync(dir).sort();
    const cases: [string[], RegExp][] = [
      [[f('scan.nii'), '--out', f('scan.nii')], /--out \S*scan\.nii resolves to the input \S*scan\.nii: refusing to overwrite an input/],
      [[f('scan.nii.gz'), '--out', f('scan.nii.gz')], /--out \S*scan\.nii\.gz resolves to the input/],
      [[f('scan.nii'), '--out', `${dir}/./sub/../scan.nii`], /--out \S*sub\/\.\.\/scan\.nii resolves to the input/],
      [[f('scan.nii'), '--out', f('link.nii')], /--out \S*link\.nii resolves to the input \S*scan\.nii/],
      [[f('link.nii'), '--out', f('scan.nii')], /--out \S*scan\.nii resolves to the input \S*link\.nii/],
      [[f('scan.nii'), '--out', f('labels.nii'), '--confidence', f('scan.nii')], /--confidence \S*scan\.nii resolves to the input/],
      [[f('scan.nii'), '--out', f('labels.nii'), '--confidence', f('labels.nii')], /--confidence \S*labels\.nii resolves to --out \S*labels\.nii as well/],
      [[f('scan.nii'), '--out', f('labels.nii'), '--metrics', f('truth.tif'), '--truth', f('truth.tif')], /--metrics \S*truth\.tif resolves to --truth/]
    ];
    for (const [args, message] of cases) {
      err.mockClear();
      expect(await segmentCommand([...args, '--axes', '1'])).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(message);
    }
    expect(readFileSync(f('scan.nii')).equals(scans.nii)).toBe(true);
    expect(readFileSync(f('scan.nii.gz')).equals(scans.gz)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(names);
  }, 120000);

  it('parses numbers strictly and bounds threads and batch size, naming the option', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const run = (...extra: string[]) => segmentCommand([join(dir, 'scan.nii'), '--out', join(dir, 'bounded.nii'), '--axes', '1', ...extra]);
    const cores = availableParallelism();
    const usage: [string[], string][] = [
      [['--threads', '1000000'], `segment: --threads must be an integer in 1..${cores}, written in digits; got "1000000".`],
      [['--threads', '0'], `--threads must be an integer in 1..${cores}`],
      [['--threads', '2.5'], '--threads must be an integer'],
      [['--batch-size', '1e9'], '--batch-size must be an integer in 1..9007199254740991, written in digits; got "1e9"'],
      [['--batch-size', '-4'], '--batch-size must be an integer in 1..9007199254740991, written in digits; got "-4"'],
      [['--batch-size', 'NaN'], '--batch-size must be an integer'],
      [['--slab-depth', '0x10'], '--slab-depth must be an integer'],
      [['--axes', '9.0'], '--axes must be an integer']
    ];
    for (const [extra, message] of usage) {
      err.mockClear();
      expect(await run(...extra)).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toContain(message);
    }
    // A batch the memory cap refuses, once the model says its tile size: a typed error, not a RangeError.
    err.mockClear();
    expect(await run('--batch-size', '1000000000')).toBe(1);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/^mdlma segment: segment: batchSize must be at most \d+ for 256x256 tiles and 4 classes/);
    expect(existsSync(join(dir, 'bounded.nii'))).toBe(false);
  }, 60000);

  it('runs the precision asked for, and refuses one whose file does not run on the device before writing anything', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    spy();
    const f = (name: string) => join(dir, name);
    expect(await segmentCommand([f('scan.nii'), '--out', f('fp32.nii'), '--axes', '1', '--precision', 'fp32', '--json'])).toBe(0);
    expect(JSON.parse(output.join('')).stats.precision).toBe('fp32');
    expect(await segmentCommand([f('scan.nii'), '--out', f('fp16.nii'), '--axes', '1', '--precision', 'fp16'])).toBe(1);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/precision fp16: its file model.fp16.onnx runs on cuda, webgpu, not on cpu/);
    expect(existsSync(f('fp16.nii'))).toBe(false);
    err.mockClear();
    expect(await segmentCommand([f('scan.nii'), '--out', f('fp8.nii'), '--precision', 'fp8'])).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toContain('--precision must be auto, fp32, int8 or fp16; got "fp8"');
  }, 60000);

  it('refuses a FIFO named like a scan at once instead of blocking on it', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const fifo = join(dir, 'pipe.nii');
    execFileSync('mkfifo', [fifo]);
    try {
      expect(await segmentCommand([fifo, '--out', join(dir, 'from-pipe.nii')])).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toContain(`${fifo}: is a FIFO (named pipe), not a regular file`);
    } finally {
      // Release a reader blocked in open() (only without the check), so that jest can exit.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // nobody was waiting
      }
      rmSync(fifo);
    }
  }, 5000);
});
