/**
 * `JobPanel`: the Slurm job panel: the composer beside the job table (auto-refreshed, on by default)
 * and the selected job's view; a notification when a job submitted from here completes or fails; and
 * a clear message when Slurm is not installed or its controller is down.
 *
 * @example
 * const panel = new JobPanel({ service: new SlurmJobService(settings) });
 * app.shell.add(new MainAreaWidget({ content: panel }), 'main');
 */
import { Notification } from '@jupyterlab/apputils';
import { Switch, Toolbar, ToolbarButton, refreshIcon } from '@jupyterlab/ui-components';
import { Poll } from '@lumino/polling';
import { BoxPanel, SplitPanel, Widget } from '@lumino/widgets';
import type { ParameterValue, SlurmJob } from '@mdlma/kernel/protocol';

import { JobComposer } from './composer';
import { JobServiceError } from './errors';
import { JobWatch } from './job-list';
import { JobTable } from './job-table';
import { JobView } from './job-view';
import type { IJobService } from './tokens';

/** The job panel. */
export class JobPanel extends BoxPanel {
  constructor(options: JobPanel.IOptions) {
    super({ direction: 'top-to-bottom', spacing: 0 });
    this.addClass('mdlma-JobPanel');
    this.id = options.id ?? 'mdlma-job-panel';
    this.title.label = 'Slurm Jobs';
    this.title.closable = true;
    this._service = options.service;
    this._storage = options.storage ?? null;
    this._storageKey = options.storageKey ?? 'mdlma:slurm-watch';
    this.watch = new JobWatch(this._restoreWatch());

    this.composer = new JobComposer({ service: options.service, defaults: options.defaults });
    this.table = new JobTable();
    this.view = new JobView({ service: options.service, interval: options.viewInterval });
    this.toolbar = Private.toolbar(this);

    const jobs = new SplitPanel({ orientation: 'vertical', spacing: 4 });
    jobs.addClass('mdlma-JobPanel-jobs');
    jobs.addWidget(this.table);
    jobs.addWidget(this.view);
    jobs.setRelativeSizes([3, 2]);
    const split = new SplitPanel({ orientation: 'horizontal', spacing: 4 });
    split.addWidget(this.composer);
    split.addWidget(jobs);
    split.setRelativeSizes([2, 3]);
    this.addWidget(this.toolbar);
    this.addWidget(split);
    BoxPanel.setStretch(this.toolbar, 0);
    BoxPanel.setStretch(split, 1);

    this.table.selected.connect((_, id) => this.view.showJob(id));
    this.view.changed.connect(() => void this.refresh());
    this.composer.submitted.connect((_, job) => {
      this.watch.add(job.jobId);
      this._saveWatch();
      void this.refresh().then(() => {
        this.table.select(job.jobId);
        this.view.showJob(job.jobId);
      });
    });

    this._poll = new Poll({
      factory: () => this._refresh(),
      frequency: { interval: options.interval ?? 5000, backoff: true, max: 60000 },
      standby: 'when-hidden',
      auto: false
    });
  }

  /** The composer (left). */
  readonly composer: JobComposer;
  /** The job table (right, top). */
  readonly table: JobTable;
  /** The selected job (right, bottom). */
  readonly view: JobView;
  /** Refresh and the auto-refresh switch. */
  readonly toolbar: Toolbar<Widget>;
  /** The jobs submitted here, watched for the notification when they end. */
  readonly watch: JobWatch;

  /** Whether the table refreshes itself (on by default). */
  get autoRefresh(): boolean {
    return this._autoRefresh;
  }
  set autoRefresh(on: boolean) {
    this._autoRefresh = on;
    if (on) {
      void this._poll.start();
    } else {
      void this._poll.stop();
    }
  }

  /** Loads the templates and the jobs, and starts the auto-refresh. */
  async start(): Promise<void> {
    await Promise.all([this.composer.load(), this.refresh()]);
    if (this._autoRefresh) {
      void this._poll.start();
    }
  }

  /** Reads the job list now. */
  async refresh(): Promise<void> {
    await this._refresh().catch(() => undefined);
  }

  dispose(): void {
    this._poll.dispose();
    super.dispose();
  }

  /** One refresh: the list into the table, or the problem in its place; notifications for ended jobs. */
  private async _refresh(): Promise<void> {
    let jobs: SlurmJob[];
    try {
      jobs = await this._service.list();
    } catch (error) {
      const e = error as Error;
      this.table.setProblem({ type: e instanceof JobServiceError ? e.type : e.name, message: e.message });
      this.toggleClass('mdlma-mod-unavailable', e instanceof JobServiceError && e.unavailable);
      throw error; // the poll backs off
    }
    this.removeClass('mdlma-mod-unavailable');
    this.table.setJobs(jobs);
    const ended = this.watch.update(jobs);
    if (ended.length > 0) {
      this._saveWatch();
    }
    for (const { job, ok } of ended) {
      const text = `Slurm job ${job.id} (${job.name}) ${ok ? 'completed' : `ended ${job.state}${job.exitCode ? ` with exit code ${job.exitCode}` : ''}`}`;
      const open = { label: 'Show', callback: () => (this.table.select(job.id), this.view.showJob(job.id)) };
      if (ok) {
        Notification.success(text, { autoClose: 8000, actions: [open] });
      } else {
        Notification.error(text, { autoClose: false, actions: [open] });
      }
    }
  }

  private _restoreWatch(): string[] {
    try {
      const ids = JSON.parse(this._storage?.getItem(this._storageKey) ?? '[]');
      return Array.isArray(ids) ? ids.filter(id => typeof id === 'string') : [];
    } catch {
      return [];
    }
  }

  private _saveWatch(): void {
    this._storage?.setItem(this._storageKey, JSON.stringify(this.watch.ids));
  }

  private _service: IJobService;
  private _poll: Poll;
  private _autoRefresh = true;
  private _storage: Storage | null;
  private _storageKey: string;
}

/** Types of `JobPanel`. */
export namespace JobPanel {
  export interface IOptions {
    service: IJobService;
    id?: string;
    /** Defaults of this server for template parameters (e.g. `proxy_base`). */
    defaults?: Record<string, ParameterValue>;
    /** Milliseconds between refreshes of the table (default 5000). */
    interval?: number;
    /** Milliseconds between refreshes of the selected job (default 2000). */
    viewInterval?: number;
    /** Where the watched job ids survive a page reload (e.g. window.localStorage). */
    storage?: Storage;
    storageKey?: string;
  }
}

namespace Private {
  /** The panel's toolbar: refresh now, and the auto-refresh switch. */
  export function toolbar(panel: JobPanel): Toolbar<Widget> {
    const toolbar = new Toolbar();
    toolbar.addClass('mdlma-JobPanel-toolbar');
    toolbar.addItem(
      'refresh',
      new ToolbarButton({ icon: refreshIcon, tooltip: 'Refresh the job list', onClick: () => void panel.refresh() })
    );
    const auto = new Switch();
    auto.label = 'Auto-refresh';
    auto.caption = 'Refresh the job list every few seconds';
    auto.value = true;
    auto.valueChanged.connect((_, change) => (panel.autoRefresh = change.newValue));
    auto.addClass('mdlma-JobPanel-autoRefresh');
    toolbar.addItem('auto-refresh', auto);
    return toolbar;
  }
}
