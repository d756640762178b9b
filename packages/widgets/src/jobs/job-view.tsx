/**
 * `JobView`: one job: its state, what it was submitted with (template, parameters, options), the
 * live tail of its stdout or stderr, cancel / hold / release behind a confirmation dialog, and
 * "Open" for an app it spawned (through the server's jupyter-server-proxy).
 *
 * @example
 * const view = new JobView({ service });
 * view.showJob("12");    // polls the job and its log until it ends
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { Button, ReactWidget, launchIcon } from '@jupyterlab/ui-components';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import type { AppInfo, JobAction, JobDetails } from '@mdlma/kernel/protocol';
import * as React from 'react';

import { JobServiceError } from './errors';
import { isTerminal } from './job-list';
import { StateBadge } from './job-table';
import type { IJobService } from './tokens';

/** One job's details and log. */
export class JobView extends ReactWidget {
  constructor(options: JobView.IOptions) {
    super();
    this.addClass('mdlma-JobView');
    this._service = options.service;
    this._poll = new Poll({
      factory: () => this._refresh(),
      frequency: { interval: options.interval ?? 2000, backoff: false },
      standby: 'when-hidden',
      auto: false
    });
  }

  /** Emitted after an action changed a job (the panel then refreshes its table). */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  /** The job shown, if any. */
  get jobId(): string | null {
    return this._id;
  }

  /** Shows job `id` and follows it until it ends. */
  showJob(id: string): void {
    this._id = id;
    this._details = null;
    this._log = '';
    this._app = null;
    this._error = null;
    this.update();
    void this._poll.refresh();
    void this._poll.start();
  }

  dispose(): void {
    this._poll.dispose();
    super.dispose();
  }

  protected render(): React.ReactElement {
    if (!this._id) {
      return <div className="mdlma-JobView-empty">Select a job to see its parameters and log.</div>;
    }
    const job = this._details?.job;
    const submission = this._details?.submission;
    const state = job?.state ?? '';
    const held = !!job && /^JobHeld/.test(job.reason);
    return (
      <div className="mdlma-JobView-body" data-job-id={this._id}>
        <div className="mdlma-JobView-header">
          <h3>
            Job {this._id}
            {job ? ` · ${job.name}` : ''}
          </h3>
          {job ? <StateBadge state={state} /> : null}
          {job?.exitCode !== null && job?.exitCode !== undefined ? <span> exit code {job.exitCode}</span> : null}
        </div>
        <div className="mdlma-JobView-actions">
          <Button small disabled={!job || isTerminal(state)} onClick={() => void this._act('cancel')}>
            Cancel
          </Button>
          <Button small disabled={!job || state !== 'PENDING' || held} onClick={() => void this._act('hold')}>
            Hold
          </Button>
          <Button small disabled={!job || !held} onClick={() => void this._act('release')}>
            Release
          </Button>
          {this._app?.app ? (
            <Button small className="mdlma-JobView-open" onClick={() => this._open()} title={this._app.app.url}>
              <launchIcon.react tag="span" /> Open
            </Button>
          ) : null}
        </div>
        {this._error ? (
          <div className="mdlma-JobView-error" role="alert">
            {this._error}
          </div>
        ) : null}
        {job ? (
          <table className="mdlma-JobView-facts">
            <tbody>
              {Private.facts(this._details!).map(([key, value]) => (
                <tr key={key}>
                  <th>{key}</th>
                  <td>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {submission?.params ? (
          <>
            <h4>
              Parameters
              {submission.template ? ` (template ${submission.template}${submission.edited ? ', script edited before submitting' : ''})` : ''}
            </h4>
            <table className="mdlma-JobView-params">
              <tbody>
                {Object.entries(submission.params)
                  .filter(([name]) => name !== 'script')
                  .map(([name, value]) => (
                    <tr key={name}>
                      <th>{name}</th>
                      <td>{String(value)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </>
        ) : null}
        <div className="mdlma-JobView-logHeader">
          <h4>Log</h4>
          <select
            className="jp-mod-styled"
            aria-label="Log stream"
            value={this._stream}
            onChange={event => {
              this._stream = event.currentTarget.value as 'stdout' | 'stderr';
              this._log = '';
              void this._poll.refresh();
              this.update();
            }}
          >
            <option value="stdout">stdout</option>
            <option value="stderr">stderr</option>
          </select>
          <span className="mdlma-JobView-logPath">{this._logPath}</span>
        </div>
        <pre className="mdlma-JobView-log">{this._log || (job && isTerminal(state) ? '(empty)' : '(no output yet)')}</pre>
      </div>
    );
  }

  /** Reads the job, its log and (for an app) its connection; stops polling once the job has ended. */
  private async _refresh(): Promise<void> {
    const id = this._id;
    if (!id) {
      return;
    }
    try {
      const details = await this._service.show(id);
      const log = await this._service.log(id, this._stream, 200);
      const app = details.job.state === 'RUNNING' ? await this._service.app(id).catch(() => null) : null;
      if (id !== this._id) {
        return; // the user picked another job meanwhile
      }
      this._details = details;
      this._log = log.text;
      this._logPath = log.path;
      this._app = app;
      this._error = null;
      if (isTerminal(details.job.state)) {
        this._poll.stop();
      }
    } catch (error) {
      this._error = (error as Error).message;
      if (error instanceof JobServiceError && error.status === 404) {
        this._poll.stop();
      }
    }
    this.update();
  }

  /** Asks for confirmation, then cancels, holds or releases the job. */
  private async _act(action: JobAction): Promise<void> {
    const id = this._id;
    const job = this._details?.job;
    if (!id || !job) {
      return;
    }
    const what = Private.ACTIONS[action];
    const result = await showDialog({
      title: `${what.label} job ${id}?`,
      body: `${what.explain} Job ${id} (${job.name}) is ${job.state}.`,
      buttons: [Dialog.cancelButton({ label: 'Keep it' }), (action === 'cancel' ? Dialog.warnButton : Dialog.okButton)({ label: what.label })]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await this._service.act(id, action);
      Notification.info(`Job ${id}: ${what.done}`, { autoClose: 4000 });
      this._changed.emit(id);
      void this._poll.refresh();
      void this._poll.start();
    } catch (error) {
      Notification.error(`Job ${id} could not be ${what.done}: ${(error as Error).message}`, { autoClose: false });
    }
  }

  /** Opens the app in a new browser tab through the proxy. */
  private _open(): void {
    const app = this._app?.app;
    if (!app) {
      return;
    }
    if (app.proxyAllowed === false) {
      Notification.error(
        `The server may not proxy to ${app.host}: add it to MdlmaLab.app_hosts (jupyter_server_config) and restart the server.`,
        { autoClose: false }
      );
      return;
    }
    window.open(this._service.appUrl(app), '_blank', 'noopener');
  }

  private _service: IJobService;
  private _poll: Poll;
  private _id: string | null = null;
  private _details: JobDetails | null = null;
  private _stream: 'stdout' | 'stderr' = 'stdout';
  private _log = '';
  private _logPath = '';
  private _app: AppInfo | null = null;
  private _error: string | null = null;
  private _changed = new Signal<this, string>(this);
}

/** Types of `JobView`. */
export namespace JobView {
  export interface IOptions {
    service: IJobService;
    /** Milliseconds between refreshes while the job runs (default 2000). */
    interval?: number;
  }
}

namespace Private {
  /** Words of each action. */
  export const ACTIONS: Record<JobAction, { label: string; explain: string; done: string }> = {
    cancel: { label: 'Cancel', explain: 'A cancelled job stops at once and cannot be resumed.', done: 'cancelled' },
    hold: { label: 'Hold', explain: 'A held job stays queued and does not start until it is released.', done: 'held' },
    release: { label: 'Release', explain: 'A released job may start as soon as resources are free.', done: 'released' }
  };

  /** The job's facts as label/value rows. */
  export function facts({ job, submission }: JobDetails): [string, string][] {
    const rows: [string, string | number | null | undefined][] = [
      ['Reason', job.reason && job.reason !== 'None' ? job.reason : ''],
      ['Partition', job.partition],
      ['Nodes', job.nodes],
      ['CPUs', job.cpus],
      ['Submitted', job.submitTime ? new Date(job.submitTime).toLocaleString() : ''],
      ['Started', job.startTime ? new Date(job.startTime).toLocaleString() : ''],
      ['Ended', job.endTime ? new Date(job.endTime).toLocaleString() : ''],
      ['Folder', job.workdir],
      ['Script', submission?.scriptPath],
      ['Tasks', job.tasks ? job.tasks.map(task => `${task.id} ${task.state}`).join(', ') : '']
    ];
    return rows.filter(([, value]) => value !== '' && value !== null && value !== undefined).map(([k, v]) => [k, String(v)]);
  }
}
