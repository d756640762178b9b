/**
 * The search results: one row per dataset (thumbnail, name, type, date, beamline, size) and a pager. Thumbnails
 * load after the rows, one request each, and only base64 image data URIs are shown.
 *
 * @example
 * const list = new CatalogResultList({ onOpen: pid => view(pid), onPage: n => search(n), thumbnail: pid => client.thumbnail(pid) });
 * list.showPage(page);
 */
import type { DatasetCommon } from '@mdlma/kernel/lib/catalog/types';
import { Widget } from '@lumino/widgets';

import { button, element, formatBytes, safeImageUri } from './element';
import type { SearchPage } from './search-page';

/** The result list with its pager. */
export class CatalogResultList extends Widget {
  constructor(options: CatalogResultList.IOptions) {
    super();
    this.addClass('mdlma-CatalogResults');
    this.#options = options;
  }

  /** The page shown, if any. */
  get page(): SearchPage | undefined {
    return this.#page;
  }

  /** Shows a page of results (or the empty-result message), then loads its thumbnails. */
  showPage(page: SearchPage): void {
    this.#thumbnails?.abort();
    this.#page = page;
    this.node.replaceChildren();
    if (page.datasets.length === 0 && page.page === 1) {
      this.node.appendChild(
        element('p', { className: 'mdlma-CatalogState', dataset: { state: 'empty' } }, 'No datasets match this search. Remove a filter or check its spelling.')
      );
      return;
    }
    const list = element('ul', { className: 'mdlma-CatalogResults-list' });
    const images = new Map<string, HTMLImageElement>();
    for (const dataset of page.datasets) {
      const row = this.#row(dataset);
      images.set(dataset.pid, row.querySelector('img')!);
      list.appendChild(row);
    }
    this.node.append(list, this.#pager(page));
    void this.#loadThumbnails(images);
  }

  /** Empties the list. */
  clear(): void {
    this.#thumbnails?.abort();
    this.#page = undefined;
    this.node.replaceChildren();
  }

  protected onBeforeDetach(): void {
    this.#thumbnails?.abort();
  }

  #row(dataset: DatasetCommon): HTMLLIElement {
    const name = dataset.datasetName || dataset.pid;
    const details = [dataset.type, dataset.creationTime?.slice(0, 10), dataset.creationLocation?.split('/').pop(), formatBytes(dataset.size)].filter(Boolean).join(' · ');
    const thumbnail = element('img', { className: 'mdlma-CatalogResults-thumbnail', attrs: { alt: '', width: '48', height: '48' } });
    const row = element(
      'li',
      { className: 'mdlma-CatalogResults-row', title: dataset.pid, dataset: { pid: dataset.pid }, attrs: { tabindex: '0', role: 'button' } },
      thumbnail,
      element('div', { className: 'mdlma-CatalogResults-text' }, element('div', { className: 'mdlma-CatalogResults-name' }, name), element('div', { className: 'mdlma-CatalogResults-details' }, details))
    );
    const open = () => this.#options.onOpen(dataset.pid);
    row.addEventListener('click', open);
    row.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        open();
      }
    });
    return row;
  }

  #pager(page: SearchPage): HTMLElement {
    const pages = page.total !== undefined ? Math.max(1, Math.ceil(page.total / page.pageSize)) : undefined;
    const label = pages !== undefined ? `Page ${page.page} of ${pages} (${page.total} datasets)` : `Page ${page.page}`;
    const previous = button('‹ Previous', () => this.#options.onPage(page.page - 1), { className: 'mdlma-CatalogResults-previous' });
    const next = button('Next ›', () => this.#options.onPage(page.page + 1), { className: 'mdlma-CatalogResults-next' });
    previous.disabled = page.page <= 1;
    next.disabled = !page.hasMore;
    return element('div', { className: 'mdlma-CatalogResults-pager' }, previous, element('span', { className: 'mdlma-CatalogResults-position' }, label), next);
  }

  async #loadThumbnails(images: Map<string, HTMLImageElement>): Promise<void> {
    const controller = new AbortController();
    this.#thumbnails = controller;
    await Promise.all(
      [...images].map(async ([pid, image]) => {
        try {
          const uri = safeImageUri(await this.#options.thumbnail(pid, controller.signal));
          if (uri && !controller.signal.aborted) image.src = uri;
        } catch {
          // A missing thumbnail is not worth a message; the row still opens the dataset.
        }
      })
    );
  }

  #options: CatalogResultList.IOptions;
  #page: SearchPage | undefined;
  #thumbnails: AbortController | undefined;
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
