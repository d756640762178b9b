// The types of contract.fixture.js (the SciCat contract server for tests).

/** A running contract server. */
export interface ContractServer {
  url: string;
  dataRoot: string | null;
  beamlineRoot: string;
  control(route: string, body?: unknown): Promise<unknown>;
  requests(): Promise<Array<{ method: string; path: string; query: string; authScheme: string | null }>>;
  stop(): Promise<void>;
}

/** Starts the server; `dataRoot` receives the on-disk phantoms (made once per folder, reused). */
export function startContractServer(options?: { dataRoot?: string; token?: string; tokenTtl?: number; count?: number }): Promise<ContractServer>;
