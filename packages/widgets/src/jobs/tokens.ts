/**
 * The job service as a JupyterLab token: the Slurm API of the Jupyter server (`/mdlma/api/slurm/`), which the
 * labextension provides (over Jupyter's ServerConnection) and the job panel requires, so that other extensions
 * can list, submit and follow jobs too. The widgets know nothing of URLs, tokens or XSRF. The shapes are the
 * protocol's (`@mdlma/kernel/protocol`, slurm-api.ts): what `mdlma slurm ... --json` prints.
 *
 * @example
 * const plugin: JupyterFrontEndPlugin<void> = {
 *   id: 'my-extension:jobs', autoStart: true, requires: [IJobService],
 *   activate: async (app, jobs: IJobService) => console.log(await jobs.list())
 * };
 */
import type {
  AppConnection,
  AppInfo,
  JobAction,
  JobDetails,
  JobLog,
  JobTemplateInfo,
  RenderedJob,
  SlurmJob,
  SubmitRequest,
  SubmittedJob
} from '@mdlma/kernel/protocol';
import { Token } from '@lumino/coreutils';

/** The job service's token. */
export const IJobService = new Token<IJobService>(
  '@mdlma/widgets:IJobService',
  'The Slurm jobs of this Jupyter server: templates, submissions, the job list, logs, cancel/hold/release and spawned apps.'
);

/** The Slurm API the job panel uses; a failed call rejects with `JobServiceError`. */
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
