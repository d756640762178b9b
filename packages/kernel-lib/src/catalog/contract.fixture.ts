/**
 * Starts the SciCat contract server (tests/scicat/contract_server.py, tests only) as a child process on a free
 * port, for the catalog's tests; `control` drives its test hooks (fail, delay, expire-tokens, reset).
 */
import { spawn, type ChildProcess } from 'child_process';
import { existsSync } from 'fs';
import { join, resolve } from 'path';
import { createInterface } from 'readline';

const REPO = resolve(__dirname, '..', '..', '..', '..');

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
export async function startContractServer(options: { dataRoot?: string; token?: string; tokenTtl?: number; count?: number } = {}): Promise<ContractServer> {
  const venvPython = join(REPO, '.venv', 'bin', 'python');
  const python = existsSync(venvPython) ? venvPython : 'python3';
  const args = [join(REPO, 'tests', 'scicat', 'contract_server.py'), '--port', '0'];
  if (options.dataRoot) args.push('--data-root', options.dataRoot);
  if (options.token) args.push('--token', options.token);
  if (options.tokenTtl) args.push('--token-ttl', String(options.tokenTtl));
  if (options.count) args.push('--count', String(options.count));
  const child: ChildProcess = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += chunk));
  const first = await new Promise<string>((ok, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', ok);
    child.once('exit', code => fail(new Error(`contract server exited (${code}): ${stderr}`)));
  });
  const info = JSON.parse(first) as { url: string; dataRoot: string | null; beamlineRoot: string };
  const control = async (route: string, body?: unknown) => {
    const response = await fetch(`${info.url}/__contract__/${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    return response.json();
  };
  return {
    ...info,
    control,
    requests: () => control('requests') as ReturnType<ContractServer['requests']>,
    stop: () =>
      new Promise<void>(done => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      })
  };
}
