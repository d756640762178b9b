import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { read } from '../io';
import { phantomCommand } from './phantom';

describe('phantomCommand', () => {
  let dir: string;
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-phantom-'));
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stdout.mockRestore();
    stderr.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes image and labels as raw + JSON sidecar, and a JSON summary', async () => {
    const out = join(dir, 'p.raw');
    const labels = join(dir, 'p-labels.raw');
    const code = await phantomCommand(['phantom', '--size', '32', '--seed', '3', '--stage', '6', '--angles', '24', '--out', out, '--labels', labels, '--json']);
    expect(code).toBe(0);
    const sidecar = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(sidecar).toEqual({ shape: [32, 32, 32], dtype: 'float32', endianness: 'little', spacing: [150, 150, 150], origin: [0, 0, 0] });
    expect(readFileSync(out).byteLength).toBe(32 ** 3 * 4);
    expect(JSON.parse(readFileSync(`${labels}.json`, 'utf8')).dtype).toBe('uint8');
    expect(readFileSync(labels).byteLength).toBe(32 ** 3);
    const summary = JSON.parse(stdout.mock.calls.map(c => c[0]).join(''));
    expect(summary.params.seed).toBe(3);
    expect(readdirSync(dir).filter(f => f.includes('.tmp'))).toEqual([]);
  });

  it('writes NIfTI that reads back with the same voxels and spacing', async () => {
    const out = join(dir, 'p.nii.gz');
    expect(await phantomCommand(['--size', '16', '--seed', '4', '--angles', '16', '--out', out])).toBe(0);
    const image = await read(out);
    const labels = await read(join(dir, 'p.labels.nii.gz'));
    expect(image.shape).toEqual([16, 16, 16]);
    expect(image.spacing).toEqual([300, 300, 300]);
    expect(labels.dtype).toBe('uint8');
    expect(new Set(labels.data)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('prints help, and rejects bad arguments with exit code 2 and no files', async () => {
    expect(await phantomCommand(['--help'])).toBe(0);
    expect(stdout.mock.calls.join('')).toMatch(/usage: mdlma phantom/);
    expect(await phantomCommand(['--size', '32'])).toBe(2);
    expect(await phantomCommand(['--out', join(dir, 'x.png')])).toBe(2);
    expect(await phantomCommand(['--out', join(dir, 'x.raw'), '--size', '4'])).toBe(2);
    expect(await phantomCommand(['--out', join(dir, 'x.raw'), '--bogus'])).toBe(2);
    expect(existsSync(join(dir, 'x.raw'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses --out and --labels that are one file, or the --bone scan, and writes nothing', async () => {
    const message = () => String(stderr.mock.calls.at(-1)?.[0]);
    expect(await phantomCommand(['--size', '16', '--out', join(dir, 'p.raw'), '--labels', `${dir}/./p.raw`])).toBe(2);
    expect(message()).toMatch(/--labels \S*p\.raw resolves to --out \S*p\.raw as well: two outputs cannot share a file/);
    writeFileSync(join(dir, 'bone.tif'), 'not touched');
    symlinkSync(join(dir, 'bone.tif'), join(dir, 'bone-link.tif'));
    expect(await phantomCommand(['--family', 'real-bone', '--bone', join(dir, 'bone.tif'), '--out', join(dir, 'bone-link.tif')])).toBe(2);
    expect(message()).toMatch(/--out \S*bone-link\.tif resolves to --bone \S*bone\.tif: refusing to overwrite an input/);
    expect(readFileSync(join(dir, 'bone.tif'), 'utf8')).toBe('not touched');
    expect(readdirSync(dir).sort()).toEqual(['bone-link.tif', 'bone.tif']);
  });

  it('refuses a --bone that is a FIFO at once instead of blocking on it', async () => {
    const fifo = join(dir, 'bone.tif');
    execFileSync('mkfifo', [fifo]);
    expect(await phantomCommand(['--family', 'real-bone', '--bone', fifo, '--out', join(dir, 'real.raw')])).toBe(2);
    expect(String(stderr.mock.calls.at(-1)?.[0])).toContain(`${fifo}: is a FIFO (named pipe), not a regular file`);
  }, 3000);

  it('parses every number strictly and bounds --size by memory, naming the option', async () => {
    const out = ['--out', join(dir, 'n.raw')];
    const cases: [string[], string][] = [
      [['--size', '1e9'], 'mdlma phantom: --size must be an integer in 1..9007199254740991, written in digits; got "1e9".'],
      [['--size', '4096'], '--size needs about 2048.0 GiB of memory, more than this machine\'s'],
      [['--seed', '-1'], '--seed must be an integer'],
      [['--seed', '1.5'], '--seed must be an integer'],
      [['--angles', '24.5'], '--angles must be an integer'],
      [['--stage', 'NaN'], '--stage must be a number >= 0; got "NaN"'],
      [['--fraction', '1.5'], '--fraction must be a number >= 0 and <= 1'],
      [['--spacing', '0'], '--spacing must be a number > 0'],
      [['--flux', '0'], '--flux must be a number > 0 (or inf)'],
      [['--rings', '-0.1'], '--rings must be a number >= 0'],
      [['--phase', '0x1'], '--phase must be a number >= 0']
    ];
    for (const [extra, text] of cases) {
      stderr.mockClear();
      expect(await phantomCommand([...out, ...extra])).toBe(2);
      expect(String(stderr.mock.calls[0]?.[0])).toContain(text);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
