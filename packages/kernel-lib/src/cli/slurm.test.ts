// `mdlma slurm`'s numeric options and output paths are checked before anything is submitted: Number() took "1e9",
// "0x10", " 4" and "-1", and --merge could name the input scan.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { slurmCommand } from './slurm';

/** Runs `mdlma slurm <argv> --json` with Slurm programs that do not exist; the exit code and the error report. */
async function run(argv: string[]): Promise<{ code: number; error: { type: string; message: string } }> {
  const written: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => (written.push(String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await slurmCommand([...argv, '--slurm-bin', '/nonexistent-slurm-bin', '--json']);
    return { code, error: JSON.parse(written.join('')).error };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mdlma-slurm-cli-'));
  writeFileSync(join(dir, 'scan.nii'), 'not read: the options are refused first');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mdlma slurm segment options', () => {
  it.each([
    ['--threads', '1e9', /--threads must be an integer in 1\.\.\d+, written in digits/],
    ['--threads', '0', /--threads must be an integer in 1\.\./],
    ['--slab-depth', '0x10', /--slab-depth must be an integer/],
    ['--halo', '-1', /--halo must be an integer in 0\.\./],
    ['--tasks', '100000', /--tasks must be an integer in 1\.\.1001/],
    ['--axes', '4', /--axes must be 1, 3 or 9/],
    ['--precision', 'fp8', /--precision must be auto, fp32, int8 or fp16; got "fp8"/]
  ])('%s %s is a usage error naming the option', async (option, value, message) => {
    const { code, error } = await run(['segment', join(dir, 'scan.nii'), '--out', join(dir, 'labels.zarr'), option, value]);
    expect(code).toBe(2);
    expect(error.type).toBe('UsageError');
    expect(error.message).toMatch(message);
  });

  it('--timeout of wait is a number of seconds, not "soon"', async () => {
    const { code, error } = await run(['wait', '1', '--timeout', 'soon']);
    expect(code).toBe(2);
    expect(error.message).toMatch(/--timeout must be a number >= 0; got "soon"/);
  });

  it('--merge over the input scan is refused and the scan is kept', async () => {
    const scan = join(dir, 'scan.nii');
    const { code, error } = await run(['segment', scan, '--out', join(dir, 'labels.zarr'), '--merge', `${dir}/./scan.nii`]);
    expect(code).toBe(2);
    expect(error.type).toBe('OutputPathError');
    expect(error.message).toMatch(/merge .*scan\.nii resolves to input .*scan\.nii: refusing to overwrite an input/);
    expect(readFileSync(scan, 'utf8')).toBe('not read: the options are refused first');
  });
});
