/**
 * A submission checked and written as sbatch's arguments: the one validation `SlurmClient.submit` and
 * `mdlma slurm render` share, so that a preview refuses exactly what a submission refuses.
 *
 * @example
 * const { args, input } = sbatchArguments({ script, name: 'hello', cpus: 2, env: { MESSAGE: 'hi' } });
 * // args: ['--parsable', '--job-name=hello', '--cpus-per-task=2', '--export=LANG,MESSAGE,SLURM_CONF', '--export-file=3']
 */
import { resolve } from 'path';

import { SlurmSubmitError } from '../errors';
import { jobNameProblem, optionProblem, pathProblem, type SubmitOptions } from '../protocol';
import { exportArguments, jobEnvironment } from './environment';

/** The largest batch script accepted, in bytes (UTF-8). Slurm's own default limit is 4 MiB (max_script_size). */
export const MAX_SCRIPT_BYTES = 1 << 20;

/**
 * sbatch's arguments for `options` (without the script file, which goes last) and the text sbatch reads from
 * file descriptor 3 (the job's variables). Throws `SlurmSubmitError` naming the first option that is refused.
 */
export function sbatchArguments(options: SubmitOptions, settings: { slurmConf?: string } = {}): { args: string[]; input?: string } {
  const args = ['--parsable'];
  Private.refuse('the script', Private.scriptProblem(options.script));
  if (options.name !== undefined) {
    Private.refuse('the job name', typeof options.name === 'string' ? jobNameProblem(options.name) : 'must be a string');
    args.push(`--job-name=${options.name}`);
  }
  for (const [key, flag] of Private.PLAIN) {
    const value = options[key];
    if (value !== undefined && value !== '') {
      Private.refuse(key, optionProblem(String(value)));
      args.push(`${flag}=${value}`);
    }
  }
  if (options.cpus !== undefined) {
    const ok = typeof options.cpus === 'number' && Number.isInteger(options.cpus) && options.cpus > 0;
    Private.refuse('cpus', ok ? null : `must be a whole number > 0, not ${JSON.stringify(options.cpus) ?? String(options.cpus)}`);
    args.push(`--cpus-per-task=${options.cpus}`);
  }
  for (const [key, flag] of Private.PATHS) {
    const value = options[key];
    if (value !== undefined) {
      Private.refuse(key, pathProblem(String(value)));
      args.push(`${flag}=${key === 'workdir' ? resolve(String(value)) : value}`);
    }
  }
  if (options.scriptDir !== undefined) {
    Private.refuse('scriptDir', pathProblem(options.scriptDir));
  }
  if (options.hold) {
    args.push('--hold');
  }
  const exported = exportArguments(jobEnvironment(options.env ?? {}, settings));
  return { args: [...args, ...exported.args], input: exported.input };
}

namespace Private {
  /** Options written as `--flag=value` after `optionProblem` has checked them. */
  export const PLAIN: [keyof SubmitOptions, string][] = [
    ['partition', '--partition'],
    ['mem', '--mem'],
    ['time', '--time'],
    ['gres', '--gres'],
    ['array', '--array'],
    ['dependency', '--dependency']
  ];

  /** Options that are paths (no newline, no ".." step). */
  export const PATHS: [keyof SubmitOptions, string][] = [
    ['output', '--output'],
    ['error', '--error'],
    ['workdir', '--chdir']
  ];

  /** Throws the refusal of `what` when there is a problem. */
  export function refuse(what: string, problem: string | null): void {
    if (problem) {
      throw new SlurmSubmitError(`${what} ${problem}`, false);
    }
  }

  /** Why `script` cannot be submitted, or null. */
  export function scriptProblem(script: unknown): string | null {
    if (typeof script !== 'string') {
      return 'must be text';
    }
    const bytes = Buffer.byteLength(script, 'utf8');
    return bytes > MAX_SCRIPT_BYTES
      ? `is ${(bytes / (1 << 20)).toFixed(1)} MiB; a batch script may have at most 1 MiB (read large data from files instead)`
      : null;
  }
}
