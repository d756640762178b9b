import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { read } from '../io';
import { phantomCommand } from './cli';

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
});
