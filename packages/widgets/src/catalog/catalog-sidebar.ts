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
    this.#options = options;
    this.#url = options.url ?? '';
    this.#pathMap = options.pathMap ?? {};
    this.#pageSize = options.pageSize ?? 10;

    this.#header = new CatalogUserBar({ onLogout: () => this.logout() });
    this.#login = new CatalogLoginForm({ url: this.#url, onLogin: credentials => this.login(credentials) });
    this.#searchForm = new CatalogSearchForm({ onSearch: (query, order) => void this.search(query, order) });
    this.#state = new CatalogStateNotice();
    this.#results = new CatalogResultList({
      onOpen: pid => void this.openDataset(pid),
      onPage: page => void this.search(this.#query, this.#order, page),
      thumbnail: (pid, signal) => this.#client!.thumbnail(pid, { signal })
    });
    this.#dataset = new CatalogDatasetView({
      onBack: () => this.#showResults(),
      onOpenDataset: pid => void this.openDataset(pid),
      onCopyPid: pid => this.#copy(pid),
      onOpenInNotebook: dataset => this.#openInNotebook(dataset)
    });
    for (const widget of [this.#header, this.#login, this.#searchForm, this.#state, this.#results, this.#dataset]) this.addWidget(widget);
    this.#setState('login');
  }

  /** What the sidebar shows now. */
  get state(): CatalogSidebarState {
    return this.#stateName;
  }

  /** Whether a client with a token is held. */
  get loggedIn(): boolean {
    return this.#client?.hasToken ?? false;
  }

  /** The backend URL (from the settings or the login form). */
  get url(): string {
    return this.#url;
  }

  /** A new URL (settings changed): a different backend means a new login. */
  setUrl(url: string): void {
    if (url === this.#url) return;
    this.#url = url;
    this.#login.url = url;
    this.logout();
  }

  /** The path mapping written into "Open in notebook" cells. */
  setPathMap(pathMap: Record<string, string>): void {
    this.#pathMap = { ...pathMap };
  }

  /** Results per page. */
  setPageSize(pageSize: number): void {
    this.#pageSize = pageSize;
  }

  /** Logs in with a password or a token; the error's message says what went wrong. */
  async login(credentials: CatalogCredentials): Promise<void> {
    const options = { url: credentials.url, fetch: this.#options.fetch, timeoutMs: this.#options.timeoutMs, retries: this.#options.retries };
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
    if (credentials.url !== this.#url) {
      this.#url = client.url;
      this.#options.onUrlChange?.(client.url);
    }
    this.#client = client;
    this.#user = user;
    this.#login.username = user;
    await this.#header.showUser({ name: user, url: client.url });
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) await pending();
    else await this.search(this.#query, this.#order, 1);
  }

  /** Forgets the token and shows the login form. */
  logout(message = ''): void {
    void this.#logout(message);
  }

  /** Searches (page 1 unless given); the results replace the list. */
  search(query: CatalogQuery, order: SortOrder = this.#order, page = 1): Promise<void> {
    this.#query = query;
    this.#order = order;
    this.#results.clear(); // the old page must not pass for the answer to this search
    return this.#run('Searching…', async signal => {
      const result = await fetchSearchPage(this.#client!, query, { page, pageSize: this.#pageSize, order, signal });
      await this.#results.showPage(result);
      if (!signal.aborted) this.#setState(result.datasets.length === 0 && page === 1 ? 'empty' : 'results');
    });
  }

  /** Shows one dataset. */
  openDataset(pid: string): Promise<void> {
    return this.#run('Loading the dataset…', async signal => {
      const details = await loadDatasetDetails(this.#client!, pid, { signal });
      await this.#dataset.showDetails(details);
      if (!signal.aborted) this.#setState('dataset');
    });
  }

  /**
   * Runs a request with the loading state; a failure becomes a problem state. Only the latest request may change
   * what is shown (an older answer that arrives late is dropped).
   */
  async #run(loading: string, action: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (!this.#client) {
      this.#setState('login');
      return;
    }
    this.#abort?.abort();
    const controller = new AbortController();
    this.#abort = controller;
    void this.#state.showMessage('loading', loading);
    this.#setState('loading', 'problem');
    try {
      await action(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      await this.#showProblem(describeProblem(error), () => this.#run(loading, action), controller.signal);
    } finally {
      if (this.#abort === controller) this.#abort = undefined;
    }
  }

  /** Forgets the token and shows the login form with `message`; resolves once drawn. */
  async #logout(message: string): Promise<void> {
    this.#abort?.abort();
    this.#client?.logout();
    this.#client = undefined;
    this.#pending = undefined;
    this.#results.clear();
    this.#setState('login');
    await Promise.all([this.#login.setMessage(message), this.#header.showUser(null)]);
  }

  /** Shows a failed request's problem; `signal` is the request's (a newer request keeps its own state). */
  async #showProblem(problem: CatalogProblem, again: () => Promise<void>, signal: AbortSignal): Promise<void> {
    if (problem.kind === 'auth') {
      // The search stays; after the new login, the action that failed runs again.
      const user = this.#user;
      await this.#logout(problem.message);
      this.#login.username = user ?? '';
      this.#pending = again;
      this.#setState('auth', 'login');
      return;
    }
    const actions: NoticeAction[] = [];
    if (problem.retry) actions.push({ label: 'Try again', className: 'mdlma-CatalogSidebar-retry', onClick: () => void again() });
    if (this.#results.page) actions.push({ label: '‹ Results', onClick: () => this.#showResults() });
    await this.#state.showProblem(problem, actions);
    if (!signal.aborted) this.#setState(problem.kind, 'problem');
  }

  #showResults(): void {
    this.#setState(this.#results.page ? (this.#results.page.datasets.length ? 'results' : 'empty') : 'empty');
  }

  /** Shows the parts that belong to a state; `layout` picks them when the name alone does not. */
  #setState(state: CatalogSidebarState, layout: 'login' | 'problem' | CatalogSidebarState = state): void {
    this.#stateName = state;
    this.node.dataset.state = state;
    const visible = (widget: Widget, shown: boolean) => (shown ? widget.show() : widget.hide());
    visible(this.#header, this.loggedIn);
    visible(this.#login, layout === 'login');
    visible(this.#searchForm, layout !== 'login' && layout !== 'dataset');
    visible(this.#state, layout === 'problem');
    visible(this.#results, layout === 'results' || layout === 'empty');
    visible(this.#dataset, layout === 'dataset');
  }

  async #copy(pid: string): Promise<string> {
    await this.#options.copy(pid);
    return `Copied the PID ${pid}.`;
  }

  async #openInNotebook(dataset: Dataset): Promise<string> {
    const code = openDatasetCode({ url: this.#client?.url ?? this.#url, pid: dataset.pid, name: dataset.datasetName, pathMap: this.#pathMap });
    return this.#options.insertCell(code);
  }

  #options: CatalogSidebar.IOptions;
  #url: string;
  #pathMap: Record<string, string>;
  #pageSize: number;
  #client: SciCatClient | undefined;
  #user: string | undefined;
  #query: CatalogQuery = {};
  #order: SortOrder = 'newest';
  #abort: AbortController | undefined;
  #pending: (() => Promise<void>) | undefined;
  #stateName: CatalogSidebarState = 'login';
  #header: CatalogUserBar;
  #login: CatalogLoginForm;
  #searchForm: CatalogSearchForm;
  #state: CatalogStateNotice;
  #results: CatalogResultList;
  #dataset: CatalogDatasetView;
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
