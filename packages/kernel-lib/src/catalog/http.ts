/**
 * One HTTP exchange with SciCat, isomorphic (plain `fetch`, no Node imports): a timeout per attempt, retries with
 * exponential backoff on 5xx and on lost connections, and the backend's failures turned into typed errors.
 *
 * @example
 * const body = await catalogRequest({ base: 'http://localhost:3000', path: '/api/v4/datasets/count', token });
 */
import {
  CatalogAuthError,
  CatalogError,
  CatalogForbiddenError,
  CatalogNotFoundError,
  CatalogRequestError,
  CatalogServerError,
  CatalogUnavailableError,
  InterruptedError
} from '../errors';

/** One request: base URL, path (already URL-encoded), query, method, JSON body, what it is about (for messages). */
export interface CatalogRequest {
  base: string;
  path: string;
  query?: Record<string, string | undefined>;
  method?: 'GET' | 'POST';
  body?: unknown;
  token?: string;
  what?: string;
  signal?: AbortSignal;
}

/** Sends a request and returns its parsed JSON body, or throws a CatalogError. */
export async function catalogRequest<T>(request: CatalogRequest, options: catalogRequest.IOptions = {}): Promise<T> {
  const { timeoutMs = 30000, retries = 3, backoffMs = 300 } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  const method = request.method ?? 'GET';
  const what = request.what ?? `${method} ${request.path}`;
  const url = Private.buildUrl(request);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  // A POST that the backend may have carried out is not repeated (it would create a second dataset): only a 503
  // or a refused connection say that it was not. GETs are repeated on any 5xx, timeout or lost connection.
  const mayRetry = (status: number | undefined, refused: boolean) =>
    method === 'GET' ? status === undefined || status >= 500 : status === 503 || refused;
  let attempt = 0;
  for (;;) {
    attempt++;
    Private.throwIfAborted(request.signal);
    const attemptSignal = Private.withTimeout(request.signal, timeoutMs);
    let status: number | undefined;
    let retryAfter = NaN;
    let refused = false;
    let failure: CatalogError;
    try {
      const response = await doFetch(url, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: attemptSignal.signal
      });
      const text = await response.text();
      if (response.ok) return Private.parseAnswer<T>(text, request.base, what);
      status = response.status;
      retryAfter = Number(response.headers.get('Retry-After'));
      failure = Private.errorFor(status, request.base, what, Private.detailOf(text));
      if (!(failure instanceof CatalogServerError)) throw failure;
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      Private.throwIfAborted(request.signal);
      refused = Private.reasonOf(e) === 'ECONNREFUSED';
      failure = attemptSignal.timedOut()
        ? new CatalogUnavailableError(request.base, `no answer within ${timeoutMs / 1000} s (${what})`)
        : new CatalogUnavailableError(request.base, `could not connect (${Private.reasonOf(e)})`, e);
    } finally {
      attemptSignal.dispose();
    }
    if (attempt > retries || !mayRetry(status, refused)) {
      throw failure instanceof CatalogServerError ? new CatalogServerError(request.base, status ?? 500, attempt, failure.detail) : failure;
    }
    const wait = retryAfter > 0 ? retryAfter * 1000 : backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
    await Private.sleep(wait, request.signal);
  }
}

/** Types of `catalogRequest`. */
export namespace catalogRequest {
  /** Retry and timeout settings of a client. */
  export interface IOptions {
    /** Milliseconds one attempt may take (default 30000). */
    timeoutMs?: number;
    /** Extra attempts after a 5xx or a lost connection (default 3). */
    retries?: number;
    /** First backoff in ms, doubled each retry, with ±25 % jitter (default 300). */
    backoffMs?: number;
    /** The fetch to use (default: the global one). */
    fetch?: typeof fetch;
  }
}

namespace Private {
  export function buildUrl(request: CatalogRequest): string {
    const params = Object.entries(request.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
    const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    return `${request.base}${request.path}${query ? `?${query}` : ''}`;
  }

  /** A 2xx answer's JSON; anything else means the URL is not a SciCat backend's (its web frontend answers HTML). */
  export function parseAnswer<T>(text: string, base: string, what: string): T {
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CatalogRequestError(base, what, `the answer is not JSON (it starts "${text.slice(0, 40)}"); is ${base} the backend's URL (not the web frontend's)?`);
    }
  }

  /** The backend's reason: NestJS puts it in `message` (a string, a list, or class-validator errors as JSON). */
  export function detailOf(text: string): string {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return text.slice(0, 300);
    }
    const message = (body as { message?: unknown })?.message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message !== 'string') return '';
    try {
      const errors = JSON.parse(message) as Array<{ constraints?: Record<string, string> }>;
      if (Array.isArray(errors)) return errors.flatMap(e => Object.values(e.constraints ?? {})).join('; ');
    } catch {
      // a plain sentence
    }
    return message;
  }

  export function errorFor(status: number, base: string, what: string, detail: string): CatalogError {
    if (status === 401) return new CatalogAuthError(base);
    if (status === 403) return new CatalogForbiddenError(base, what, detail);
    if (status === 404) return new CatalogNotFoundError(base, what);
    if (status >= 500) return new CatalogServerError(base, status, 1, detail);
    return new CatalogRequestError(base, what, detail || `HTTP ${status}`, status);
  }

  export function reasonOf(e: unknown): string {
    const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
    return cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
  }

  export function throwIfAborted(signal?: AbortSignal): void {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new InterruptedError('The catalog request');
  }

  /** The caller's signal combined with a per-attempt timeout (AbortSignal.any is too new for some browsers). */
  export function withTimeout(outer: AbortSignal | undefined, ms: number) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, ms);
    const onAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    return {
      signal: controller.signal,
      timedOut: () => timedOut,
      dispose: () => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
      }
    };
  }

  export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(done, ms);
      function done() {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort() {
        clearTimeout(timer);
        reject(signal!.reason instanceof Error ? signal!.reason : new InterruptedError('The catalog request'));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
