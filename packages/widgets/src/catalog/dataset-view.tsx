/**
 * One dataset in the sidebar: its fields, the scientific metadata as a tree, the files with their sizes, the
 * attachments, links to the datasets it was derived from and to those derived from it, "Copy PID" and "Open in
 * notebook". `loadDatasetDetails` fetches all of it; the view only draws (every catalog string as text).
 *
 * @example
 * await view.showDetails(await loadDatasetDetails(client, pid));
 */
import { Button } from '@jupyterlab/ui-components';
import type { Attachment, Dataset, DatasetCommon, OrigDatablock, SciCatClient } from '@mdlma/kernel/catalog';
import * as React from 'react';

import { CatalogView } from './catalog-view';
import { formatBytes, safeImageUri } from './display';

/** Everything the view shows about a dataset. */
export interface DatasetDetails {
  dataset: Dataset;
  blocks: OrigDatablock[];
  attachments: Attachment[];
  /** Datasets whose inputDatasets name this one. */
  derived: DatasetCommon[];
}

/** Fetches a dataset with its files, attachments and the datasets derived from it (in parallel). */
export async function loadDatasetDetails(client: SciCatClient, pid: string, options: SciCatClient.ICallOptions = {}): Promise<DatasetDetails> {
  const [dataset, blocks, attachments, derived] = await Promise.all([
    client.dataset(pid, options),
    client.origDatablocks(pid, options),
    client.attachments(pid, options),
    client.find({ where: { inputDatasets: pid }, fields: ['pid', 'datasetName', 'type', 'creationTime'], limits: { limit: 50, sort: { creationTime: 'desc' } } }, options)
  ]);
  return { dataset, blocks, attachments, derived };
}

/** The scientific metadata (any JSON) as nested lists; keys and values as text. Depth is bounded. */
export function MetadataTree(props: { value: unknown; depth?: number }): React.ReactElement {
  const { value, depth = 0 } = props;
  if (value === null || typeof value !== 'object') return <span className="mdlma-CatalogTree-value">{Private.formatValue(value)}</span>;
  if (depth > 8) return <span className="mdlma-CatalogTree-value">…</span>;
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  return (
    <ul className="mdlma-CatalogTree">
      {entries.map(([key, child]) => {
        const keyNode = <span className="mdlma-CatalogTree-key">{key}</span>;
        if (child === null || typeof child !== 'object') {
          return (
            <li key={key}>
              {keyNode}: <MetadataTree value={child} depth={depth + 1} />
            </li>
          );
        }
        // A {value, unit} pair reads best on one line: "healingTime: 8 weeks".
        const unit = Private.unitValue(child);
        return unit !== undefined ? (
          <li key={key}>
            {keyNode}: <span className="mdlma-CatalogTree-value">{unit}</span>
          </li>
        ) : (
          <li key={key}>
            <details open={depth < 1}>
              <summary>{keyNode}</summary>
              <MetadataTree value={child} depth={depth + 1} />
            </details>
          </li>
        );
      })}
    </ul>
  );
}

/** The dataset view. */
export class CatalogDatasetView extends CatalogView {
  constructor(options: CatalogDatasetView.IOptions) {
    super();
    this.addClass('mdlma-CatalogDataset');
    this._options = options;
  }

  /** The dataset shown, if any. */
  get shownDataset(): Dataset | undefined {
    return this._details?.dataset;
  }

  /** Draws a dataset; resolves once drawn. */
  async showDetails(details: DatasetDetails): Promise<void> {
    this._details = details;
    this._status = '';
    await this.draw();
  }

  /** Shows a short message under the actions (e.g. "PID copied"). */
  setStatus(message: string): void {
    this._status = message;
    this.update();
  }

  protected renderView(): React.ReactElement | null {
    if (!this._details) return null;
    const { dataset, blocks, attachments, derived } = this._details;
    const files = blocks.flatMap(b => b.dataFileList);
    const metadata = dataset.scientificMetadata ?? {};
    return (
      <>
        <div className="mdlma-CatalogDataset-actions">
          <Button type="button" className="mdlma-CatalogButton mdlma-CatalogDataset-back" onClick={() => this._options.onBack()}>
            ‹ Results
          </Button>
          <Button type="button" className="mdlma-CatalogButton mdlma-CatalogDataset-copy" onClick={() => void this._run(() => this._options.onCopyPid(dataset.pid))}>
            Copy PID
          </Button>
          <Button type="button" className="mdlma-CatalogButton mdlma-CatalogDataset-open" onClick={() => void this._run(() => this._options.onOpenInNotebook(dataset))}>
            Open in notebook
          </Button>
        </div>
        <p className="mdlma-CatalogDataset-status" role="status">
          {this._status}
        </p>
        <h3 className="mdlma-CatalogDataset-name">{dataset.datasetName || dataset.pid}</h3>
        <Private.Fields dataset={dataset} />
        <Private.Section title="Scientific metadata">{Object.keys(metadata).length ? <MetadataTree value={metadata} /> : <p>none</p>}</Private.Section>
        <Private.Section title={`Files (${files.length}, ${formatBytes(files.reduce((s, f) => s + (f.size ?? 0), 0))})`}>
          <Private.Files files={files} />
        </Private.Section>
        <Private.Section title={`Attachments (${attachments.length})`}>
          <Private.Attachments attachments={attachments} />
        </Private.Section>
        <Private.Section title="Input datasets">
          <Private.Links datasets={(dataset.inputDatasets ?? []).map(pid => ({ pid }))} none="none (a raw dataset)" onOpen={this._options.onOpenDataset} />
        </Private.Section>
        <Private.Section title="Derived datasets">
          <Private.Links datasets={derived} none="none yet" onOpen={this._options.onOpenDataset} />
        </Private.Section>
      </>
    );
  }

  private async _run(action: () => Promise<string> | string): Promise<void> {
    try {
      this.setStatus(await action());
    } catch (error) {
      this.setStatus(error instanceof Error ? error.message : String(error));
    }
  }

  private _options: CatalogDatasetView.IOptions;
  private _details: DatasetDetails | undefined;
  private _status = '';
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

namespace Private {
  /** The dataset's own fields, those that are set. */
  export function Fields(props: { dataset: Dataset }): React.ReactElement {
    const { dataset } = props;
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
    return (
      <dl className="mdlma-CatalogDataset-fields">
        {rows
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <React.Fragment key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </React.Fragment>
          ))}
      </dl>
    );
  }

  /** A titled part of the view. */
  export function Section(props: { title: string; children: React.ReactNode }): React.ReactElement {
    return (
      <section className="mdlma-CatalogDataset-section">
        <h4>{props.title}</h4>
        {props.children}
      </section>
    );
  }

  /** The dataset's files with their sizes. */
  export function Files(props: { files: OrigDatablock['dataFileList'] }): React.ReactElement {
    if (!props.files.length) return <p>none</p>;
    return (
      <table className="mdlma-CatalogDataset-files">
        <thead>
          <tr>
            <th>Path</th>
            <th>Size</th>
          </tr>
        </thead>
        <tbody>
          {props.files.map((file, i) => (
            <tr key={i}>
              <td>{file.path}</td>
              <td title={`${file.size} bytes`}>{formatBytes(file.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  /** The attachments: a thumbnail (base64 images only) and its caption. */
  export function Attachments(props: { attachments: Attachment[] }): React.ReactElement {
    if (!props.attachments.length) return <p>none</p>;
    return (
      <div className="mdlma-CatalogDataset-attachments">
        {props.attachments.map((attachment, i) => {
          const uri = safeImageUri(attachment.thumbnail);
          return (
            <figure key={i}>
              {uri ? <img alt={attachment.caption ?? ''} src={uri} /> : null}
              <figcaption>{attachment.caption || '(no caption)'}</figcaption>
            </figure>
          );
        })}
      </div>
    );
  }

  /** Buttons that open related datasets. */
  export function Links(props: { datasets: Array<{ pid: string; datasetName?: string }>; none: string; onOpen: (pid: string) => void }): React.ReactElement {
    if (!props.datasets.length) return <p>{props.none}</p>;
    return (
      <ul className="mdlma-CatalogDataset-links">
        {props.datasets.map((d, i) => (
          <li key={i}>
            <Button type="button" className="mdlma-CatalogButton mdlma-CatalogDataset-link" title={d.pid} onClick={() => props.onOpen(d.pid)}>
              {d.datasetName || d.pid}
            </Button>
          </li>
        ))}
      </ul>
    );
  }

  export function formatValue(value: unknown): string {
    if (typeof value === 'string') return value;
    if (value === undefined) return '';
    return JSON.stringify(value);
  }

  /** "8 weeks" for a {value, unit} pair; undefined for anything else. */
  export function unitValue(value: object): string | undefined {
    const keys = Object.keys(value);
    const v = value as { value?: unknown; unit?: unknown };
    if (keys.length === 2 && 'value' in v && 'unit' in v && (typeof v.value === 'number' || typeof v.value === 'string') && typeof v.unit === 'string') {
      return `${v.value} ${v.unit}`;
    }
    return undefined;
  }
}
