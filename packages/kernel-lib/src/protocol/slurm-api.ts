/**
 * The job panel's REST API: `<Jupyter base URL>/mdlma/api/slurm/`, served by the Jupyter server part
 * (mdlma_lab/slurm_handlers.py), which answers each call with what `mdlma slurm <command> --json` prints.
 *
 *   GET  templates                             -> TemplateList
 *   POST render  (SubmitRequest)               -> RenderedJob (a preview: nothing is submitted)
 *   POST submit  (SubmitRequest)               -> SubmittedJob
 *   GET  jobs                                  -> JobList
 *   GET  jobs/<id>                             -> JobDetails
 *   GET  jobs/<id>/log?stream=stderr&lines=200 -> JobLog
 *   POST jobs/<id>/<cancel|hold|release>       -> JobActionResult
 *   GET  jobs/<id>/app                         -> AppInfo
 *
 * A failed call answers `SlurmErrorBody` with the CLI's error type as the status (SlurmUnavailableError 503,
 * refused submissions and parameters 400, ...).
 *
 * @example
 * const url = URLExt.join(settings.baseUrl, SLURM_API_PATH, 'jobs');
 * const { jobs } = (await (await ServerConnection.makeRequest(url, {}, settings)).json()) as JobList;
 */
import type { ParametersSchema, ParameterValue } from './job-parameters';
import type { AppConnection, JobSubmission, SlurmJob, SubmitOptions, SubmitResult } from './jobs';

/** The API's path under the Jupyter server's base URL. */
export const SLURM_API_PATH = 'mdlma/api/slurm';

/** A job template as listed (without its script). */
export interface JobTemplateInfo {
  name: string;
  title: string;
  description: string;
  parameters: ParametersSchema;
  /** Shipped with MDLMA Lab, or the user's own (`~/.config/mdlma/templates`), which wins by name. */
  origin: 'shipped' | 'user';
}

/** The answer of `templates`. */
export interface TemplateList {
  templates: JobTemplateInfo[];
}

/** The sbatch options a submission may set on top of the template's (the server ignores other keys). */
export type JobOptions = Omit<SubmitOptions, 'script' | 'origin' | 'env' | 'workdir' | 'scriptDir' | 'hold'>;

/** A submission (or its preview): a template and its parameters, or (template `custom`) a script. */
export interface SubmitRequest {
  /** Default `custom`. */
  template: string;
  params: Record<string, unknown>;
  /** The script of the `custom` template (the same as `params.script`). */
  script?: string;
  /** Options that override the template's (the edited preview keeps the rendered ones). */
  job?: JobOptions;
  /** The job's folder, relative to the server's root ('' = the root). */
  workdir?: string;
  /** The job's own variables (PATH, LD_*, SLURM_*, tokens and the like are refused). */
  env?: Record<string, string>;
  /** Submit held: the job waits until released. */
  hold?: boolean;
  /** What the job is recorded as made from, when not `template` itself (an edited preview). */
  origin?: { template: string; params: Record<string, unknown>; edited: boolean };
}

/** The exact script and options a submission would run (`mdlma slurm render`). */
export interface RenderedJob {
  template: string;
  script: string;
  job: JobOptions;
  /** The parameters after checking, defaults filled in. */
  values: Record<string, ParameterValue>;
}

/** The answer of `submit`: the job's id, its script file and sbatch's arguments, with the template it came from. */
export interface SubmittedJob extends SubmitResult {
  template?: string;
  params?: Record<string, ParameterValue>;
}

/** The answer of `jobs`: the user's jobs, queued, running and finished. */
export interface JobList {
  jobs: SlurmJob[];
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
  /** The log file, Slurm's patterns filled in. */
  path: string;
  text: string;
}

/** The actions on a job. */
export type JobAction = 'cancel' | 'hold' | 'release';

/** The answer of an action: the job as it is after it. */
export interface JobActionResult {
  job: SlurmJob;
}

/** A spawned app's connection (null while it starts), with whether the server may proxy to its host. */
export interface AppInfo {
  app: (AppConnection & { proxyAllowed?: boolean }) | null;
  state: string;
}

/**
 * A failed call's body: the CLI's typed error (`SlurmUnavailableError`, `SlurmTemplateError`, ...; the server's
 * own `RequestError` names the `field` of a malformed request) with its message and facts.
 */
export interface SlurmErrorBody {
  error: { type: string; message: string; [fact: string]: unknown };
}
