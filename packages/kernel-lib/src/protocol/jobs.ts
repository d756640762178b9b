/**
 * The Slurm records the kernel's cluster module speaks: a job as the scheduler reports it, a compute node, the
 * options and record of a submission, and where a spawned app listens. Plain data: `mdlma slurm ... --json` prints
 * them, the Jupyter server passes them on (`/mdlma/api/slurm/`) and the job panel reads them back.
 *
 * @example
 * import { TERMINAL_STATES, type SlurmJob } from '@mdlma/kernel/protocol';
 * const ended = (jobs: SlurmJob[]) => jobs.filter(job => TERMINAL_STATES.has(job.state));
 */

/** Slurm's job states (squeue and the completion log spell them the same way). */
export type JobState =
  | 'PENDING'
  | 'RUNNING'
  | 'SUSPENDED'
  | 'COMPLETING'
  | 'CONFIGURING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'NODE_FAIL'
  | 'OUT_OF_MEMORY'
  | 'PREEMPTED'
  | 'BOOT_FAIL'
  | 'DEADLINE'
  | string;

/** States after which a job never runs again. */
export const TERMINAL_STATES: ReadonlySet<string> = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE'
]);

/** One job (or one task of an array job), from squeue, sacct or the completion log. */
export interface SlurmJob {
  /** The id scancel and scontrol accept: "12", or "10_3" for task 3 of array job 10. */
  id: string;
  /** The numeric id Slurm gave this record. */
  jobId: number;
  /** The array job's id, for a task of an array. */
  arrayJobId?: number;
  /** The task index, for a task of an array. */
  arrayTaskId?: number;
  name: string;
  user: string;
  state: JobState;
  /** Why a job waits or ended (squeue's reason: "JobHeldUser", "NonZeroExitCode", ...). */
  reason: string;
  partition: string;
  nodes: string;
  cpus: number | null;
  /** Exit code of the batch script, null while the job has not ended. */
  exitCode: number | null;
  /** Signal that ended the script, if any. */
  signal: number | null;
  /** ISO 8601 times; null when not (yet) known. */
  submitTime: string | null;
  startTime: string | null;
  endTime: string | null;
  /** Time limit in minutes; null for none. */
  timeLimit: number | null;
  workdir: string;
  /** Standard output and error files with Slurm's %j, %A, %a, %x, %u, %N patterns filled in. */
  stdout: string;
  stderr: string;
  /** Where the record came from. */
  source: 'squeue' | 'sacct' | 'jobcomp';
  /** For an array job shown as a whole: its tasks. */
  tasks?: SlurmJob[];
}

/** A compute node as `sinfo` reports it: what apps spawned on it may report as their host. */
export interface SlurmNode {
  /** Slurm's node name (NodeName). */
  name: string;
  /** The node's host name (NodeHostName). */
  hostname: string;
  /** The node's address (NodeAddr). */
  address: string;
  state: string;
}

/** Options of `SlurmClient.submit`: the script text plus what becomes sbatch's arguments. */
export interface SubmitOptions {
  /** The batch script (with its `#!` line); written to a file that sbatch reads. */
  script: string;
  /** Job name (letters, digits, `._+-`). */
  name?: string;
  partition?: string;
  /** CPUs per task. */
  cpus?: number;
  /** Memory per node, e.g. "4G" or "500M". */
  mem?: string;
  /** Time limit, e.g. "30", "01:00:00", "1-00:00:00". */
  time?: string;
  /** Generic resources, e.g. "gpu:1". */
  gres?: string;
  /** Array index spec, e.g. "0-9" or "1,3,5%2". */
  array?: string;
  /** Dependency spec, e.g. "afterok:12:13". */
  dependency?: string;
  /** Standard output file (Slurm patterns allowed); default `slurm-%j.out` in the work folder. */
  output?: string;
  /** Standard error file; default: the same file as output. */
  error?: string;
  /** Folder the job runs in; default the current folder. */
  workdir?: string;
  /**
   * Variables of the job (names: letters, digits, `_`), its only ones besides Slurm's, the login environment and
   * those of `jobEnvironment`: the submitter's environment never reaches a job. PATH, LD_*, SLURM_*, SBATCH_*,
   * SCICAT_*, JUPYTERHUB_*, JPY_* and MDLMA_SLURM_DENY_ENV's patterns are refused.
   */
  env?: Record<string, string>;
  /** Submit held (`--hold`): the job waits until released. */
  hold?: boolean;
  /** Folder for the script file; default `<workdir>/.mdlma/slurm`. */
  scriptDir?: string;
  /** What the job was made from (a template and its parameters; `edited`: its script was edited before submitting), kept with the job for the job panel. */
  origin?: { template?: string; params?: Record<string, unknown>; edited?: boolean };
}

/**
 * What was submitted, as `submit` records it beside the script (`<scriptDir>/job-<id>.json`):
 * the template and its parameters, the sbatch options and the script file.
 */
export interface JobSubmission {
  jobId: string;
  template: string | null;
  params: Record<string, unknown> | null;
  /** True when the template's script was edited before it was submitted. */
  edited: boolean;
  /** The job options (name, cpus, mem, ...) without the script. */
  options: Omit<SubmitOptions, 'script' | 'origin' | 'env'>;
  /** Names of the extra environment variables (their values are not kept: they may be secrets). */
  env: string[];
  scriptPath: string;
  /** ISO 8601 time of the submission. */
  submitted: string;
}

/** What `submit` returns. */
export interface SubmitResult {
  jobId: string;
  /** The script file sbatch read. */
  scriptPath: string;
  /** The exact sbatch arguments (without the program). */
  args: string[];
}

/**
 * Where an app spawned as a job (the `jupyterlab` template) listens, as the job wrote it to
 * `<workdir>/<dir>/app-<job id>.json` once its server listened.
 */
export interface AppConnection {
  host: string;
  port: number;
  token: string;
  url: string;
  /** The path the app serves under: "/", or `<proxy path><host>:<port>/` when started for jupyter-server-proxy. */
  baseUrl: string;
  jobId: string;
}
