/**
 * The SciCat client (scicat-backend-next), isomorphic: plain `fetch`, so the kernel and the JupyterLab widgets share
 * it. v4 for search, count and datasets (as scitacean does), v3 for what v4 lacks: fullquery (free text and
 * scientific metadata), creating a derived dataset with its obsolete DTO, file lists and attachments.
 *
 * The token travels only in the `Authorization: Bearer` header; it is held in a private field that neither
 * `JSON.stringify`, `console.log` nor error messages show.
 *
 * @example
 * const scicat = await SciCatClient.login({ url: 'http://localhost:3000', username: 'ingestor', password });
 * for await (const ds of scicat.search({ where: { type: 'raw', 'scientificMetadata.healingTime.value': 8 } })) {
 *   console.log(ds.pid, ds.datasetName);
 * }
 * const files = await scicat.origDatablocks(pid);   // PIDs contain '/': the client encodes them
 */
import { CatalogAuthError, CatalogConfigError, CatalogRequestError } from '../errors';
import { catalogRequest, type CatalogRequest } from './http';
import {
  DERIVED_DATASET_FIELDS,
  DERIVED_DATASET_REQUIRED,
  type Attachment,
  type Dataset,
  type DatasetFilter,
  type DatasetV3,
  type DerivedDatasetInput,
  type FullQueryFields,
  type FullQueryLimits,
  type OrigDatablock,
  type Where
} from './types';

/** Reads a client's token: only for saving it to the private config file (a symbol keeps it out of completions). */
export const TOKEN_ACCESS = Symbol.for('mdlma.catalog.token');

/** A client for one SciCat backend, with or without a token. */
export class SciCatClient {
  /** A client, logged in with a username and password (`POST /api/v3/auth/login`). */
  static async login(options: SciCatClient.ILoginOptions): Promise<SciCatClient> {
    const client = new SciCatClient(options);
    await client.login(options.username, options.password, options);
    return client;
  }

  constructor(options: SciCatClient.IOptions) {
    this.url = Private.normaliseUrl(options.url);
    this.#transport = { timeoutMs: options.timeoutMs, retries: options.retries, backoffMs: options.backoffMs, fetch: options.fetch };
    this.#token = options.token || undefined;
  }

  /** The backend's base URL, without a trailing slash or /api. */
  readonly url: string;

  /** When the token from `login` expires (undefined for a token given by the caller). */
  get expiresAt(): Date | undefined {
    return this.#expiresAt;
  }

  /** Whether the client holds a token (it may still have expired on the server). */
  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** Logs in; the token replaces any earlier one. Returns the user's name and when the token expires. */
  async login(username: string, password: string, options: SciCatClient.ICallOptions = {}): Promise<{ username: string; expiresAt: Date }> {
    const answer = await this._request<{ access_token: string; expires_in: number; created?: string; user?: { username?: string } }>({
      method: 'POST',
      path: '/api/v3/auth/login',
      body: { username, password },
      what: `the login of "${username}"`,
      signal: options.signal,
      anonymous: true
    });
    this.#token = answer.access_token;
    const created = answer.created ? Date.parse(answer.created) : Date.now();
    this.#expiresAt = new Date((Number.isFinite(created) ? created : Date.now()) + answer.expires_in * 1000);
    return { username: answer.user?.username ?? username, expiresAt: this.#expiresAt };
  }

  /** Forgets the token (the backend's JWTs cannot be revoked; they expire). */
  logout(): void {
    this.#token = undefined;
    this.#expiresAt = undefined;
  }

  /** The logged-in user and their groups (`GET /api/v3/auth/whoami`); a cheap check that the token works. */
  whoami(options: SciCatClient.ICallOptions = {}): Promise<{ username: string; email?: string; currentGroups?: string[] }> {
    return this._request({ path: '/api/v3/auth/whoami', what: 'the current user', signal: options.signal });
  }

  /** One page of datasets (`GET /api/v4/datasets?filter=`); the backend's default page is 10, newest first. */
  find(filter: DatasetFilter = {}, options: SciCatClient.ICallOptions = {}): Promise<Dataset[]> {
    return this._request({ path: '/api/v4/datasets', query: { filter: JSON.stringify(filter) }, what: 'the dataset search', signal: options.signal });
  }

  /**
   * Every dataset that matches, fetched lazily a page at a time: stop iterating and no further page is asked for.
   * `limits.skip` and `limits.limit` of the filter bound the whole walk; `pageSize` is the size of one request.
   */
  async *search(filter: DatasetFilter = {}, options: SciCatClient.ICallOptions & { pageSize?: number } = {}): AsyncGenerator<Dataset> {
    const pageSize = options.pageSize ?? 50;
    const sort = filter.limits?.sort ?? { creationTime: 'desc' as const };
    let skip = filter.limits?.skip ?? 0;
    let remaining = filter.limits?.limit ?? Infinity;
    while (remaining > 0) {
      const limit = Math.min(pageSize, remaining);
      const page = await this.find({ ...filter, limits: { sort, skip, limit } }, options);
      for (const d of page) yield d;
      if (page.length < limit) return;
      skip += page.length;
      remaining -= page.length;
    }
  }

  /** How many datasets match a `where` (`GET /api/v4/datasets/count`). */
  async count(where: Where = {}, options: SciCatClient.ICallOptions = {}): Promise<number> {
    const answer = await this._request<{ count: number }>({
      path: '/api/v4/datasets/count',
      query: { filter: JSON.stringify({ where }) },
      what: 'the dataset count',
      signal: options.signal
    });
    return answer.count;
  }

  /** One page of a v3 fullquery: free text and scientific-metadata conditions (v4 has no equivalent). */
  fullquery(fields: FullQueryFields, limits: FullQueryLimits = {}, options: SciCatClient.ICallOptions = {}): Promise<DatasetV3[]> {
    return this._request({
      path: '/api/v3/datasets/fullquery',
      query: { fields: JSON.stringify(fields), limits: JSON.stringify({ limit: 100, skip: 0, ...limits }) },
      what: 'the full-text query',
      signal: options.signal
    });
  }

  /** Every dataset of a fullquery, lazily, a page at a time. */
  async *fullquerySearch(fields: FullQueryFields, options: SciCatClient.ICallOptions & { pageSize?: number; order?: string } = {}): AsyncGenerator<DatasetV3> {
    const limit = options.pageSize ?? 50;
    for (let skip = 0; ; skip += limit) {
      const page = await this.fullquery(fields, { limit, skip, order: options.order ?? 'creationTime:desc' }, options);
      for (const d of page) yield d;
      if (page.length < limit) return;
    }
  }

  /** One dataset by PID (v4), optionally with relations embedded. */
  dataset(pid: string, options: SciCatClient.ICallOptions & { include?: DatasetFilter['include'] } = {}): Promise<Dataset> {
    const include = options.include?.length ? JSON.stringify(options.include) : undefined;
    return this._request({ path: `/api/v4/datasets/${Private.pidSegment(pid)}`, query: { include }, what: `dataset "${pid}"`, signal: options.signal });
  }

  /** The dataset's file lists (paths relative to its sourceFolder, sizes in bytes). */
  origDatablocks(pid: string, options: SciCatClient.ICallOptions = {}): Promise<OrigDatablock[]> {
    return this._request({ path: `/api/v3/datasets/${Private.pidSegment(pid)}/origdatablocks`, what: `the files of dataset "${pid}"`, signal: options.signal });
  }

  /** The dataset's attachments; thumbnails are data URIs. */
  attachments(pid: string, options: SciCatClient.ICallOptions = {}): Promise<Attachment[]> {
    return this._request({ path: `/api/v3/datasets/${Private.pidSegment(pid)}/attachments`, what: `the attachments of dataset "${pid}"`, signal: options.signal });
  }

  /** The dataset's first thumbnail as a data URI, or undefined. */
  async thumbnail(pid: string, options: SciCatClient.ICallOptions = {}): Promise<string | undefined> {
    const answer = await this._request<{ thumbnail?: string } | null>({
      path: `/api/v3/datasets/${Private.pidSegment(pid)}/thumbnail`,
      what: `the thumbnail of dataset "${pid}"`,
      signal: options.signal
    });
    return answer?.thumbnail || undefined;
  }

  /**
   * Registers a derived dataset (`POST /api/v3/datasets`, type "derived"). Fields the backend does not know are
   * refused here, before anything is sent, since the backend would answer 400 for them.
   */
  async createDerived(input: DerivedDatasetInput, options: SciCatClient.ICallOptions = {}): Promise<DatasetV3> {
    const unknown = Object.keys(input).filter(k => !DERIVED_DATASET_FIELDS.includes(k) || k === 'type');
    if (unknown.length) {
      throw new CatalogRequestError(this.url, 'the derived dataset', `unknown field(s) ${unknown.join(', ')}; SciCat accepts ${DERIVED_DATASET_FIELDS.filter(k => k !== 'type').join(', ')}`);
    }
    const missing = DERIVED_DATASET_REQUIRED.filter(k => (input as unknown as Record<string, unknown>)[k] === undefined);
    if (missing.length) throw new CatalogRequestError(this.url, 'the derived dataset', `missing required field(s) ${missing.join(', ')}`);
    return this._request({ method: 'POST', path: '/api/v3/datasets', body: { ...input, type: 'derived' }, what: 'the new derived dataset', signal: options.signal });
  }

  /** Attaches a thumbnail (a data URI, e.g. "data:image/png;base64,...") to a dataset. */
  async attachThumbnail(pid: string, thumbnail: string, options: SciCatClient.ICallOptions & { caption?: string; ownerGroup?: string } = {}): Promise<Attachment> {
    if (!/^data:image\/[a-z+.-]+;base64,/.test(thumbnail)) {
      throw new CatalogRequestError(this.url, 'the thumbnail', 'it must be a data URI such as "data:image/png;base64,..."');
    }
    // CreateAttachmentV3Dto requires ownerGroup; the backend replaces it by the dataset's.
    const ownerGroup = options.ownerGroup ?? (await this.dataset(pid, options)).ownerGroup;
    return this._request({
      method: 'POST',
      path: `/api/v3/datasets/${Private.pidSegment(pid)}/attachments`,
      body: { thumbnail, caption: options.caption ?? '', ownerGroup },
      what: `an attachment of dataset "${pid}"`,
      signal: options.signal
    });
  }

  /** What a notebook shows for the client: the backend, never the token. */
  toJSON(): { url: string; hasToken: boolean } {
    return { url: this.url, hasToken: this.hasToken };
  }

  [TOKEN_ACCESS](): string | undefined {
    return this.#token;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SciCatClient { url: '${this.url}', hasToken: ${this.hasToken} }`;
  }

  private _request<T>(request: Omit<CatalogRequest, 'base' | 'token'> & { anonymous?: boolean }): Promise<T> {
    if (!request.anonymous && !this.#token) return Promise.reject(new CatalogAuthError(this.url, 'no token: log in first'));
    return catalogRequest<T>({ ...request, base: this.url, token: request.anonymous ? undefined : this.#token }, this.#transport);
  }

  #token: string | undefined;
  #expiresAt: Date | undefined;
  #transport: catalogRequest.IOptions;
}

/** The options of SciCatClient. */
export namespace SciCatClient {
  /** Options of a call: an AbortSignal (in the kernel, Kernel > Interrupt). */
  export interface ICallOptions {
    signal?: AbortSignal;
  }

  export interface IOptions extends catalogRequest.IOptions {
    /** The backend, e.g. "https://scicat.example.org" (a trailing "/api" or "/" is ignored). */
    url: string;
    /** A token from an earlier login (the SciCat UI shows one under the user settings). */
    token?: string;
  }

  export interface ILoginOptions extends IOptions, ICallOptions {
    username: string;
    password: string;
  }
}

namespace Private {
  export function normaliseUrl(url: string): string {
    if (!/^https?:\/\//.test(url)) throw new CatalogRequestError('', 'the URL', `"${withoutCredentials(url)}" must start with http:// or https://`);
    // Credentials in the URL would be echoed by every error message and saved as the config file's key.
    if (/^https?:\/\/[^/?#]*@/.test(url)) {
      throw new CatalogConfigError(
        'url',
        `"${withoutCredentials(url)}" contains a user name or password; pass them as { username, password } (or a token) instead`
      );
    }
    return url.replace(/\/+$/, '').replace(/\/api(\/v[34])?$/, '');
  }

  /** The URL with any `user:password@` replaced by `***@`: safe to show. */
  function withoutCredentials(url: string): string {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
  }

  /** PIDs contain '/', which would end the path segment: encode it (and everything else). */
  export function pidSegment(pid: string): string {
    if (!pid) throw new CatalogRequestError('', 'the PID', 'it is empty');
    return encodeURIComponent(pid);
  }
}
