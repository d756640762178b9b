/**
 * Running the Slurm commands: `execFile` with argument arrays, never a shell, so that nothing a
 * user types is parsed as shell syntax. Failures become typed errors carrying Slurm's message.
 *
 * @example
 * const out = await runSlurm(commands, 'squeue', ['--json']);
 */
import { ExecFileException, execFile } from 'child_process';
import { join } from 'path';

import { SlurmCommandError, SlurmUnavailableError } from '../errors';

/** The Slurm programs the client runs. */
export type SlurmProgram = 'sbatch' | 'squeue' | 'sacct' | 'scontrol' | 'scancel' | 'sinfo';

/** Where the Slurm programs are and how to run them. */
export interface SlurmCommands {
  /** Path of each program; default: a program of that name in `bin`, else on PATH. */
  paths?: Partial<Record<SlurmProgram, string>>;
  /** Folder holding the programs (env MDLMA_SLURM_BIN). */
  bin?: string;
  /** SLURM_CONF for the programs; default: the caller's environment. */
  slurmConf?: string;
  /** Seconds before a command is killed (default 30). */
  timeout?: number;
}

/** Options of one run. */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
}

/** Resolves the path of `program` under `commands`. */
export function slurmProgramPath(commands: SlurmCommands, program: SlurmProgram): string {
  const bin = commands.bin ?? process.env.MDLMA_SLURM_BIN;
  return commands.paths?.[program] ?? (bin ? join(bin, program) : program);
}

/**
 * Runs a Slurm program and returns its stdout. Throws `SlurmUnavailableError` when the
 * program is missing or the controller is down, `SlurmCommandError` for other refusals.
 */
export function runSlurm(
  commands: SlurmCommands,
  program: SlurmProgram,
  args: string[],
  options: RunOptions = {}
): Promise<string> {
  const file = slurmProgramPath(commands, program);
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (commands.slurmConf) {
    env.SLURM_CONF = commands.slurmConf;
  }
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env,
        cwd: options.cwd,
        signal: options.signal,
        timeout: (commands.timeout ?? 30) * 1000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8'
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        reject(Private.toError(`${program} ${args.join(' ')}`.trim(), program, error, stderr));
      }
    );
  });
}

/** True when Slurm's message means the controller cannot be reached or is not configured. */
export function isUnavailableMessage(message: string): boolean {
  return Private.UNAVAILABLE.some(pattern => pattern.test(message));
}

namespace Private {
  /** Messages of Slurm 22.05 client commands when slurmctld is down or no configuration is found. */
  export const UNAVAILABLE = [
    /Unable to contact slurm controller/i,
    /Connection refused/i,
    /Could not establish a configuration source/i,
    /Zero Bytes were transmitted or received/i,
    /Socket timed out/i,
    /Communication connection failure/i,
    /Munge encode failed/i,
    /cannot open ?.*slurm\.conf/i,
    /Unable to establish controller machine/i
  ];

  /** Maps a failed execFile to a typed error. */
  export function toError(
    command: string,
    program: string,
    error: ExecFileException,
    stderr: string
  ): Error {
    if (error.name === 'AbortError') {
      return error;
    }
    if (error.code === 'ENOENT' || error.code === 'EACCES') {
      return new SlurmUnavailableError(command, `${program} was not found (${error.code}); install slurm-client or set its path`);
    }
    const message = cleanMessage(stderr) || error.message;
    if (error.killed) {
      return new SlurmUnavailableError(command, `no answer within the time limit (${message})`);
    }
    if (isUnavailableMessage(message)) {
      return new SlurmUnavailableError(command, message);
    }
    return new SlurmCommandError(command, message);
  }

  /** Slurm's stderr without the "sbatch: error: " prefixes, one line. */
  export function cleanMessage(stderr: string): string {
    return stderr
      .split('\n')
      .map(line => line.replace(/^\w+: (error|fatal): /, '').trim())
      .filter(Boolean)
      .join('; ');
  }
}
