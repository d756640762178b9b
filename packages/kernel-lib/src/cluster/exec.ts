/**
 * Running the Slurm commands: `spawn` with argument arrays, never a shell, so that nothing a
 * user types is parsed as shell syntax, and with the fixed environment of `slurmProgramEnv`, so that
 * nothing of the caller's environment (tokens, PATH, LD_*, SBATCH_*) reaches or steers them. Failures
 * become typed errors carrying Slurm's message.
 *
 * @example
 * const out = await runSlurm(commands, 'squeue', ['--json']);
 */
import { spawn } from 'child_process';
import { Writable } from 'stream';
import { accessSync, constants, statSync } from 'fs';
import { dirname, isAbsolute, join } from 'path';

import { SlurmCommandError, SlurmUnavailableError } from '../errors';
import { slurmProgramEnv } from './environment';

/** The Slurm programs the client runs. */
export type SlurmProgram = 'sbatch' | 'squeue' | 'sacct' | 'scontrol' | 'scancel' | 'sinfo';

/** Where the Slurm programs are and how to run them. */
export interface SlurmCommands {
  /** Path of each program; default: a program of that name in `bin`, else on PATH. */
  paths?: Partial<Record<SlurmProgram, string>>;
  /** Folder holding the programs (env MDLMA_SLURM_BIN). */
  bin?: string;
  /** SLURM_CONF for the programs; default: the caller's SLURM_CONF. */
  slurmConf?: string;
  /** Seconds before a command is killed (default 30). */
  timeout?: number;
}

/**
 * Resolves the path of `program` under `commands`: its configured path, else `<bin>/<program>`, else the
 * first one on the caller's PATH (an absolute path, since the program itself runs with a fixed PATH).
 */
export function slurmProgramPath(commands: SlurmCommands, program: SlurmProgram): string {
  const bin = commands.bin ?? process.env.MDLMA_SLURM_BIN;
  return commands.paths?.[program] ?? (bin ? join(bin, program) : Private.onPath(program) ?? program);
}

/**
 * Runs a Slurm program and returns its stdout. Throws `SlurmUnavailableError` when the
 * program is missing or the controller is down, `SlurmCommandError` for other refusals.
 */
export function runSlurm(
  commands: SlurmCommands,
  program: SlurmProgram,
  args: string[],
  options: runSlurm.IOptions = {}
): Promise<string> {
  const file = slurmProgramPath(commands, program);
  const env = slurmProgramEnv(isAbsolute(file) ? dirname(file) : undefined, commands.slurmConf ?? process.env.SLURM_CONF);
  const command = `${program} ${args.join(' ')}`.trim();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env,
      cwd: options.cwd,
      signal: options.signal,
      stdio: ['ignore', 'pipe', 'pipe', ...(options.fd3 === undefined ? [] : (['pipe'] as const))]
    });
    const out = { stdout: '', stderr: '', overflow: false };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.setEncoding('utf8').on('data', (chunk: string) => {
        out[stream] += chunk;
        if (out[stream].length > Private.MAX_OUTPUT && !out.overflow) {
          out.overflow = true;
          child.kill();
        }
      });
    }
    if (options.fd3 !== undefined) {
      // A program that exits before reading it closes the pipe: its exit status tells what went wrong.
      const pipe = child.stdio[3] as Writable;
      pipe.on('error', () => undefined);
      pipe.end(options.fd3);
    }
    // Our own timer, not spawn's `timeout`: Node clears that only on 'exit', which a program that was never found
    // does not emit, so the CLI lived on for the whole limit after its answer.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, (commands.timeout ?? 30) * 1000);
    let settled = false;
    const settle = (error: Error | null) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        error ? reject(error) : resolve(out.stdout);
      }
    };
    child.on('error', (error: NodeJS.ErrnoException) => settle(Private.toError(command, program, { ...Private.failure(error), killed: false }, '')));
    child.on('close', (code, signal) => {
      if (code === 0 && !out.overflow) {
        settle(null);
        return;
      }
      const failure = { code: undefined, name: 'Error', killed: timedOut, message: `${command} exited with ${code ?? signal}` };
      settle(Private.toError(command, program, failure, out.overflow ? 'more than 64 MiB of output' : out.stderr || out.stdout));
    });
  });
}

/** Types of `runSlurm`. */
export namespace runSlurm {
  /** Options of one run. */
  export interface IOptions {
    cwd?: string;
    signal?: AbortSignal;
    /**
     * Text the program reads from file descriptor 3 (sbatch reads the job's variables there: `--export-file=3`).
     * A descriptor, not a file: the values (possibly secrets) never touch the disk.
     */
    fd3?: string;
  }
}

/** True when Slurm's message means the controller cannot be reached or is not configured. */
export function isUnavailableMessage(message: string): boolean {
  return Private.UNAVAILABLE.some(pattern => pattern.test(message));
}

namespace Private {
  /** The first executable file `program` in the caller's PATH (absolute folders only), or undefined. */
  export function onPath(program: string): string | undefined {
    for (const folder of (process.env.PATH ?? '').split(':').filter(isAbsolute)) {
      const file = join(folder, program);
      try {
        accessSync(file, constants.X_OK);
        if (statSync(file).isFile()) {
          return file;
        }
      } catch {
        // not here: the next folder
      }
    }
    return undefined;
  }

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

  /** Output beyond which a program is stopped (squeue --json of a large cluster stays far below). */
  export const MAX_OUTPUT = 64 * 1024 * 1024;

  /** How a run failed: the spawn error's code and name, whether the time limit killed it, a message. */
  export interface Failure {
    code?: string;
    name: string;
    killed: boolean;
    message: string;
  }

  /** A spawn error (ENOENT, EACCES, AbortError) as a failure. */
  export function failure(error: NodeJS.ErrnoException): Failure & { error: Error } {
    return { code: error.code, name: error.name, killed: false, message: error.message, error };
  }

  /** Maps a failed run to a typed error; `output` is its stderr, or its stdout when stderr is empty (scontrol ping). */
  export function toError(command: string, program: string, error: Failure & { error?: Error }, output: string): Error {
    if (error.name === 'AbortError') {
      return error.error ?? new Error(error.message);
    }
    if (error.code === 'ENOENT' || error.code === 'EACCES') {
      return new SlurmUnavailableError(command, `${program} was not found (${error.code}); install slurm-client or set its path`);
    }
    const message = cleanMessage(output) || error.message;
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
