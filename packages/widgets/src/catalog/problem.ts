/**
 * What the sidebar tells the user when SciCat fails: one kind per failure the user can act on (log in again, ask
 * for access, wait, check the network), with a message in the sidebar's words. The client's typed errors carry
 * advice for notebook users (`catalog.connect(...)`), which does not fit a login form.
 *
 * @example
 * const problem = describeProblem(error);   // { kind: 'auth', title: 'Logged out', message: '...' }
 */
import {
  CatalogAuthError,
  CatalogError,
  CatalogForbiddenError,
  CatalogNotFoundError,
  CatalogRequestError,
  CatalogServerError,
  CatalogUnavailableError
} from '@mdlma/kernel/catalog';

/** The kinds of failure, each with its own message and action. */
export type ProblemKind = 'auth' | 'forbidden' | 'not-found' | 'server' | 'offline' | 'request' | 'unexpected';

/** A failure as the sidebar shows it. */
export interface CatalogProblem {
  kind: ProblemKind;
  title: string;
  message: string;
  /** Whether trying the same request again may help (5xx, offline). */
  retry: boolean;
}

/** The sidebar's description of an error from the catalog client (never a stack trace). */
export function describeProblem(error: unknown): CatalogProblem {
  if (error instanceof CatalogAuthError) {
    return { kind: 'auth', title: 'Please log in again', message: 'SciCat did not accept your session (401): it has expired or was never valid. Log in again to continue.', retry: false };
  }
  if (error instanceof CatalogForbiddenError) {
    return {
      kind: 'forbidden',
      title: 'No access',
      message: `SciCat refused access to ${error.what} (403). Your groups include neither its owner group nor its access groups; ask its owner to share it, or log in with another account.`,
      retry: false
    };
  }
  if (error instanceof CatalogNotFoundError) {
    return { kind: 'not-found', title: 'Not found', message: `SciCat has no ${error.what} (404). It may have been deleted, or the PID is wrong.`, retry: false };
  }
  if (error instanceof CatalogServerError) {
    return {
      kind: 'server',
      title: 'SciCat failed',
      message: `SciCat answered with a server error (${error.status}${error.attempts > 1 ? `, ${error.attempts} attempts` : ''}). The backend has a problem; try again later or tell its administrators.`,
      retry: true
    };
  }
  if (error instanceof CatalogUnavailableError) {
    return { kind: 'offline', title: 'SciCat is not reachable', message: `No answer from ${error.url}: ${error.reason}. Check your network and the SciCat URL in the settings, then try again.`, retry: true };
  }
  if (error instanceof CatalogRequestError) {
    return { kind: 'request', title: 'Request refused', message: error.message, retry: false };
  }
  if (error instanceof CatalogError) {
    return { kind: 'request', title: 'SciCat error', message: error.message, retry: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unexpected', title: 'Something went wrong', message, retry: true };
}
