/**
 * One dataset in the sidebar: its fields, the scientific metadata as a tree, the files with their sizes, the
 * attachments, links to the datasets it was derived from and to those derived from it, "Copy PID" and "Open in
 * notebook". `loadDatasetDetails` fetches all of it; the view only draws (every catalog string as text).
 *
 * @example
 * view.showDetails(await loadDatasetDetails(client, pid));
 */
import type { CallOptions, SciCatClient } from '@mdlma/kernel/lib/catalog/client';
import type { Attachment, Dataset, DatasetCommon, OrigDatablock } from '@mdlma/kernel/lib/catalog/types';
import { Widget } from '@lumino/widgets';

import { append, button, element, formatBytes, safeImageUri } from './element';

/** Everything the view shows about a dataset. */
export interface DatasetDetails {
  dataset: Dataset;
  blocks: OrigDatablock[];
  attachments: Attachment[];
  /** Datasets whose inputDatasets name this one. */
  derived: DatasetCommon[];
}

/** Fetches a dataset with its files, attachments and the datasets derived from it (in parallel). */
export async function loadDatasetDetails(client: SciCatClient, pid: string, options: CallOptions = {}): Promise<DatasetDetails> {
  const [dataset, blocks, attachments, derived] = await Promise.all([
    client.dataset(pid, options),
    client.origDatablocks(pid, options),
    client.attachments(pid, options),
    client.find({ where: { inputDatasets: pid }, fields: ['pid', 'datasetName', 'type', 'creationTime'], limits: { limit: 50, sort: { creationTime: 'desc' } } }, options)
  ]);
  return { dataset, blocks, attachments, derived };
}

/** The scientific metadata (any JSON) as nested lists; keys and values as text. Depth is bounded. */
export function metadataTree(value: unknown, depth = 0): HTMLElement {
  if (value === null || typeof value !== 'object') return element('span', { className: 'mdlma-CatalogTree-value' }, formatValue(value));
  if (depth > 8) return element('span', { className: 'mdlma-CatalogTree-value' }, '…');
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const list = element('ul', { className: 'mdlma-CatalogTree' });
  for (const [key, child] of entries) {
    const keyNode = element('span', { className: 'mdlma-CatalogTree-key' }, key);
    if (child !== null && typeof child === 'object') {
      // A {value, unit} pair reads best on one line: "healingTime: 8 weeks".
      const unit = unitValue(child);
      if (unit !== undefined) {
        list.appendChild(element('li', {}, keyNode, ': ', element('span', { className: 'mdlma-CatalogTree-value' }, unit)));
        continue;
      }
      const details = element('details', { attrs: depth < 1 ? { open: '' } : {} }, element('summary', {}, keyNode), metadataTree(child, depth + 1));
      list.appendChild(element('li', {}, details));
    } else {
      list.appendChild(element('li', {}, keyNode, ': ', metadataTree(child, depth + 1)));
    }
  }
  return list;
}

/** The dataset view. */
export class CatalogDatasetView extends Widget {
  constructor(options: CatalogDatasetView.IOptions) {
    super();
    this.addClass('mdlma-CatalogDataset');
    this.#options = options;
  }

  /** The dataset shown, if any. */
  get shownDataset(): Dataset | undefined {
    return this.#details?.dataset;
  }

  /** Draws a dataset. */
  showDetails(details: DatasetDetails): void {
    this.#details = details;
    const { dataset, blocks, attachments, derived } = details;
    this.node.replaceChildren();
    this.#status = element('p', { className: 'mdlma-CatalogDataset-status', attrs: { role: 'status' } });
    const actions = element(
      'div',
      { className: 'mdlma-CatalogDataset-actions' },
      button('‹ Results', () => this.#options.onBack(), { className: 'mdlma-CatalogDataset-back' }),
      button('Copy PID', () => void this.#run(() => this.#options.onCopyPid(dataset.pid)), { className: 'mdlma-CatalogDataset-copy' }),
      button('Open in notebook', () => void this.#run(() => this.#options.onOpenInNotebook(dataset)), { className: 'mdlma-CatalogDataset-open' })
    );
    const files = blocks.flatMap(b => b.dataFileList);
    append(
      this.node,
      actions,
      this.#status,
      element('h3', { className: 'mdlma-CatalogDataset-name' }, dataset.datasetName || dataset.pid),
      this.#fields(dataset),
      this.#section('Scientific metadata', Object.keys(dataset.scientificMetadata ?? {}).length ? metadataTree(dataset.scientificMetadata) : element('p', {}, 'none')),
      this.#section(`Files (${files.length}, ${formatBytes(files.reduce((s, f) => s + (f.size ?? 0), 0))})`, this.#files(files)),
      this.#section(`Attachments (${attachments.length})`, this.#attachments(attachments)),
      this.#section('Input datasets', this.#links((dataset.inputDatasets ?? []).map(pid => ({ pid })), 'none (a raw dataset)')),
      this.#section('Derived datasets', this.#links(derived, 'none yet'))
    );
  }

  /** Shows a short message under the actions (e.g. "PID copied"). */
  setStatus(message: string): void {
    if (this.#status) this.#status.textContent = message;
  }

  async #run(action: () => Promise<string> | string): Promise<void> {
    try {
      this.setStatus(await action());
    } catch (error) {
      this.setStatus(error instanceof Error ? error.message : String(error));
    }
  }

  #fields(dataset: Dataset): HTMLElement {
    const rows: Array<[string, string | undefined]> = [
      ['PID', dataset.pid],
      ['Type', dataset.type],
      ['Description', dataset.description],
      ['Owner', dataset.owner],
      ['Owner group', dataset.ownerGroup],
      ['Created', dataset.creationTime],
      ['Location', dataset.creationLocation],
      ['Source folder', dataset.sourceFolder],
      ['Size', dataset.size !== undefined ? `${formatBytes(dataset.size)} in ${dataset.numberOfFiles ?? '?'} files` : undefined],
      ['Keywords', dataset.keywords?.join(', ')],
      ['Software', dataset.usedSoftware?.join(', ')]
    ];
    const list = element('dl', { className: 'mdlma-CatalogDataset-fields' });
    for (const [label, value] of rows) {
      if (value) list.append(element('dt', {}, label), element('dd', {}, value));
    }
    return list;
  }

  #section(title: string, body: HTMLElement): HTMLElement {
    return element('section', { className: 'mdlma-CatalogDataset-section' }, element('h4', {}, title), body);
  }

  #files(files: OrigDatablock['dataFileList']): HTMLElement {
    if (!files.length) return element('p', {}, 'none');
    const table = element('table', { className: 'mdlma-CatalogDataset-files' }, element('thead', {}, element('tr', {}, element('th', {}, 'Path'), element('th', {}, 'Size'))));
    const body = element('tbody');
    for (const file of files) body.appendChild(element('tr', {}, element('td', {}, file.path), element('td', { title: `${file.size} bytes` }, formatBytes(file.size))));
    table.appendChild(body);
    return table;
  }

  #attachments(attachments: Attachment[]): HTMLElement {
    if (!attachments.length) return element('p', {}, 'none');
    const list = element('div', { className: 'mdlma-CatalogDataset-attachments' });
    for (const attachment of attachments) {
      const uri = safeImageUri(attachment.thumbnail);
      const image = uri ? element('img', { attrs: { alt: attachment.caption ?? '' } }) : undefined;
      if (image && uri) image.src = uri;
      list.appendChild(element('figure', {}, image, element('figcaption', {}, attachment.caption || '(no caption)')));
    }
    return list;
  }

  #links(datasets: Array<{ pid: string; datasetName?: string }>, none: string): HTMLElement {
    if (!datasets.length) return element('p', {}, none);
    const list = element('ul', { className: 'mdlma-CatalogDataset-links' });
    for (const d of datasets) {
      list.appendChild(element('li', {}, button(d.datasetName || d.pid, () => this.#options.onOpenDataset(d.pid), { className: 'mdlma-CatalogDataset-link', title: d.pid })));
    }
    return list;
  }

  #options: CatalogDatasetView.IOptions;
  #details: DatasetDetails | undefined;
  #status: HTMLElement | undefined;
}

/** The options of CatalogDatasetView. */
export namespace CatalogDatasetView {
  export interface IOptions {
    /** Back to the results. */
    onBack: () => void;
    /** Opens another dataset (an input or a derived one). */
    onOpenDataset: (pid: string) => void;
    /** Copies the PID; returns the message to show. */
    onCopyPid: (pid: string) => Promise<string> | string;
    /** Inserts the cell that opens the dataset; returns the message to show. */
    onOpenInNotebook: (dataset: Dataset) => Promise<string> | string;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

function unitValue(value: object): string | undefined {
  const keys = Object.keys(value);
  const v = value as { value?: unknown; unit?: unknown };
  if (keys.length === 2 && 'value' in v && 'unit' in v && (typeof v.value === 'number' || typeof v.value === 'string') && typeof v.unit === 'string') {
    return `${v.value} ${v.unit}`;
  }
  return undefined;
}
