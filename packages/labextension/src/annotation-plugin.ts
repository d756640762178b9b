/**
 * The annotation panel beside the notebook. Route (documented in kernel-lib active/panel.ts): a cell runs
 * `openAnnotationPanel(al)`, whose output has the MIME type `ANNOTATION_PANEL_MIME` (`@mdlma/kernel/protocol`); this
 * plugin renders that output as a button and opens the panel in the main area to the right of the notebook the first
 * time the output appears (again after a page reload, since outputs are re-rendered then). The panel opens its own
 * `mdlma.annotation` comm to the notebook's kernel; the kernel's `hello` carries the whole annotation document.
 *
 * @example
 * // in a notebook cell:  openAnnotationPanel(al);
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Kernel } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import {
  ANNOTATION_PANEL_MIME, ANNOTATION_TARGET, type AnnotationKernelMessage, type AnnotationOpenData, type AnnotationPanelPayload
} from '@mdlma/kernel/protocol';
import { AnnotationClient, AnnotationPanel, type AnnotationChannel } from '@mdlma/widgets';

/** Open panels by kernel and session, so that a re-rendered output does not open a second one. */
const openPanels = new Map<string, AnnotationPanel>();

/** A kernel comm as the panel's channel (buffers as Uint8Array both ways). */
export function commChannel(kernel: Kernel.IKernelConnection): { channel: AnnotationChannel; open: (data: AnnotationOpenData) => void } {
  const comm = kernel.createComm(ANNOTATION_TARGET);
  const channel: AnnotationChannel = {
    send: (data, buffers) => {
      if (!comm.isDisposed) comm.send(data as never, {}, buffers ?? []);
    },
    close: () => {
      if (!comm.isDisposed) {
        try {
          comm.close();
        } catch {
          // the kernel is gone: nothing to tell it
        }
      }
    }
  };
  comm.onMsg = msg => {
    const buffers = (msg.buffers ?? []).map(b => (ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b)));
    channel.onMessage?.({ data: msg.content.data as unknown as AnnotationKernelMessage, buffers });
  };
  comm.onClose = () => channel.onClose?.();
  return { channel, open: data => comm.open(data as never) };
}

/** Renders the annotation output and opens the panel beside its notebook. */
export const annotationPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: '@mdlma/labextension:annotation-panel',
  description: 'Opens the MDLMA annotation panel beside the notebook for openAnnotationPanel() outputs.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, tracker: INotebookTracker) => {
    const user = app.serviceManager.user?.identity?.username ?? `user-${Math.random().toString(36).slice(2, 8)}`;
    const open = (notebook: NotebookPanel, payload: AnnotationPanelPayload): AnnotationPanel | undefined => {
      const kernel = notebook.sessionContext.session?.kernel;
      if (!kernel) return undefined;
      const key = `${kernel.id}:${payload.session}`;
      const existing = openPanels.get(key);
      if (existing && !existing.isDisposed && existing.connected) {
        app.shell.activateById(existing.id);
        return existing;
      }
      // A panel whose comm closed (its kernel lost the session) gives way to a new one.
      existing?.dispose();
      const { channel, open: openComm } = commChannel(kernel);
      const panel = new AnnotationPanel({ client: new AnnotationClient(channel), user, suggestions: payload.suggestions });
      panel.id = `mdlma-annotation-${payload.session}-${kernel.id}`.replace(/[^A-Za-z0-9_-]/g, '-');
      openPanels.set(key, panel);
      panel.disposed.connect(() => openPanels.get(key) === panel && openPanels.delete(key));
      // A kernel restart or change ends this panel's comm; the panel says so, and the cell opens a new one.
      // Not activated: the notebook keeps the focus (and its kernel status), the user clicks into the panel to paint.
      app.shell.add(panel, 'main', { mode: 'split-right', ref: notebook.id, activate: false });
      openComm({ session: payload.session, user });
      return panel;
    };
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [ANNOTATION_PANEL_MIME],
        defaultRank: 20,
        createRenderer: options => new AnnotationOutput(options, node => tracker.find(p => p.node.contains(node)) ?? null, open)
      },
      20
    );
  }
};

/** The output: a line of text and a button that (re)opens the panel; opens it once when first shown. */
class AnnotationOutput extends Widget implements IRenderMime.IRenderer {
  constructor(
    options: IRenderMime.IRendererOptions,
    private readonly _locate: (node: HTMLElement) => NotebookPanel | null,
    private readonly _open: (notebook: NotebookPanel, payload: AnnotationPanelPayload) => AnnotationPanel | undefined
  ) {
    super();
    this.addClass('mdlma-AnnotationOutput');
    this._mimeType = options.mimeType;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = model.data[this._mimeType] as unknown as AnnotationPanelPayload;
    this._payload = payload;
    this.node.replaceChildren();
    const text = document.createElement('span');
    text.textContent = `Annotation session "${payload.session}" (${payload.shape.join(' × ')} voxels${payload.file ? `, saved to ${payload.file}` : ''}) `;
    const button = document.createElement('button');
    button.className = 'jp-Button jp-mod-styled jp-mod-accept';
    button.dataset.action = 'open-annotation-panel';
    button.textContent = 'Open annotation panel';
    button.addEventListener('click', () => this._openPanel());
    this.node.append(text, button);
  }

  protected onAfterAttach(): void {
    // The output is attached once its notebook can be found: open the panel the first time.
    if (!this._opened) requestAnimationFrame(() => this._openPanel());
  }

  private _openPanel(): void {
    const notebook = this._locate(this.node);
    if (!notebook || !this._payload) return;
    this._opened = true;
    if (!notebook.sessionContext.session?.kernel) {
      void notebook.sessionContext.ready.then(() => this._open(notebook, this._payload!));
      return;
    }
    this._open(notebook, this._payload);
  }

  private readonly _mimeType: string;
  private _payload?: AnnotationPanelPayload;
  private _opened = false;
}
