// The inputs of `mdlma slurm submit|render`: the command line over a request file, each field's JSON type checked.
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { UsageError } from '../errors';
import { parseSlurmArgs, type SlurmCommandLine } from './slurm-args';
import { submitInput } from './slurm-input';

/** `mdlma slurm submit` with these valued options and flags, parsed. */
function command(options: [string, string][], flags: string[] = []): SlurmCommandLine {
  return parseSlurmArgs(['submit', ...options.flat(), ...flags]);
}

/** A request file holding `request`. */
function requestFile(request: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mdlma-request-')), 'request.json');
  writeFileSync(file, JSON.stringify(request));
  return file;
}

describe('submitInput', () => {
  it('reads a script past the 128 KiB a command-line word may hold, with options, variables and origin', async () => {
    const script = '#!/bin/bash\n' + '# padding\n'.repeat(20_000);
    const file = requestFile({
      template: 'custom',
      params: { script },
      job: { cpus: '2', mem: 500, name: 'big' },
      workdir: '/tmp',
      env: { MESSAGE: 'a, b' },
      hold: true,
      origin: { template: 'segment-volume', params: { input: 'x' }, edited: true }
    });
    const input = await submitInput(command([['--request-file', file]]));
    expect(input.template).toBe('custom');
    expect(input.params.script).toBe(script);
    expect(input.job).toEqual({ cpus: 2, mem: '500', name: 'big', workdir: '/tmp', hold: true, env: { MESSAGE: 'a, b' } });
    expect(input.origin).toEqual({ template: 'segment-volume', params: { input: 'x' }, edited: true });
  });

  it('lets the command line win over the file', async () => {
    const file = requestFile({ template: 'custom', params: { script: 'x' }, job: { cpus: 1 }, env: { A: '1' } });
    const input = await submitInput(command([['--request-file', file], ['--template', 'segment-volume'], ['--cpus', '4'], ['--param', 'script=y'], ['--env', 'A=2']]));
    expect(input.template).toBe('segment-volume');
    expect(input.params.script).toBe('y');
    expect(input.job.cpus).toBe(4);
    expect(input.job.env).toEqual({ A: '2' });
  });

  it.each([
    [{ params: [['a', 1]] }, /"params" must be a JSON object, not an array/],
    [{ params: 'x' }, /"params" must be a JSON object/],
    [{ env: ['A=1'] }, /"env" must be a JSON object/],
    [{ env: { A: 5 } }, /"env.A" must be a string, not number 5/],
    [{ template: 5 }, /"template" must be a string/],
    [{ job: { name: { a: 1 } } }, /"job.name" must be a string, not an object/],
    [{ workdir: 5 }, /"workdir" must be a string/],
    [{ hold: 'yes' }, /"hold" must be true or false/],
    [[1, 2], /must be a JSON object/]
  ])('refuses %j naming the field', async (request, reason) => {
    const parsed = command([['--request-file', requestFile(request)]]);
    await expect(submitInput(parsed)).rejects.toThrow(UsageError);
    await expect(submitInput(parsed)).rejects.toThrow(reason);
  });

  it('names a request file that is missing or not JSON', async () => {
    await expect(submitInput(command([['--request-file', '/nonexistent/request.json']]))).rejects.toThrow(/--request-file cannot be read: .*; got "\/nonexistent\/request.json"/);
    const broken = requestFile('');
    writeFileSync(broken, '{not json');
    await expect(submitInput(command([['--request-file', broken]]))).rejects.toThrow(/is not JSON/);
  });
});
