/**
 * The job panel's `IJobService` over the server extension's `/mdlma/api/slurm/` handlers (Jupyter's
 * authentication and XSRF through ServerConnection). A failed call becomes a `JobServiceError` with
 * the CLI's error type and message (`SlurmUnavailableError` with status 503 when Slurm is down).
 *
 * @example
 * const service = new SlurmJobService(app.serviceManager.serverSettings);
 * const jobs = await service.list();
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import {
  SLURM_API_PATH,
  type AppConnection,
  type AppInfo,
  type JobAction,
  type JobActionResult,
  type JobDetails,
  type JobList,
  type JobLog,
  type JobTemplateInfo,
  type RenderedJob,
  type SlurmErrorBody,
  type SlurmJob,
  type SubmitRequest,
  type SubmittedJob,
  type TemplateList
} from '@mdlma/kernel/protocol';
import { IJobService, JobServiceError } from '@mdlma/widgets';

/** The Slurm API of this Jupyter server. */
export class SlurmJobService implements IJobService {
  constructor(readonly settings: ServerConnection.ISettings) {}

  async templates(): Promise<JobTemplateInfo[]> {
    return (await this._request<TemplateList>('templates')).templates;
  }

  render(request: SubmitRequest): Promise<RenderedJob> {
    return this._request('render', { method: 'POST', body: JSON.stringify(request) });
  }

  submit(request: SubmitRequest): Promise<SubmittedJob> {
    return this._request('submit', { method: 'POST', body: JSON.stringify(request) });
  }

  async list(): Promise<SlurmJob[]> {
    return (await this._request<JobList>('jobs')).jobs;
  }

  show(id: string): Promise<JobDetails> {
    return this._request(`jobs/${encodeURIComponent(id)}`);
  }

  log(id: string, stream: 'stdout' | 'stderr', lines = 200): Promise<JobLog> {
    return this._request(`jobs/${encodeURIComponent(id)}/log?stream=${stream}&lines=${lines}`);
  }

  async act(id: string, action: JobAction): Promise<SlurmJob> {
    return (await this._request<JobActionResult>(`jobs/${encodeURIComponent(id)}/${action}`, { method: 'POST' })).job;
  }

  app(id: string): Promise<AppInfo> {
    return this._request(`jobs/${encodeURIComponent(id)}/app`);
  }

  /**
   * Where the browser opens an app: jupyter-server-proxy's `/proxy/absolute/<host>:<port>/...` when the
   * app serves under that path (the jupyterlab template with proxy_base), else `/proxy/<host>:<port>/`.
   */
  appUrl(app: AppConnection): string {
    const base = this.settings.baseUrl;
    const token = `?token=${encodeURIComponent(app.token)}`;
    const prefix = new URL(base).pathname;
    if (app.baseUrl && app.baseUrl.startsWith(`${prefix}proxy/absolute/`)) {
      return `${URLExt.join(base, app.baseUrl.slice(prefix.length))}${token}`;
    }
    return `${URLExt.join(base, 'proxy', `${app.host}:${app.port}`)}/${token}`;
  }

  /** A call of `/mdlma/api/slurm/<path>`; its JSON, or a JobServiceError. */
  private async _request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const url = URLExt.join(this.settings.baseUrl, SLURM_API_PATH, path);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.settings);
    } catch (error) {
      throw new JobServiceError('NetworkError', `The Jupyter server did not answer: ${(error as Error).message}`, 0);
    }
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // a proxy's HTML error page, for instance
    }
    if (!response.ok) {
      const report = (body as Partial<SlurmErrorBody> | undefined)?.error;
      const reason = (body as { message?: string } | undefined)?.message;
      if (report && typeof report === 'object') {
        throw new JobServiceError(String(report.type ?? 'Error'), String(report.message ?? text), response.status, report);
      }
      throw new JobServiceError('HTTPError', reason || `${response.status} ${response.statusText}`, response.status);
    }
    return body as T;
  }
}
