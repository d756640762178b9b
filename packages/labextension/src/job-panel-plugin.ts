/**
 * The Slurm jobs in JupyterLab: the job service (`IJobService`, over `/mdlma/api/slurm/`) for this and
 * other extensions, and a command (palette, launcher) that opens `JobPanel` on it in the main area,
 * restored on reload.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { runningIcon } from '@jupyterlab/ui-components';
import { IJobService, JobPanel } from '@mdlma/widgets';

import { SlurmJobService } from './slurm-api';

namespace CommandIDs {
  export const openJobs = 'mdlma:open-slurm-jobs';
}

/** Provides the Slurm API of this Jupyter server as the job service. */
export const jobServicePlugin: JupyterFrontEndPlugin<IJobService> = {
  id: '@mdlma/labextension:slurm-job-service',
  description: "The Slurm jobs of this Jupyter server (templates, submissions, logs, actions) over the server's /mdlma/api/slurm/.",
  autoStart: true,
  provides: IJobService,
  activate: (app: JupyterFrontEnd): IJobService => new SlurmJobService(app.serviceManager.serverSettings)
};

/** Opens the Slurm job panel: templates, composer, job table, logs. */
export const jobPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: '@mdlma/labextension:slurm-jobs',
  description: 'The Slurm job panel: compose jobs from templates, watch them, read their logs, open spawned apps.',
  autoStart: true,
  requires: [IJobService],
  optional: [ICommandPalette, ILauncher, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    service: IJobService,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null
  ) => {
    const settings = app.serviceManager.serverSettings;
    const tracker = new WidgetTracker<MainAreaWidget<JobPanel>>({ namespace: 'mdlma-slurm-jobs' });
    // The jupyterlab template serves its app under this server's proxy path, so "Open" reaches it.
    const proxyBase = `${new URL(settings.baseUrl).pathname}proxy/absolute/`;

    app.commands.addCommand(CommandIDs.openJobs, {
      label: 'Slurm Jobs',
      icon: args => (args.isPalette ? undefined : runningIcon),
      caption: 'Compose Slurm jobs from templates, follow them and read their logs',
      execute: () => {
        const open = tracker.currentWidget;
        if (open && !open.isDisposed) {
          app.shell.activateById(open.id);
          return open;
        }
        const panel = new JobPanel({
          service,
          defaults: { proxy_base: proxyBase },
          storage: window.localStorage,
          storageKey: `mdlma:slurm-watch:${settings.baseUrl}`
        });
        const widget = new MainAreaWidget({ content: panel });
        widget.id = 'mdlma-slurm-jobs';
        widget.title.label = 'Slurm Jobs';
        widget.title.closable = true;
        void tracker.add(widget);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
        void panel.start();
        return widget;
      }
    });
    palette?.addItem({ command: CommandIDs.openJobs, category: 'MDLMA' });
    launcher?.add({ command: CommandIDs.openJobs, category: 'Other', rank: 1 });
    if (restorer) {
      void restorer.restore(tracker, { command: CommandIDs.openJobs, name: () => 'slurm-jobs' });
    }
  }
};
