/**
 * The SciCat browser of the left sidebar: log in, search with filters, page and sort the results, look at a
 * dataset, copy its PID or open it in a notebook. Every request's failure becomes a clear state (loading, empty,
 * 401 -> log in again, 403, 5xx, offline); a 401 keeps the search, and the action that failed runs again after the
 * new login. The token stays in the SciCatClient's memory: not in settings, storage, the DOM or a log.
 *
 * @example
 * const sidebar = new CatalogSidebar({ url: settings.url, insertCell: code => insertIntoNotebook(code) });
 * app.shell.add(sidebar, 'left');
 */
import { Panel, Widget } from '@lumino/widgets';
import { CatalogAuthError, SciCatClient, type CatalogQuery, type Dataset } from '@mdlma/kernel/catalog';

import { CatalogDatasetView, loadDatasetDetails } from './dataset-view';
import { CatalogLoginForm, type CatalogCredentials } from './login-form';
import { openDatasetCode } from './notebook-cell';
import { describeProblem, type CatalogProblem } from './problem';
import { CatalogResultList } from './result-list';
import { CatalogSearchForm } from './search-form';
import { fetchSearchPage, type SortOrder } from './search-page';
import { CatalogStateNotice, type NoticeAction } from './state-notice';
import type { ICatalogService } from './tokens';
import { CatalogUserBar } from './user-bar';

/** What the sidebar shows; also its `data-state` attribute. */
export type CatalogSidebarState = 'login' | 'loading' | 'results' | 'empty' | 'dataset' | CatalogProblem['kind'];

/** The SciCat sidebar; the labextension provides it as the catalog service. */
export class CatalogSidebar extends Panel implements ICatalogService {
  constructor(options: CatalogSidebar.IOptions) {
    super();
    this.addClass('mdlma-CatalogSidebar');
    this._options = options;
    this._url = options.url ?? '';
    this._pathMap = options.pathMap ?? {};
    this._pageSize = options.pageSize ?? 10;

    this._header = new CatalogUserBar({ onLogout: () => this.logout() });
    this._login = new CatalogLoginForm({ url: this._url, onLogin: credentials => this.login(credentials) });
    this._searchForm = new CatalogSearchForm({ onSearch: (query, order) => void this.search(query, order) });
    this._state = new CatalogStateNotice();
    this._results = new CatalogResultList({
      onOpen: pid => void this.openDataset(pid),
      onPage: page => void this.search(this._query, this._order, page),
      thumbnail: (pid, signal) => this._client!.thumbnail(pid, { signal })
    });
    this._dataset = new CatalogDatasetView({
      onBack: () => this._showResults(),
      onOpenDataset: pid => void this.openDataset(pid),
      onCopyPid: pid => this._copy(pid),
      onOpenInNotebook: dataset => this._openInNotebook(dataset)
    });
    for (const widget of [this._header, this._login, this._searchForm, this._state, this._results, this._dataset]) this.addWidget(widget);
    this._setState('login');
  }

  /** What the sidebar shows now. */
  get state(): CatalogSidebarState {
    return this._stateName;
  }

  /** Whether a client with a token is held. */
  get loggedIn(): boolean {
    return this._client?.hasToken ?? false;
  }

  /** The backend URL (from the settings or the login form). */
  get url(): string {
    return this._url;
  }

  /** A new URL (settings changed): a different backend means a new login. */
  setUrl(url: string): void {
    if (url === this._url) return;
    this._url = url;
    this._login.url = url;
    this.logout();
  }

  /** The path mapping written into "Open in notebook" cells. */
  setPathMap(pathMap: Record<string, string>): void {
    this._pathMap = { ...pathMap };
  }

  /** Results per page. */
  setPageSize(pageSize: number): void {
    this._pageSize = pageSize;
  }

  /** Logs in with a password or a token; the error's message says what went wrong. */
  async login(credentials: CatalogCredentials): Promise<void> {
    const options = { url: credentials.url, fetch: this._options.fetch, timeoutMs: this._options.timeoutMs, retries: this._options.retries };
    let client: SciCatClient;
    let user: string;
    try {
      if ('token' in credentials) {
        if (!credentials.token) throw new Error('Paste a token first.');
        client = new SciCatClient({ ...options, token: credentials.token });
        user = (await client.whoami()).username;
      } else {
        if (!credentials.username || !credentials.password) throw new Error('Enter a username and a password.');
        client = await SciCatClient.login({ ...options, username: credentials.username, password: credentials.password });
        user = credentials.username;
      }
    } catch (error) {
      if (error instanceof CatalogAuthError) {
        throw new Error(`SciCat did not accept ${'token' in credentials ? 'this token' : 'this username and password'} (401).`);
      }
      throw new Error(error instanceof Error && !(error instanceof TypeError) ? describeProblem(error).message : String(error));
    }
    if (credentials.url !== this._url) {
      this._url = client.url;
      this._options.onUrlChange?.(client.url);
    }
    this._client = client;
    this._user = user;
    this._login.username = user;
    await this._header.showUser({ name: user, url: client.url });
    const pending = this._pending;
    this._pending = undefined;
    if (pending) await pending();
    else await this.search(this._query, this._order, 1);
  }

  /** Forgets the token and shows the login form. */
  logout(message = ''): void {
    void this._logout(message);
  }

  /** Searches (page 1 unless given); the results replace the list. */
  search(query: CatalogQuery, order: SortOrder = this._order, page = 1): Promise<void> {
    this._query = query;
    this._order = order;
    this._results.clear(); // the old page must not pass for the answer to this search
    return this._run('Searching…', async signal => {
      const result = await fetchSearchPage(this._client!, query, { page, pageSize: this._pageSize, order, signal });
      await this._results.showPage(result);
      if (!signal.aborted) this._setState(result.datasets.length === 0 && page === 1 ? 'empty' : 'results');
    });
  }

  /** Shows one dataset. */
  openDataset(pid: string): Promise<void> {
    return this._run('Loading the dataset…', async signal => {
      const details = await loadDatasetDetails(this._client!, pid, { signal });
      await this._dataset.showDetails(details);
      if (!signal.aborted) this._setState('dataset');
    });
  }

  /**
   * Runs a request with the loading state; a failure becomes a problem state. Only the latest request may change
   * what is shown (an older answer that arrives late is dropped).
   */
  private async _run(loading: string, action: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (!this._client) {
      this._setState('login');
      return;
    }
    this._abort?.abort();
    const controller = new AbortController();
    this._abort = controller;
    void this._state.showMessage('loading', loading);
    this._setState('loading', 'problem');
    try {
      await action(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      await this._showProblem(describeProblem(error), () => this._run(loading, action), controller.signal);
    } finally {
      if (this._abort === controller) this._abort = undefined;
    }
  }

  /** Forgets the token and shows the login form with `message`; resolves once drawn. */
  private async _logout(message: string): Promise<void> {
    this._abort?.abort();
    this._client?.logout();
    this._client = undefined;
    this._pending = undefined;
    this._results.clear();
    this._setState('login');
    await Promise.all([this._login.setMessage(message), this._header.showUser(null)]);
  }

  /** Shows a failed request's problem; `signal` is the request's (a newer request keeps its own state). */
  private async _showProblem(problem: CatalogProblem, again: () => Promise<void>, signal: AbortSignal): Promise<void> {
    if (problem.kind === 'auth') {
      // The search stays; after the new login, the action that failed runs again.
      const user = this._user;
      await this._logout(problem.message);
      this._login.username = user ?? '';
      this._pending = again;
      this._setState('auth', 'login');
      return;
    }
    const actions: NoticeAction[] = [];
    if (problem.retry) actions.push({ label: 'Try again', className: 'mdlma-CatalogSidebar-retry', onClick: () => void again() });
    if (this._results.page) actions.push({ label: '‹ Results', onClick: () => this._showResults() });
    await this._state.showProblem(problem, actions);
    if (!signal.aborted) this._setState(problem.kind, 'problem');
  }

  private _showResults(): void {
    this._setState(this._results.page ? (this._results.page.datasets.length ? 'results' : 'empty') : 'empty');
  }

  /** Shows the parts that belong to a state; `layout` picks them when the name alone does not. */
  private _setState(state: CatalogSidebarState, layout: 'login' | 'problem' | CatalogSidebarState = state): void {
    this._stateName = state;
    this.node.dataset.state = state;
    const visible = (widget: Widget, shown: boolean) => (shown ? widget.show() : widget.hide());
    visible(this._header, this.loggedIn);
    visible(this._login, layout === 'login');
    visible(this._searchForm, layout !== 'login' && layout !== 'dataset');
    visible(this._state, layout === 'problem');
    visible(this._results, layout === 'results' || layout === 'empty');
    visible(this._dataset, layout === 'dataset');
  }

  private async _copy(pid: string): Promise<string> {
    await this._options.copy(pid);
    return `Copied the PID ${pid}.`;
  }

  private async _openInNotebook(dataset: Dataset): Promise<string> {
    const code = openDatasetCode({ url: this._client?.url ?? this._url, pid: dataset.pid, name: dataset.datasetName, pathMap: this._pathMap });
    return this._options.insertCell(code);
  }

  private _options: CatalogSidebar.IOptions;
  private _url: string;
  private _pathMap: Record<string, string>;
  private _pageSize: number;
  private _client: SciCatClient | undefined;
  private _user: string | undefined;
  private _query: CatalogQuery = {};
  private _order: SortOrder = 'newest';
  private _abort: AbortController | undefined;
  private _pending: (() => Promise<void>) | undefined;
  private _stateName: CatalogSidebarState = 'login';
  private _header: CatalogUserBar;
  private _login: CatalogLoginForm;
  private _searchForm: CatalogSearchForm;
  private _state: CatalogStateNotice;
  private _results: CatalogResultList;
  private _dataset: CatalogDatasetView;
}

/** The options of CatalogSidebar. */
export namespace CatalogSidebar {
  export interface IOptions {
    /** The SciCat backend (from the settings); empty: the login form asks. */
    url?: string;
    /** Remote folder prefix -> local folder, for the inserted cells. */
    pathMap?: Record<string, string>;
    pageSize?: number;
    /** Inserts code into the current notebook; returns what to tell the user ("Inserted into x.ipynb"). */
    insertCell: (code: string) => Promise<string> | string;
    /** Copies text to the system clipboard. */
    copy: (text: string) => Promise<void> | void;
    /** The user typed another URL into the login form (the labextension saves it to the settings). */
    onUrlChange?: (url: string) => void;
    /** The fetch to use (default: the global one). */
    fetch?: typeof fetch;
    /** Per-request timeout and retries (the client's defaults: 30 s, 3 retries). */
    timeoutMs?: number;
    retries?: number;
  }
}
