/**
 * The SciCat browser in the left sidebar: its settings (URL, path mapping, page size) and the notebook it inserts
 * "Open in notebook" cells into; provided to other extensions as the catalog service (`ICatalogService`).
 * Behaviour lives in @mdlma/widgets' CatalogSidebar.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Clipboard } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { searchIcon } from '@jupyterlab/ui-components';
import { CatalogSidebar, ICatalogService } from '@mdlma/widgets';

const PLUGIN_ID = '@mdlma/labextension:catalog-sidebar';

/** Adds the SciCat catalog browser to the left area and provides it as the catalog service. */
export const catalogSidebarPlugin: JupyterFrontEndPlugin<ICatalogService> = {
  id: PLUGIN_ID,
  description: 'Browse the SciCat catalog: log in, search, look at datasets, open them in a notebook.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry, ILayoutRestorer],
  provides: ICatalogService,
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, registry: ISettingRegistry | null, restorer: ILayoutRestorer | null): ICatalogService => {
    let saveUrl: (url: string) => void = () => undefined;
    const sidebar = new CatalogSidebar({
      copy: text => Clipboard.copyToSystem(text),
      insertCell: code => Private.insertCell(app, tracker, code),
      onUrlChange: url => saveUrl(url)
    });
    sidebar.id = 'mdlma-catalog-sidebar';
    sidebar.title.icon = searchIcon;
    sidebar.title.caption = 'SciCat catalog';
    app.shell.add(sidebar, 'left', { rank: 600 });
    restorer?.add(sidebar, 'mdlma-catalog-sidebar');

    if (registry) {
      void registry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            sidebar.setPathMap(settings.get('pathMap').composite as Record<string, string>);
            sidebar.setPageSize(settings.get('pageSize').composite as number);
            sidebar.setUrl(settings.get('url').composite as string);
          };
          apply();
          settings.changed.connect(apply);
          saveUrl = url => void settings.set('url', url);
        })
        .catch(reason => console.warn(`${PLUGIN_ID}: the settings could not be loaded`, reason));
    }
    return sidebar;
  }
};

namespace Private {
  /** Puts the code into the current notebook: into its active cell if that is an empty code cell, else below it. */
  export async function insertCell(app: JupyterFrontEnd, tracker: INotebookTracker, code: string): Promise<string> {
    const panel = tracker.currentWidget;
    if (!panel) throw new Error('Open a notebook first: "Open in notebook" adds a cell to the current notebook.');
    await panel.context.ready;
    const notebook = panel.content;
    const active = notebook.activeCell;
    if (!active || active.model.type !== 'code' || active.model.sharedModel.getSource().trim() !== '') {
      NotebookActions.insertBelow(notebook);
      NotebookActions.changeCellType(notebook, 'code');
    }
    notebook.activeCell!.model.sharedModel.setSource(code);
    app.shell.activateById(panel.id);
    return `Added a cell to ${panel.context.path}; run it with Shift+Enter.`;
  }
}
