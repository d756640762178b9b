/**
 * What the job panel needs from the server: the Slurm API of `/mdlma/api/slurm/` (the labextension
 * implements it with Jupyter's ServerConnection), as an interface so that the widgets know nothing
 * of URLs, tokens or XSRF. The shapes are those `mdlma slurm ... --json` prints (kernel-lib cluster/).
 *
 * @example
 * const { jobs } = await service.list();
 * const preview = await service.render({ template: 'segment-volume', params: { input: 'scan.nii.gz', output: 'l.nii.gz' } });
 */
import type { AppConnection } from '@mdlma/kernel/lib/cluster/apps';
import type { ParametersSchema, ParameterValue } from '@mdlma/kernel/lib/cluster/schema';
import type { JobSubmission, SlurmJob, SubmitOptions } from '@mdlma/kernel/lib/cluster/types';

export type { AppConnection, JobSubmission, ParametersSchema, ParameterValue, SlurmJob };

/** A job template as listed (without its script). */
export interface JobTemplateInfo {
  name: string;
  title: string;
  description: string;
  parameters: ParametersSchema;
  origin: 'shipped' | 'user';
}

/** The sbatch options a submission may set on top of the template's. */
export type JobOptions = Omit<SubmitOptions, 'script' | 'origin' | 'env' | 'workdir' | 'scriptDir' | 'hold'>;

/** A submission (or its preview): a template and its parameters, or (template `custom`) a script. */
export interface SubmitRequest {
  template: string;
  params: Record<string, unknown>;
  /** Options that override the template's (the edited preview keeps the rendered ones). */
  job?: JobOptions;
  /** The job's folder, relative to the server's root ('' = the root). */
  workdir?: string;
  /** What the job is recorded as made from, when not `template` itself (an edited preview). */
  origin?: { template: string; params: Record<string, unknown>; edited: boolean };
}

/** The exact script and options a submission would run (`mdlma slurm render`). */
export interface RenderedJob {
  template: string;
  script: string;
  job: JobOptions;
  values: Record<string, ParameterValue>;
}

/** What `submit` answers. */
export interface SubmittedJob {
  jobId: string;
  scriptPath: string;
  args: string[];
}

/** One job with what it was submitted with (null when mdlma did not submit it). */
export interface JobDetails {
  job: SlurmJob;
  submission: JobSubmission | null;
}

/** The end of a job's stdout or stderr. */
export interface JobLog {
  id: string;
  state: string;
  stream: 'stdout' | 'stderr';
  path: string;
  text: string;
}

/** A spawned app's connection, with whether the server may proxy to its host. */
export interface AppInfo {
  app: (AppConnection & { proxyAllowed?: boolean }) | null;
  state: string;
}

/** The actions on a job. */
export type JobAction = 'cancel' | 'hold' | 'release';

/** The Slurm API the job panel uses. */
export interface IJobService {
  templates(): Promise<JobTemplateInfo[]>;
  render(request: SubmitRequest): Promise<RenderedJob>;
  submit(request: SubmitRequest): Promise<SubmittedJob>;
  list(): Promise<SlurmJob[]>;
  show(id: string): Promise<JobDetails>;
  log(id: string, stream: 'stdout' | 'stderr', lines?: number): Promise<JobLog>;
  act(id: string, action: JobAction): Promise<SlurmJob>;
  app(id: string): Promise<AppInfo>;
  /** The URL that opens an app in the browser (through jupyter-server-proxy). */
  appUrl(app: AppConnection): string;
}

/**
 * A failed call, with the typed error the CLI reported (`SlurmUnavailableError`,
 * `SlurmTemplateError`, `SlurmSubmitError`, ...) and its message.
 */
export class JobServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message);
    this.name = 'JobServiceError';
  }

  /** True when Slurm itself cannot be reached (not installed, controller down). */
  get unavailable(): boolean {
    return this.type === 'SlurmUnavailableError' || this.status === 503;
  }
}
