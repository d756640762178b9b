/**
 * The environments of the Slurm programs and of the jobs they submit.
 *
 * The programs (sbatch, squeue, scontrol, ...) run with a fixed, minimal environment: a PATH of the system
 * folders plus the folder of the Slurm programs, HOME, USER, LOGNAME, the locale and time zone, and SLURM_CONF.
 * Nothing else of the caller's environment reaches them, so that neither a token of the Jupyter server
 * (SCICAT_TOKEN, JUPYTERHUB_API_TOKEN) nor SBATCH_* / SLURM_* / LD_* variables steer or leak through them.
 *
 * A job gets Slurm's own variables, the user's login environment (which Slurm loads for every job not submitted
 * with --export=ALL: HOME, USER, the login PATH), and exactly these, through `sbatch --export=<names>
 * --export-file`: the submitter's LANG, LC_ALL, TZ, MDLMA_MODELS (where the job's `mdlma segment` finds models)
 * and the names the facility lists in MDLMA_SLURM_JOB_ENV, SLURM_CONF of the commands, and the variables the
 * request asks for. Names in `DENIED_JOB_ENV` and in MDLMA_SLURM_DENY_ENV (comma-separated shell-style patterns)
 * are refused in a request with `SlurmSubmitError` and never inherited.
 *
 * @example
 * const env = jobEnvironment({ MESSAGE: 'a, b' }, { slurmConf: '/etc/slurm/slurm.conf' });
 * const { args, input } = exportArguments(env);  // ['--export=LANG,MESSAGE,SLURM_CONF', '--export-file=3'], 'LANG=...\0MESSAGE=a, b\0...'
 */
import { userInfo } from 'os';

import { SlurmSubmitError } from '../errors';

/** Variables no job may be given, nor inherit: they steer programs, Slurm itself, or hold the server's secrets. */
export const DENIED_JOB_ENV: readonly string[] = ['PATH', 'LD_*', 'SLURM_*', 'SBATCH_*', 'SCICAT_*', 'JUPYTERHUB_*', 'JPY_*'];

/** The submitter's variables every job inherits when they are set (besides MDLMA_SLURM_JOB_ENV's). */
export const INHERITED_JOB_ENV: readonly string[] = ['LANG', 'LC_ALL', 'TZ', 'MDLMA_MODELS'];

/** The system folders of the Slurm programs' PATH (the folder of the programs themselves goes first). */
export const SYSTEM_PATH: readonly string[] = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The denied patterns: `DENIED_JOB_ENV` plus the facility's MDLMA_SLURM_DENY_ENV. */
export function deniedJobEnv(): string[] {
  return [...DENIED_JOB_ENV, ...Private.list(process.env.MDLMA_SLURM_DENY_ENV)];
}

/** Why `name` may not be a job's variable, or null. */
export function jobEnvNameProblem(name: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return 'may only hold letters, digits and _ (and not start with a digit)';
  }
  const pattern = deniedJobEnv().find(glob => Private.globMatches(glob, name));
  return pattern
    ? `is not allowed (it matches ${pattern}: such variables steer the Slurm programs or hold the server's secrets; ` +
        'denied names: PATH, LD_*, SLURM_*, SBATCH_*, SCICAT_*, JUPYTERHUB_*, JPY_* and MDLMA_SLURM_DENY_ENV)'
    : null;
}

/** The request's job variables, checked: `SlurmSubmitError` for a denied or malformed name, or a value that is not text. */
export function checkJobEnv(env: Record<string, unknown>): Record<string, string> {
  for (const [name, value] of Object.entries(env)) {
    const problem = jobEnvNameProblem(name);
    if (problem) {
      throw new SlurmSubmitError(`the job environment variable "${name}" ${problem}`, false);
    }
    if (typeof value !== 'string' || value.includes('\0')) {
      throw new SlurmSubmitError(`the job environment variable ${name} must be a string without NUL characters`, false);
    }
  }
  return env as Record<string, string>;
}

/** A job's variables: the inherited ones that are set and not denied, SLURM_CONF, then the request's (checked). */
export function jobEnvironment(requested: Record<string, unknown> = {}, options: jobEnvironment.IOptions = {}): Record<string, string> {
  const checked = checkJobEnv(requested);
  const env: Record<string, string> = {};
  for (const name of [...INHERITED_JOB_ENV, ...Private.list(process.env.MDLMA_SLURM_JOB_ENV)]) {
    const value = process.env[name];
    if (value !== undefined && !value.includes('\0') && jobEnvNameProblem(name) === null) {
      env[name] = value;
    }
  }
  // Slurm itself passes SLURM_CONF on with --export=NONE; the export file would drop it.
  const slurmConf = options.slurmConf ?? process.env.SLURM_CONF;
  if (slurmConf) {
    env.SLURM_CONF = slurmConf;
  }
  return { ...env, ...checked };
}

/** Types of `jobEnvironment`. */
export namespace jobEnvironment {
  /** Where the job environment's Slurm configuration comes from. */
  export interface IOptions {
    /** SLURM_CONF of the commands (default: the caller's SLURM_CONF). */
    slurmConf?: string;
  }
}

/**
 * sbatch's arguments that give the job exactly `env`, and the text sbatch reads from file descriptor 3: the names
 * go on the command line, the values through `--export-file=3` (NUL-separated, so that commas, newlines and
 * secrets never appear in argv or on disk). With no variables: `--export=NONE`.
 */
export function exportArguments(env: Record<string, string>): { args: string[]; input?: string } {
  const names = Object.keys(env).sort();
  if (names.length === 0) {
    return { args: ['--export=NONE'] };
  }
  return {
    args: [`--export=${names.join(',')}`, '--export-file=3'],
    input: names.map(name => `${name}=${env[name]}\0`).join('')
  };
}

/** The fixed environment of the Slurm programs, whose own folder is `programFolder` (when known). */
export function slurmProgramEnv(programFolder: string | undefined, slurmConf: string | undefined): Record<string, string> {
  const user = Private.user();
  const env: Record<string, string> = {
    PATH: [...new Set([...(programFolder ? [programFolder] : []), ...SYSTEM_PATH])].join(':'),
    HOME: process.env.HOME || user.homedir,
    USER: process.env.USER || user.username,
    LOGNAME: process.env.LOGNAME || process.env.USER || user.username
  };
  for (const name of ['LANG', 'LC_ALL', 'TZ']) {
    const value = process.env[name];
    if (value) {
      env[name] = value;
    }
  }
  if (slurmConf) {
    env.SLURM_CONF = slurmConf;
  }
  return env;
}

namespace Private {
  /** A comma-separated list, trimmed, without empty items. */
  export function list(text: string | undefined): string[] {
    return (text ?? '')
      .split(',')
      .map(item => item.trim())
      .filter(Boolean);
  }

  /** True when `name` matches the shell-style `glob` (`*`, `?`; case-sensitive, as environment names are). */
  export function globMatches(glob: string, name: string): boolean {
    const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${source}$`).test(name);
  }

  /** The calling user (userInfo throws for a uid without a passwd entry). */
  export function user(): { username: string; homedir: string } {
    try {
      const info = userInfo();
      return { username: info.username, homedir: info.homedir };
    } catch {
      return { username: String(process.getuid?.() ?? ''), homedir: '/' };
    }
  }
}
