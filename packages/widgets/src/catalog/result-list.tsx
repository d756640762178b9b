/**
 * The search results: one row per dataset (thumbnail, name, type, date, beamline, size) and a pager. Thumbnails
 * load after the rows, one request each, and only base64 image data URIs are shown.
 *
 * @example
 * const list = new CatalogResultList({ onOpen: pid => view(pid), onPage: n => search(n), thumbnail: pid => client.thumbnail(pid) });
 * await list.showPage(page);
 */
import { Button } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import type { DatasetCommon } from '@mdlma/kernel/catalog';
import * as React from 'react';

import { CatalogView } from './catalog-view';
import { formatBytes, safeImageUri } from './display';
import type { SearchPage } from './search-page';

/** The result list with its pager. */
export class CatalogResultList extends CatalogView {
  constructor(options: CatalogResultList.IOptions) {
    super();
    this.addClass('mdlma-CatalogResults');
    this._options = options;
  }

  /** The page shown, if any. */
  get page(): SearchPage | undefined {
    return this._page;
  }

  /** Shows a page of results (or the empty-result message), then loads its thumbnails; resolves once drawn. */
  async showPage(page: SearchPage): Promise<void> {
    this._thumbnailLoad?.abort();
    this._page = page;
    this._thumbnails = new Map();
    await this.draw();
    void this._loadThumbnails(page);
  }

  /** Empties the list. */
  clear(): void {
    this._thumbnailLoad?.abort();
    this._page = undefined;
    this.update();
  }

  protected onBeforeDetach(msg: Message): void {
    this._thumbnailLoad?.abort();
    super.onBeforeDetach(msg);
  }

  protected renderView(): React.ReactElement | null {
    const page = this._page;
    if (!page) return null;
    if (page.datasets.length === 0 && page.page === 1) {
      return (
        <p className="mdlma-CatalogState" data-state="empty">
          No datasets match this search. Remove a filter or check its spelling.
        </p>
      );
    }
    return (
      <>
        <ul className="mdlma-CatalogResults-list">
          {page.datasets.map(dataset => (
            <Private.Row key={dataset.pid} dataset={dataset} thumbnail={this._thumbnails.get(dataset.pid)} onOpen={this._options.onOpen} />
          ))}
        </ul>
        <Private.Pager page={page} onPage={this._options.onPage} />
      </>
    );
  }

  private async _loadThumbnails(page: SearchPage): Promise<void> {
    const controller = new AbortController();
    this._thumbnailLoad = controller;
    await Promise.all(
      page.datasets.map(async ({ pid }) => {
        try {
          const uri = safeImageUri(await this._options.thumbnail(pid, controller.signal));
          if (uri && !controller.signal.aborted) {
            this._thumbnails.set(pid, uri);
            this.update();
          }
        } catch {
          // A missing thumbnail is not worth a message; the row still opens the dataset.
        }
      })
    );
  }

  private _options: CatalogResultList.IOptions;
  private _page: SearchPage | undefined;
  private _thumbnails = new Map<string, string>();
  private _thumbnailLoad: AbortController | undefined;
}

/** The options of CatalogResultList. */
export namespace CatalogResultList {
  export interface IOptions {
    /** Opens a dataset's view. */
    onOpen: (pid: string) => void;
    /** Asks for another page (1-based). */
    onPage: (page: number) => void;
    /** The dataset's thumbnail as a data URI, or undefined. */
    thumbnail: (pid: string, signal: AbortSignal) => Promise<string | undefined>;
  }
}

namespace Private {
  /** One dataset: a row that opens it on click, Enter or Space. */
  export function Row(props: { dataset: DatasetCommon; thumbnail: string | undefined; onOpen: (pid: string) => void }): React.ReactElement {
    const { dataset, thumbnail, onOpen } = props;
    const name = dataset.datasetName || dataset.pid;
    const details = [dataset.type, dataset.creationTime?.slice(0, 10), dataset.creationLocation?.split('/').pop(), formatBytes(dataset.size)]
      .filter(Boolean)
      .join(' · ');
    return (
      <li
        className="mdlma-CatalogResults-row"
        title={dataset.pid}
        data-pid={dataset.pid}
        tabIndex={0}
        role="button"
        onClick={() => onOpen(dataset.pid)}
        onKeyDown={event => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            onOpen(dataset.pid);
          }
        }}
      >
        <img className="mdlma-CatalogResults-thumbnail" alt="" width={48} height={48} src={thumbnail} />
        <div className="mdlma-CatalogResults-text">
          <div className="mdlma-CatalogResults-name">{name}</div>
          <div className="mdlma-CatalogResults-details">{details}</div>
        </div>
      </li>
    );
  }

  /** "Page n of m (k datasets)" between Previous and Next. */
  export function Pager(props: { page: SearchPage; onPage: (page: number) => void }): React.ReactElement {
    const { page, onPage } = props;
    const pages = page.total !== undefined ? Math.max(1, Math.ceil(page.total / page.pageSize)) : undefined;
    const label = pages !== undefined ? `Page ${page.page} of ${pages} (${page.total} datasets)` : `Page ${page.page}`;
    return (
      <div className="mdlma-CatalogResults-pager">
        <Button type="button" className="mdlma-CatalogButton mdlma-CatalogResults-previous" disabled={page.page <= 1} onClick={() => onPage(page.page - 1)}>
          ‹ Previous
        </Button>
        <span className="mdlma-CatalogResults-position">{label}</span>
        <Button type="button" className="mdlma-CatalogButton mdlma-CatalogResults-next" disabled={!page.hasMore} onClick={() => onPage(page.page + 1)}>
          Next ›
        </Button>
      </div>
    );
  }
}
