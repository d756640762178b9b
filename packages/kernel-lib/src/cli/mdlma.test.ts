// Bad usage is reported alike by every command: a UsageError naming the option and the value, exit status 2,
// "mdlma <command>: <message>" on stderr and nothing written.
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { UsageError } from '../errors';
import { parseKernelArgs } from './kernel';
import { main, USAGE } from './mdlma';
import { parsePhantomArgs } from './phantom';
import { parseRegisterArgs } from './register';
import { parseSegmentArgs } from './segment';
import { parseSlurmArgs } from './slurm-args';

/** Runs `mdlma <argv>`; the exit code and what went to stdout and stderr. */
async function mdlma(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => (out.push(String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(chunk => (err.push(String(chunk)), true));
  try {
    return { code: await main(argv), stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mdlma-usage-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an unknown option', () => {
  it.each([
    ['version', ['version', '--bogus']],
    ['kernel', ['kernel', 'install', '--prefix', 'x', '--bogus']],
    ['phantom', ['phantom', '--out', 'p.raw', '--bogus']],
    ['segment', ['segment', 'scan.nii', '--out', 'labels.nii', '--bogus']],
    ['register', ['register', 'a.nii', 'b.nii', '--out', 'c.nii', '--bogus']],
    ['slurm', ['slurm', 'list', '--bogus']]
  ])('mdlma %s: exit 2, the option named', async (command, argv) => {
    const { code, stdout, stderr } = await mdlma(...argv.map(word => (word.includes('.') ? join(dir, word) : word)));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`mdlma ${command}: --bogus is not an option of this command.\nRun "mdlma ${command} --help" for the options.\n`);
  });

  it('is a UsageError from each parser, with the option and its inline value', () => {
    const parsers: [(args: string[]) => unknown, string[]][] = [
      [parseKernelArgs, ['start', '--connection-file', 'k.json']],
      [parsePhantomArgs, ['--out', 'p.raw']],
      [parseSegmentArgs, ['scan.nii', '--out', 'labels.nii']],
      [parseRegisterArgs, ['a.nii', 'b.nii', '--out', 'c.nii']],
      [(args: string[]) => parseSlurmArgs(['list', ...args]), []]
    ];
    for (const [parse, valid] of parsers) {
      expect(() => parse(valid)).not.toThrow();
      const error = (() => {
        try {
          parse([...valid, '--bogus=3']);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(UsageError);
      expect(error).toMatchObject({ option: '--bogus', value: '3', message: '--bogus is not an option of this command; got "3".' });
    }
  });
});

describe('a bad number', () => {
  it.each([
    ['phantom', ['phantom', '--out', 'p.raw', '--seed', '1e3'], '--seed must be an integer in 0..9007199254740991, written in digits; got "1e3".'],
    ['segment', ['segment', 'scan.nii', '--out', 'labels.nii', '--slab-depth', '-8'], '--slab-depth must be an integer in 1..9007199254740991, written in digits; got "-8".'],
    ['register', ['register', 'a.nii', 'b.nii', '--out', 'c.nii', '--grid-spacing', '0x6'], '--grid-spacing must be an integer in 1..9007199254740991, written in digits; got "0x6".'],
    ['slurm', ['slurm', 'wait', '12', '--timeout', '-1', '--slurm-bin', '/nonexistent-slurm-bin'], '--timeout must be a number >= 0; got "-1".']
  ])('mdlma %s: exit 2, the option and the value named', async (command, argv, message) => {
    const { code, stderr } = await mdlma(...argv.map(word => (/\.(raw|nii)$/.test(word) ? join(dir, word) : word)));
    expect(code).toBe(2);
    expect(stderr).toBe(`mdlma ${command}: ${message}\nRun "mdlma ${command} --help" for the options.\n`);
  });

  it('is a UsageError with the option and the value', () => {
    const error = (() => {
      try {
        parseSegmentArgs(['scan.nii', '--out', 'labels.nii', '--threads', '2.5']);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ option: '--threads', value: '2.5' });
  });

  it('leaves no file behind', () => {
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('mdlma', () => {
  it('prints its help with exit status 0, and exits 2 without a command', async () => {
    expect(await mdlma('--help')).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
    expect((await mdlma()).code).toBe(2);
  });

  it('names an unknown command and the commands there are', async () => {
    const { code, stderr } = await mdlma('segmnet', 'scan.nii');
    expect(code).toBe(2);
    expect(stderr).toBe(
      'mdlma: <command> must be version, kernel, phantom, segment, register or slurm; got "segmnet".\nRun "mdlma --help" for the commands.\n'
    );
  });

  it('documents the exit statuses in every command\'s help', async () => {
    for (const command of ['version', 'kernel', 'phantom', 'segment', 'register', 'slurm']) {
      const { code, stdout } = await mdlma(command, '--help');
      expect(code).toBe(0);
      expect(stdout).toMatch(/exit status:\n {2}0 {2}.*\n(.|\n)* {2}2 {2}bad usage: an unknown option or argument, a missing or bad value \(the message names the option and the value\)/);
    }
  });

  it('prints its version, plain and as JSON', async () => {
    const version = require('../../package.json').version;
    expect(await mdlma('version')).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(JSON.parse((await mdlma('version', '--json')).stdout)).toEqual({ name: '@mdlma/kernel', version });
  });
});
