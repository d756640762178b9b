/**
 * The Slurm client: submit, list, show, cancel, hold, release, logs and wait, through the Slurm
 * commands (execFile, argument arrays). Works on clusters with and without slurmdbd: finished jobs
 * come from `sacct --json` where accounting runs, else from the jobcomp/filetxt completion log.
 *
 * @example
 * const slurm = new SlurmClient();
 * const { jobId } = await slurm.submit({ script: '#!/bin/bash\nmdlma version\n', name: 'hello', cpus: 1 });
 * const job = await slurm.wait(jobId);          // throws SlurmJobError if it failed
 * console.log(await slurm.logs(jobId));
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import { userInfo } from 'os';
import { join, resolve } from 'path';

import { InterruptedError, SlurmCommandError, SlurmJobError, SlurmSubmitError, SlurmUnavailableError } from '../errors';
import { writeFileAtomically } from '../files';
import { TERMINAL_STATES, type JobSubmission, type SlurmJob, type SlurmNode, type SubmitOptions, type SubmitResult } from '../protocol';
import { resolveSignal } from '../runtime/interrupt';
import { SlurmCommands, runSlurm } from './exec';
import { followFile, tailFile } from './logs';
import { parseJobcompLog, parseSacctJson, parseSqueueJson } from './parse';
import { sbatchArguments } from './sbatch-args';

/** A client of one Slurm cluster, reached through its command-line tools. */
export class SlurmClient {
  /** A client; with no options it uses the Slurm commands on PATH and the caller's SLURM_CONF. */
  constructor(options: SlurmClient.IOptions = {}) {
    this.commands = options.commands ?? {};
    this.pollInterval = options.pollInterval ?? 1000;
  }

  /** Where the Slurm commands are and which SLURM_CONF they use. */
  readonly commands: SlurmCommands;

  /** Milliseconds between polls of `wait` and `follow`. */
  readonly pollInterval: number;

  /**
   * Writes the script to a file and submits it with `sbatch --parsable`; returns the job id. The job gets
   * only the variables of `jobEnvironment` (the server's own environment never reaches it).
   */
  async submit(options: SubmitOptions): Promise<SubmitResult> {
    const { args, input } = sbatchArguments(options, { slurmConf: this.commands.slurmConf });
    await this._checkController();
    const workdir = resolve(options.workdir ?? process.cwd());
    const scriptDir = resolve(workdir, options.scriptDir ?? join('.mdlma', 'slurm'));
    await fs.mkdir(scriptDir, { recursive: true });
    const scriptPath = join(scriptDir, `${options.name ?? 'job'}-${Date.now()}-${randomBytes(3).toString('hex')}.sh`);
    await fs.writeFile(scriptPath, options.script, { mode: 0o700 });
    args.push(scriptPath);
    let stdout: string;
    try {
      stdout = await runSlurm(this.commands, 'sbatch', args, { fd3: input, cwd: workdir });
    } catch (error) {
      await fs.rm(scriptPath, { force: true });
      throw error instanceof SlurmCommandError ? new SlurmSubmitError(error.schedulerMessage) : error;
    }
    const jobId = stdout.trim().split(';')[0];
    if (!/^\d+$/.test(jobId)) {
      throw new SlurmSubmitError(`sbatch printed "${stdout.trim()}" instead of a job id`);
    }
    await Private.writeSubmission(scriptDir, jobId, scriptPath, options);
    return { jobId, scriptPath, args };
  }

  /**
   * What job `job` was submitted with (template, parameters, options), if it was submitted by
   * `submit` with the default script folder; null otherwise. For a task, its array job's record.
   */
  async submission(job: Pick<SlurmJob, 'jobId' | 'arrayJobId' | 'workdir'>): Promise<JobSubmission | null> {
    const id = job.arrayJobId ?? job.jobId;
    const file = join(resolve(job.workdir || '.'), '.mdlma', 'slurm', `job-${id}.json`);
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (!text) {
      return null;
    }
    try {
      const record = JSON.parse(text) as JobSubmission;
      return record.jobId === String(id) ? record : null;
    } catch {
      return null;
    }
  }

  /**
   * Jobs of the user (all users with `all`), queued and running from squeue plus finished ones
   * from sacct or the completion log; newest first.
   */
  async list(options: SlurmClient.IListOptions = {}): Promise<SlurmJob[]> {
    await this._checkController();
    const queued = parseSqueueJson(await runSlurm(this.commands, 'squeue', ['--json']));
    const finished = options.finished === false ? [] : await this._finishedJobs();
    const byId = new Map<string, SlurmJob>();
    for (const job of [...finished, ...queued]) {
      byId.set(job.id, job);
    }
    const user = options.all ? undefined : options.user ?? userInfo().username;
    return [...byId.values()]
      .filter(job => !user || job.user === user)
      .sort((a, b) => (b.arrayJobId ?? b.jobId) - (a.arrayJobId ?? a.jobId) || (a.arrayTaskId ?? 0) - (b.arrayTaskId ?? 0));
  }

  /**
   * One job: "12", a task "10_3", or an array job "10" (then `tasks` holds its tasks and the
   * state sums them up). Throws `SlurmCommandError` for an id the scheduler does not know.
   */
  async show(id: string): Promise<SlurmJob> {
    const key = Private.checkId(id);
    const jobs = await this.list({ all: true });
    const exact = jobs.find(job => job.id === key || (job.jobId === Number(key) && String(job.arrayJobId) !== key));
    if (exact) {
      return exact;
    }
    const [arrayId, taskId] = key.split('_').map(Number);
    const pending = taskId === undefined ? undefined : jobs.find(job => job.arrayJobId === arrayId && Private.coversTask(job.id, taskId));
    if (pending) {
      // A task still inside the array's pending record ("10_[0-9]").
      return { ...pending, id: key, arrayTaskId: taskId };
    }
    const tasks = jobs.filter(job => String(job.arrayJobId) === key).sort((a, b) => (a.arrayTaskId ?? 0) - (b.arrayTaskId ?? 0));
    if (tasks.length === 0) {
      throw new SlurmCommandError(`show ${key}`, `no job ${key} in the queue or among finished jobs`);
    }
    return Private.arraySummary(key, tasks);
  }

  /** The cluster's compute nodes (`sinfo`), each once. */
  async nodes(): Promise<SlurmNode[]> {
    await this._checkController();
    const out = await runSlurm(this.commands, 'sinfo', ['--noheader', '--Node', '--format=%N|%n|%o|%T']);
    const byName = new Map<string, SlurmNode>();
    for (const line of out.split('\n')) {
      const [name, hostname, address, state] = line.trim().split('|');
      if (name && !byName.has(name)) {
        byName.set(name, { name, hostname: hostname ?? name, address: address ?? name, state: state ?? '' });
      }
    }
    return [...byName.values()];
  }

  /** Cancels a job (`scancel`); an array id cancels all its tasks. */
  async cancel(id: string): Promise<SlurmJob> {
    const before = await this.show(id);
    await runSlurm(this.commands, 'scancel', [Private.checkId(id)]);
    // A task cancelled while still inside its array's pending record vanishes from squeue at once.
    return this.show(id).catch(() => ({ ...before, state: 'CANCELLED', reason: '' }));
  }

  /** Holds a pending job (`scontrol hold`). */
  async hold(id: string): Promise<SlurmJob> {
    await this._checkController();
    await runSlurm(this.commands, 'scontrol', ['hold', Private.checkId(id)]);
    return this.show(id);
  }

  /** Releases a held job (`scontrol release`). */
  async release(id: string): Promise<SlurmJob> {
    await this._checkController();
    await runSlurm(this.commands, 'scontrol', ['release', Private.checkId(id)]);
    return this.show(id);
  }

  /** The last `lines` lines (default 100) of a job's stdout or stderr; '' while the file does not exist. */
  async logs(id: string, options: SlurmClient.ILogOptions = {}): Promise<string> {
    const job = await this.show(id);
    return tailFile(options.stream === 'stderr' ? job.stderr : job.stdout, options.lines ?? 100);
  }

  /**
   * Follows a job's stdout or stderr: yields what is already there, then each new chunk, and
   * ends once the job has ended and the file is read, or when `signal` aborts.
   */
  async *follow(id: string, options: SlurmClient.IFollowOptions = {}): AsyncGenerator<string> {
    const signal = resolveSignal(options.signal);
    const job = await this.show(id);
    const path = options.stream === 'stderr' ? job.stderr : job.stdout;
    let ended = TERMINAL_STATES.has(job.state);
    const finished = async () => {
      if (!ended) {
        ended = TERMINAL_STATES.has((await this.show(id)).state);
      }
      return ended;
    };
    yield* followFile(path, { signal, interval: this.pollInterval, finished });
  }

  /**
   * Waits until the job ends; returns it when COMPLETED, throws `SlurmJobError` (exit code and
   * the end of stderr) otherwise, unless `throwOnFailure` is false. Abort: `InterruptedError`.
   */
  async wait(id: string, options: SlurmClient.IWaitOptions = {}): Promise<SlurmJob> {
    const signal = resolveSignal(options.signal);
    const deadline = options.timeout ? Date.now() + options.timeout * 1000 : Infinity;
    for (;;) {
      if (signal.aborted) {
        throw new InterruptedError(`Waiting for Slurm job ${id}`);
      }
      const job = await this.show(id);
      if (TERMINAL_STATES.has(job.state)) {
        if (job.state !== 'COMPLETED' && options.throwOnFailure !== false) {
          const failed = job.tasks?.find(task => task.state !== 'COMPLETED') ?? job;
          throw new SlurmJobError(job.id, failed.state, failed.exitCode, await tailFile(failed.stderr, 20));
        }
        return job;
      }
      if (Date.now() > deadline) {
        throw new SlurmCommandError(`wait ${id}`, `the job is still ${job.state} after ${options.timeout} s`);
      }
      await Private.sleep(this.pollInterval, signal);
    }
  }

  /**
   * Throws `SlurmUnavailableError` at once when no controller answers `scontrol ping` (tens of milliseconds),
   * instead of letting squeue or sbatch retry for MessageTimeout seconds each; a positive answer holds 10 s.
   */
  private async _checkController(): Promise<void> {
    if (Date.now() - this._controllerSeenAt < 10_000) {
      return;
    }
    let answer: string;
    try {
      answer = await runSlurm(this.commands, 'scontrol', ['ping']);
    } catch (error) {
      // scontrol ping exits 1 when a controller is DOWN (a backup may still be UP); its report is the message.
      if (!(error instanceof SlurmCommandError)) {
        throw error;
      }
      answer = error.schedulerMessage;
    }
    if (/ is DOWN/.test(answer) && !/ is UP/.test(answer)) {
      throw new SlurmUnavailableError('scontrol ping', `Unable to contact slurm controller (${answer.split(';')[0].trim()})`);
    }
    this._controllerSeenAt = Date.now();
  }

  /** Finished jobs: sacct --json where accounting runs, else the jobcomp/filetxt log, else none. */
  private async _finishedJobs(): Promise<SlurmJob[]> {
    if (this._finishedSource === undefined) {
      this._finishedSource = await Private.findFinishedSource(this.commands);
    }
    const source = this._finishedSource;
    if (source.kind === 'sacct') {
      return parseSacctJson(await runSlurm(this.commands, 'sacct', ['--json', '--allusers']));
    }
    if (source.kind === 'jobcomp') {
      const text = await fs.readFile(source.path, 'utf8').catch(() => '');
      return parseJobcompLog(text);
    }
    return [];
  }

  private _finishedSource: Private.FinishedSource | undefined;
  private _controllerSeenAt = 0;
}

/** Types of `SlurmClient`. */
export namespace SlurmClient {
  /** Options of the constructor. */
  export interface IOptions {
    commands?: SlurmCommands;
    /** Milliseconds between polls of `wait` and `follow` (default 1000). */
    pollInterval?: number;
  }

  /** Options of `list`. */
  export interface IListOptions {
    /** Jobs of this user (default: the calling user). */
    user?: string;
    /** Jobs of all users. */
    all?: boolean;
    /** Include finished jobs (default true). */
    finished?: boolean;
  }

  /** Options of `logs`. */
  export interface ILogOptions {
    stream?: 'stdout' | 'stderr';
    lines?: number;
  }

  /** Options of `follow`. */
  export interface IFollowOptions {
    stream?: 'stdout' | 'stderr';
    signal?: AbortSignal;
  }

  /** Options of `wait`. */
  export interface IWaitOptions {
    signal?: AbortSignal;
    /** Seconds before giving up (default: no limit). */
    timeout?: number;
    /** Throw `SlurmJobError` when the job did not complete (default true). */
    throwOnFailure?: boolean;
  }
}

namespace Private {
  /** Where finished jobs are read from. */
  export type FinishedSource = { kind: 'sacct' } | { kind: 'jobcomp'; path: string } | { kind: 'none' };

  /** Asks the cluster once: does sacct answer, else does it keep a jobcomp/filetxt log? */
  export async function findFinishedSource(commands: SlurmCommands): Promise<FinishedSource> {
    try {
      const out = await runSlurm(commands, 'sacct', ['--json', '--starttime', 'now-1minutes']);
      JSON.parse(out);
      return { kind: 'sacct' };
    } catch (error) {
      // No slurmdbd ("accounting storage is disabled") or no sacct program: try the completion log.
      if (error instanceof SlurmUnavailableError && !/not found/.test(error.schedulerMessage)) {
        throw error;
      }
    }
    const config = await runSlurm(commands, 'scontrol', ['show', 'config']);
    const value = (key: string) => new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm').exec(config)?.[1].trim();
    const path = value('JobCompLoc');
    return value('JobCompType') === 'jobcomp/filetxt' && path ? { kind: 'jobcomp', path } : { kind: 'none' };
  }

  /** Keeps what job `jobId` was submitted with beside its script (a failure to write it does not fail the submission). */
  export async function writeSubmission(scriptDir: string, jobId: string, scriptPath: string, options: SubmitOptions): Promise<void> {
    const { script: _script, origin, env, ...rest } = options;
    const record: JobSubmission = {
      jobId,
      template: origin?.template ?? null,
      params: origin?.params ?? null,
      edited: origin?.edited ?? false,
      options: rest,
      env: Object.keys(env ?? {}),
      scriptPath,
      submitted: new Date().toISOString()
    };
    const file = join(scriptDir, `job-${jobId}.json`);
    await writeFileAtomically(file, JSON.stringify(record, null, 2), { mode: 0o600 }).catch(() => undefined);
  }

  /** A job id as scancel/scontrol accept it: "12", "12_3"; anything else is refused. */
  export function checkId(id: string): string {
    const text = String(id).trim();
    if (!/^\d+(_\d+)?$/.test(text)) {
      throw new SlurmCommandError(`job id "${text}"`, 'a job id is a number, or <array id>_<task> for a task of an array job');
    }
    return text;
  }

  /** One record for an array job: the state sums up the tasks (running while any runs, failed if any failed). */
  export function arraySummary(id: string, tasks: SlurmJob[]): SlurmJob {
    const states = tasks.map(task => task.state);
    const allEnded = states.every(state => TERMINAL_STATES.has(state));
    const state = !allEnded
      ? states.includes('RUNNING')
        ? 'RUNNING'
        : states.find(s => !TERMINAL_STATES.has(s)) ?? 'PENDING'
      : states.find(s => s !== 'COMPLETED') ?? 'COMPLETED';
    const failed = tasks.find(task => task.state !== 'COMPLETED' && TERMINAL_STATES.has(task.state));
    return {
      ...tasks[0],
      id,
      jobId: Number(id),
      arrayTaskId: undefined,
      state,
      exitCode: allEnded ? failed?.exitCode ?? 0 : null,
      endTime: allEnded ? tasks.map(task => task.endTime ?? '').sort().at(-1) || null : null,
      tasks
    };
  }

  /** True if a pending array record's id ("10_[0-3,7%2]") includes task `task`. */
  export function coversTask(id: string, task: number): boolean {
    const spec = /_\[(.*)\]$/.exec(id)?.[1].replace(/%\d+$/, '');
    return !!spec && spec.split(',').some(part => {
      const [from, to] = part.split('-').map(Number);
      return to === undefined ? task === from : task >= from && task <= to;
    });
  }

  /** Resolves after `ms`, or rejects with InterruptedError when `signal` aborts. */
  export function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new InterruptedError('Waiting for a Slurm job'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
