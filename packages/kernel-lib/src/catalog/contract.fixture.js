/**
 * Starts the SciCat contract server (tests/scicat/contract_server.py, tests only) as a child process on a free
 * port, for the catalog's tests here and the sidebar's in @mdlma/widgets; `control` drives its test hooks (fail,
 * delay, expire-tokens, reset). Plain CommonJS with its types in contract.fixture.d.ts: neither package compiles it
 * into its lib/, and both load it from this source (widgets through its jest moduleNameMapper).
 */
const { spawn } = require('child_process');
const { existsSync } = require('fs');
const { join, resolve } = require('path');
const { createInterface } = require('readline');

const REPO = resolve(__dirname, '..', '..', '..', '..');

/** Starts the server; `dataRoot` receives the on-disk phantoms (made once per folder, reused). */
async function startContractServer(options = {}) {
  const venvPython = join(REPO, '.venv', 'bin', 'python');
  const python = existsSync(venvPython) ? venvPython : 'python3';
  const args = [join(REPO, 'tests', 'scicat', 'contract_server.py'), '--port', '0'];
  if (options.dataRoot) args.push('--data-root', options.dataRoot);
  if (options.token) args.push('--token', options.token);
  if (options.tokenTtl) args.push('--token-ttl', String(options.tokenTtl));
  if (options.count) args.push('--count', String(options.count));
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', chunk => (stderr += chunk));
  const first = await new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', ok);
    child.once('exit', code => fail(new Error(`contract server exited (${code}): ${stderr}`)));
  });
  const info = JSON.parse(first);
  const control = async (route, body) => {
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
    requests: () => control('requests'),
    stop: () =>
      new Promise(done => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      })
  };
}

module.exports = { startContractServer };
