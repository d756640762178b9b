// The one check of a submission that submit and render share.
import { SlurmSubmitError } from '../errors';
import { MAX_SCRIPT_BYTES, sbatchArguments } from './sbatch-args';

const script = '#!/bin/bash\necho hi\n';

describe('sbatchArguments', () => {
  it('writes each option as one --flag=value word, the job variables by name only', () => {
    const { args, input } = sbatchArguments({ script, name: 'hello', cpus: 2, mem: '1G', output: 'out-%j.txt', hold: true, env: { MESSAGE: 'a, b' } }, { slurmConf: '/etc/slurm.conf' });
    expect(args.slice(0, 5)).toEqual(['--parsable', '--job-name=hello', '--mem=1G', '--cpus-per-task=2', '--output=out-%j.txt']);
    expect(args).toContain('--hold');
    expect(args.find(arg => arg.startsWith('--export='))).toMatch(/^--export=(\w+,)*MESSAGE(,\w+)*$/);
    expect(args.join(' ')).not.toContain('a, b');
    expect(input).toContain('MESSAGE=a, b\0');
  });

  it.each([
    [{ cpus: 'abc' }, /cpus must be a whole number > 0, not "abc"/],
    [{ cpus: 0 }, /cpus must be a whole number/],
    [{ mem: '1G;x' }, /mem "1G;x" may only hold/],
    [{ output: '../escape.out' }, /output .* contains "\.\."/],
    [{ name: 'a b' }, /the job name/],
    [{ env: { PATH: '/planted' } }, /"PATH" is not allowed/],
    [{ env: { SBATCH_OUTPUT: '/elsewhere' } }, /"SBATCH_OUTPUT" is not allowed/]
  ])('refuses %j', (options, reason) => {
    expect(() => sbatchArguments({ script, ...(options as object) })).toThrow(SlurmSubmitError);
    expect(() => sbatchArguments({ script, ...(options as object) })).toThrow(reason);
  });

  it('takes a script of 1 MiB and refuses a larger one', () => {
    const padded = (bytes: number) => script + '#'.repeat(bytes - script.length);
    expect(() => sbatchArguments({ script: padded(MAX_SCRIPT_BYTES) })).not.toThrow();
    expect(() => sbatchArguments({ script: padded(MAX_SCRIPT_BYTES + 1) })).toThrow(/at most 1 MiB/);
  });
});
