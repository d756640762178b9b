/**
 * The catalog service as a JupyterLab token: the SciCat sidebar, which the labextension provides, so that other
 * extensions can search SciCat and show a dataset in it (a file browser's "Find in SciCat", a notebook toolbar
 * button). The login and its token stay inside the sidebar: the service never hands out the client.
 *
 * @example
 * const plugin: JupyterFrontEndPlugin<void> = {
 *   id: 'my-extension:scicat', autoStart: true, requires: [ICatalogService],
 *   activate: (app, catalog: ICatalogService) => void catalog.search({ beamline: 'P05', healingWeeks: 8 })
 * };
 */
import { Token } from '@lumino/coreutils';
import type { CatalogQuery } from '@mdlma/kernel/catalog';

import type { SortOrder } from './search-page';

/** The catalog service's token. */
export const ICatalogService = new Token<ICatalogService>(
  '@mdlma/widgets:ICatalogService',
  'The SciCat catalog sidebar: search the catalog and show a dataset, with the user logged in there.'
);

/** Search SciCat and show datasets in the sidebar (showing the sidebar itself is the caller's: `app.shell.activateById`). */
export interface ICatalogService {
  /** The SciCat backend ('' until the settings or the login form give one). */
  readonly url: string;
  /** Whether the user is logged in; while not, a search leaves the login form in place. */
  readonly loggedIn: boolean;
  /** Searches (page 1 unless given); the results replace the list. */
  search(query: CatalogQuery, order?: SortOrder, page?: number): Promise<void>;
  /** Shows one dataset by PID. */
  openDataset(pid: string): Promise<void>;
}
