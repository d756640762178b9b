/**
 * MDLMA Lab's JupyterLab plugins. Wiring only: behaviour lives in @mdlma/widgets and in
 * small modules here that know nothing of the application.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IStatusBar } from '@jupyterlab/statusbar';
import { CommStatus, volumeRendererFactory } from '@mdlma/widgets';

import { annotationPanelPlugin } from './annotation-plugin';
import { checkKernelComms } from './comm-check';
import { catalogSidebarPlugin } from './catalog-sidebar-plugin';
import { jobPanelPlugin, jobServicePlugin } from './job-panel-plugin';

/** The kernelspec name of the MDLMA kernel (kernel-lib src/kernel/kernelspec.ts). */
const MDLMA_KERNEL = 'mdlma';

namespace CommandIDs {
  export const checkComms = 'mdlma:check-comms';
}

/** Shows in the status bar whether the current notebook's MDLMA kernel answers over comms. */
const commStatusPlugin: JupyterFrontEndPlugin<void> = {
  id: '@mdlma/labextension:comm-status',
  description: 'Checks the MDLMA kernel comm channel and shows the round-trip time.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, statusBar: IStatusBar | null) => {
    const status = new CommStatus();
    statusBar?.registerStatusItem(commStatusPlugin.id, { item: status, align: 'left', rank: 200 });

    const check = async (panel: NotebookPanel | null) => {
      const kernel = panel?.sessionContext.session?.kernel;
      if (!panel || !kernel) {
        status.setState({ kind: 'idle' });
        return;
      }
      if (kernel.name !== MDLMA_KERNEL) {
        status.setState({ kind: 'not-mdlma', kernelName: kernel.name });
        return;
      }
      status.setState({ kind: 'checking' });
      await kernel.info; // the kernel is ready once it answered kernel_info
      if (tracker.currentWidget !== panel || panel.sessionContext.session?.kernel !== kernel) {
        return; // the user moved on while we waited
      }
      const result = await checkKernelComms(kernel);
      status.setState(result.ok ? { kind: 'ok', roundTripMs: result.roundTripMs } : { kind: 'failed', reason: result.reason });
    };

    const watched = new WeakSet<NotebookPanel>();
    tracker.currentChanged.connect((_, panel) => {
      if (panel && !watched.has(panel)) {
        watched.add(panel);
        panel.sessionContext.kernelChanged.connect(() => {
          if (tracker.currentWidget === panel) {
            void check(panel);
          }
        });
      }
      void check(panel);
    });

    app.commands.addCommand(CommandIDs.checkComms, {
      label: 'MDLMA: Check Kernel Comms',
      execute: () => check(tracker.currentWidget)
    });
  }
};

/** Renders volume outputs (`application/vnd.mdlma.volume+json`) with the interactive viewer, linked to the notebook's kernel. */
const volumeViewerPlugin: JupyterFrontEndPlugin<void> = {
  id: '@mdlma/labextension:volume-viewer',
  description: 'Interactive volume viewer for MDLMA volume outputs.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, tracker: INotebookTracker) => {
    // An app plugin rather than a mimeExtension: the renderer needs the notebook's folder and kernel.
    const factory = volumeRendererFactory({
      settings: app.serviceManager.serverSettings,
      locate: node => {
        const panel = tracker.find(p => p.node.contains(node));
        return panel && { directory: PathExt.dirname(panel.context.path), sessionContext: panel.sessionContext };
      }
    });
    rendermime.addFactory(factory, factory.defaultRank);
  }
};

export default [commStatusPlugin, volumeViewerPlugin, jobServicePlugin, jobPanelPlugin, catalogSidebarPlugin, annotationPanelPlugin];
