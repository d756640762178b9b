import { readFileSync } from 'fs';
import { join } from 'path';
import { inspect } from 'util';
import {
  CatalogAuthError,
  CatalogError,
  CatalogConfigError,
  CatalogForbiddenError,
  CatalogNotFoundError,
  CatalogRequestError,
  CatalogServerError,
  CatalogUnavailableError
} from '../errors';
import { SciCatClient } from './client';
import { startContractServer, type ContractServer } from './contract.fixture';
import type { DerivedDatasetInput } from './types';

let server: ContractServer;
let scicat: SciCatClient;
const fast = { retries: 3, backoffMs: 10, timeoutMs: 5000 };

beforeAll(async () => {
  server = await startContractServer();
  scicat = await SciCatClient.login({ url: server.url, username: 'mdlma', password: 'mdlma-pass', ...fast });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => server.control('reset', {}));

/** The token, read the way only the config-file writer does, to check that it appears nowhere else. */
const tokenOf = (client: SciCatClient) => client[Symbol.for('mdlma.catalog.token') as never] as () => string;

function derivedInput(parent: string): DerivedDatasetInput {
  return {
    owner: 'Berit Zeller-Plumhoff',
    ownerGroup: 'p05-11012345',
    contactEmail: 'mdlma@example.org',
    sourceFolder: '/asap3/petra3/gpfs/p05/2024/data/11012345/processed/R103_04w/analysis',
    creationTime: new Date().toISOString(),
    investigator: 'mdlma@example.org',
    inputDatasets: [parent],
    usedSoftware: ['@mdlma/kernel@0.1.0'],
    datasetName: 'client test segmentation',
    scientificMetadata: { model: { name: 'sun-implant', sha256: 'ab'.repeat(32) } }
  };
}

describe('login', () => {
  it('returns when the token expires (the backend default: one hour)', async () => {
    const client = new SciCatClient({ url: `${server.url}/api/v3/`, ...fast });
    const { username, expiresAt } = await client.login('mdlma', 'mdlma-pass');
    expect(username).toBe('mdlma');
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(3500e3);
    expect(client.url).toBe(server.url);
  });

  it('a wrong password is a CatalogAuthError that does not repeat the password', async () => {
    const failure = await SciCatClient.login({ url: server.url, username: 'mdlma', password: 'hunter2-wrong', ...fast }).catch(e => e);
    expect(failure).toBeInstanceOf(CatalogAuthError);
    expect(failure.message).toMatch(/Log in again/);
    expect(`${failure.message}${failure.stack}${inspect(failure)}`).not.toContain('hunter2-wrong');
  });

  it('a URL with user:password@ is refused before anything is sent, without repeating the password', async () => {
    const withCredentials = server.url.replace('://', '://mdlma:hunter2-in-url@');
    const failure = await SciCatClient.login({ url: withCredentials, username: 'mdlma', password: 'mdlma-pass', ...fast }).catch(e => e);
    expect(failure).toBeInstanceOf(CatalogConfigError);
    expect(failure.message).toMatch(/url .*\*\*\*@.*contains a user name or password/);
    expect(`${failure.message}${failure.stack}${inspect(failure)}`).not.toContain('hunter2-in-url');
    expect(await server.requests()).toHaveLength(0);
    const malformed = await Promise.resolve().then(() => new SciCatClient({ url: 'ftp://mdlma:hunter2-in-url@host' })).catch(e => e);
    expect(malformed.message).toMatch(/must start with http/);
    expect(malformed.message).not.toContain('hunter2-in-url');
  });

  it('a client without a token says to log in, before sending anything', async () => {
    const client = new SciCatClient({ url: server.url });
    await expect(client.count()).rejects.toThrow(/no token: log in first/);
    expect(await server.requests()).toHaveLength(0);
  });
});

describe('search (v4 filter)', () => {
  it('filters with $regex, $in, $and and $or, projects fields and sorts', async () => {
    const page = await scicat.find({
      where: {
        $and: [
          { datasetName: { $regex: 'mg-10gd', $options: 'i' } },
          { 'scientificMetadata.healingTime.value': { $in: [8, 12] } },
          { $or: [{ ownerGroup: 'p05-11012345' }, { ownerGroup: 'p05-11014567' }] }
        ]
      },
      fields: ['pid', 'datasetName', 'creationTime', 'scientificMetadata'],
      limits: { limit: 5, sort: { creationTime: 'asc' } }
    });
    expect(page).toHaveLength(5);
    for (const d of page) {
      expect(Object.keys(d).sort()).toEqual(['creationTime', 'datasetName', 'pid', 'scientificMetadata']);
      expect(d.datasetName).toMatch(/Mg-10Gd/);
      expect([8, 12]).toContain((d.scientificMetadata!.healingTime as { value: number }).value);
    }
    const times = page.map(d => Date.parse(d.creationTime));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('filters creation dates with $gte/$lte and counts the same set', async () => {
    const where = { type: 'raw', creationTime: { $gte: '2024-01-01T00:00:00Z', $lte: '2024-06-30T23:59:59Z' } };
    const all = [];
    for await (const d of scicat.search({ where }, { pageSize: 40 })) all.push(d);
    expect(all.length).toBeGreaterThan(10);
    expect(await scicat.count(where)).toBe(all.length);
    expect(all.every(d => d.creationTime >= '2024-01-01' && d.creationTime < '2024-07')).toBe(true);
  });

  it('pages lazily: a loop that stops early asks for no further page', async () => {
    const seen = [];
    for await (const d of scicat.search({ where: { type: 'raw' } }, { pageSize: 4 })) {
      seen.push(d.pid);
      if (seen.length === 6) break;
    }
    const searches = (await server.requests()).filter(r => r.path === '/api/v4/datasets');
    expect(searches).toHaveLength(2);
    expect(new Set(seen).size).toBe(6);
  });

  it('includes file lists and attachments when asked', async () => {
    const [d] = await scicat.find({ where: { type: 'raw' }, include: ['origdatablocks', 'attachments'], limits: { limit: 1 } });
    expect(d.origdatablocks![0].dataFileList.length).toBeGreaterThan(0);
    expect(String(d.attachments![0].thumbnail)).toMatch(/^data:image\/png;base64,/);
  });

  it('an unknown field in the filter is the backend\'s 400, with its reason', async () => {
    const failure = await scicat.find({ where: { notAField: 1 } }).catch(e => e);
    expect(failure).toBeInstanceOf(CatalogRequestError);
    expect(failure.status).toBe(400);
    expect(failure.message).toMatch(/where.notAField should not exist/);
  });
});

describe('fullquery (v3): text and scientific metadata', () => {
  it('finds sheep implants with a healing time over 8 weeks, newest first', async () => {
    const hits = await scicat.fullquery(
      { text: 'sheep', scientific: [{ lhs: 'healingTime', relation: 'GREATER_THAN', rhs: 8 }] },
      { limit: 10, order: 'creationTime:desc' }
    );
    expect(hits.length).toBeGreaterThan(0);
    for (const d of hits) {
      expect(d.scientificMetadata!.animal).toBe('sheep');
      expect((d.scientificMetadata!.healingTime as { value: number }).value).toBeGreaterThan(8);
      expect(d.principalInvestigator ?? d.investigator).toBeDefined(); // the v3 (obsolete) shape
    }
    expect(hits.map(d => d.creationTime)).toEqual(hits.map(d => d.creationTime).sort().reverse());
  });

  it('pages a fullquery lazily too', async () => {
    const pids = [];
    for await (const d of scicat.fullquerySearch({ scientific: [{ lhs: 'material', relation: 'EQUAL_TO_STRING', rhs: 'Ti' }] }, { pageSize: 7 })) {
      pids.push(d.pid);
    }
    expect(pids.length).toBeGreaterThan(7);
    expect(new Set(pids).size).toBe(pids.length);
  });
});

describe('datasets by PID', () => {
  it('encodes the "/" of a PID and returns files with sizes and thumbnails', async () => {
    const [first] = await scicat.find({ where: { type: 'raw' }, limits: { limit: 1 } });
    expect(first.pid).toContain('/');
    const dataset = await scicat.dataset(first.pid);
    expect(dataset.pid).toBe(first.pid);
    const blocks = await scicat.origDatablocks(first.pid);
    expect(blocks[0].dataFileList.every(f => f.size > 0 && typeof f.path === 'string')).toBe(true);
    const attachments = await scicat.attachments(first.pid);
    expect(attachments[0].thumbnail).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(await scicat.thumbnail(first.pid)).toBe(attachments[0].thumbnail);
    const paths = (await server.requests()).map(r => r.path);
    expect(paths).toContain(`/api/v4/datasets/${first.pid.replace('/', '%2F')}`);
  });

  it('an unknown PID is a CatalogNotFoundError naming it', async () => {
    const failure = await scicat.dataset('20.500.12269/no-such-dataset').catch(e => e);
    expect(failure).toBeInstanceOf(CatalogNotFoundError);
    expect(failure.message).toContain('20.500.12269/no-such-dataset');
  });

  it("another group's dataset is a CatalogForbiddenError", async () => {
    const [privateOne] = await scicat.find({ where: { isPublished: false, type: 'raw' }, limits: { limit: 1 } });
    const outsider = await SciCatClient.login({ url: server.url, username: 'outsider', password: 'outsider-pass', ...fast });
    const failure = await outsider.dataset(privateOne.pid).catch(e => e);
    expect(failure).toBeInstanceOf(CatalogForbiddenError);
    expect(failure.message).toMatch(/groups/);
    // The outsider's searches only see published datasets.
    const visible = await outsider.find({ limits: { limit: 50 } });
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.every(d => d.isPublished)).toBe(true);
  });
});

describe('derived datasets', () => {
  it('refuses unknown fields before sending them (the backend would answer 400)', async () => {
    const [parent] = await scicat.find({ limits: { limit: 1 } });
    const input = { ...derivedInput(parent.pid), modelSha256: 'abc' } as DerivedDatasetInput;
    await expect(scicat.createDerived(input)).rejects.toThrow(/unknown field\(s\) modelSha256/);
    expect((await server.requests()).filter(r => r.method === 'POST')).toHaveLength(0);
  });

  it('creates a derived dataset, attaches a thumbnail and finds it by its input', async () => {
    const [parent] = await scicat.find({ where: { type: 'raw', ownerGroup: 'p05-11012345' }, limits: { limit: 1 } });
    const created = await scicat.createDerived(derivedInput(parent.pid));
    expect(created.pid).toMatch(/^20\.500\.12269\//);
    expect(created.type).toBe('derived');
    expect(created.investigator).toBe('mdlma@example.org');
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const attachment = await scicat.attachThumbnail(created.pid, png, { caption: 'labels' });
    expect(attachment.datasetId).toBe(created.pid);
    expect(await scicat.thumbnail(created.pid)).toBe(png);
    const found = await scicat.find({ where: { inputDatasets: parent.pid, type: 'derived', datasetName: 'client test segmentation' } });
    expect(found.map(d => d.pid)).toContain(created.pid);
  });

  it('a derived dataset for a group the user is not in is a CatalogForbiddenError', async () => {
    const [parent] = await scicat.find({ limits: { limit: 1 } });
    await expect(scicat.createDerived({ ...derivedInput(parent.pid), ownerGroup: 'somebody-else' })).rejects.toBeInstanceOf(CatalogForbiddenError);
  });

  it('a thumbnail that is not a data URI is refused', async () => {
    await expect(scicat.attachThumbnail('20.500.12269/x', 'http://example.org/a.png')).rejects.toThrow(/data URI/);
  });
});

describe('failures', () => {
  it('retries a GET on 503 with backoff and then succeeds', async () => {
    await server.control('fail', { status: 503, count: 2 });
    expect(await scicat.count({ type: 'raw' })).toBeGreaterThan(0);
    expect((await server.requests()).filter(r => r.path === '/api/v4/datasets/count')).toHaveLength(3);
  });

  it('gives up after the retries with a CatalogServerError that counts the attempts', async () => {
    await server.control('fail', { status: 500, count: 10 });
    const failure = await scicat.count().catch(e => e);
    expect(failure).toBeInstanceOf(CatalogServerError);
    expect(failure.attempts).toBe(4);
    expect(failure.message).toMatch(/failed with 500 \(Internal server error\) after 4 attempt/);
  });

  it('does not repeat a POST that failed with 500 (it may have created the dataset)', async () => {
    const [parent] = await scicat.find({ limits: { limit: 1 } });
    await server.control('reset', {});
    await server.control('fail', { status: 500, count: 1 });
    await expect(scicat.createDerived(derivedInput(parent.pid))).rejects.toBeInstanceOf(CatalogServerError);
    expect((await server.requests()).filter(r => r.method === 'POST')).toHaveLength(1);
  });

  it('does not repeat a POST that timed out either', async () => {
    const [parent] = await scicat.find({ limits: { limit: 1 } });
    const impatient = new SciCatClient({ url: server.url, token: tokenOf(scicat).call(scicat), timeoutMs: 300, retries: 3, backoffMs: 5 });
    await server.control('reset', {});
    await server.control('delay', { seconds: 0.6, count: 1 });
    await expect(impatient.createDerived(derivedInput(parent.pid))).rejects.toBeInstanceOf(CatalogUnavailableError);
    expect((await server.requests()).filter(r => r.method === 'POST')).toHaveLength(1);
  });

  it('a URL that answers HTML (a web frontend) says so', async () => {
    const frontend = new SciCatClient({ url: server.url, token: 'x', fetch: async () => new Response('<!doctype html><html>', { status: 200 }) });
    await expect(frontend.count()).rejects.toThrow(/the answer is not JSON .*not the web frontend/);
  });

  it('an abort (Kernel > Interrupt) stops the retries at once', async () => {
    const patient = new SciCatClient({ url: server.url, token: tokenOf(scicat).call(scicat), retries: 5, backoffMs: 5000 });
    await server.control('fail', { status: 503, count: 10 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    await expect(patient.count({}, { signal: controller.signal })).rejects.toThrow(/interrupted/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await server.requests()).length).toBe(1);
  });

  it('a slow backend is a CatalogUnavailableError after the timeout', async () => {
    const impatient = new SciCatClient({ url: server.url, token: tokenOf(scicat).call(scicat), timeoutMs: 200, retries: 0 });
    await server.control('delay', { seconds: 1, count: 1 });
    await expect(impatient.count()).rejects.toThrow(/no answer within 0.2 s/);
  });

  it('an unreachable backend is a CatalogUnavailableError (offline)', async () => {
    const offline = new SciCatClient({ url: 'http://127.0.0.1:9', token: 'x', retries: 1, backoffMs: 5 });
    const failure = await offline.count().catch(e => e);
    expect(failure).toBeInstanceOf(CatalogUnavailableError);
    expect(failure.message).toMatch(/could not connect/);
  });

  it('an expired token is a CatalogAuthError that says to log in again', async () => {
    const client = await SciCatClient.login({ url: server.url, username: 'mdlma', password: 'mdlma-pass', ...fast });
    await server.control('expire-tokens', {});
    const failure = await client.count().catch(e => e);
    expect(failure).toBeInstanceOf(CatalogAuthError);
    expect(failure.status).toBe(401);
    expect(failure.message).toMatch(/Log in again/);
    // Every earlier client has expired too: log the suite's client in again.
    await scicat.login('mdlma', 'mdlma-pass');
  });
});

describe('the token stays private', () => {
  it('is sent only as a Bearer header, never in a URL', async () => {
    const token = tokenOf(scicat).call(scicat);
    await scicat.find({ limits: { limit: 1 } });
    await scicat.fullquery({ text: 'rat' }, { limit: 1 });
    const requests = await server.requests();
    expect(requests.length).toBe(2);
    for (const r of requests) {
      expect(r.authScheme).toBe('Bearer');
      expect(`${r.path}?${r.query}`).not.toContain(token);
    }
  });

  it('appears in no inspection, JSON, string or error of the client', async () => {
    const token = tokenOf(scicat).call(scicat);
    expect(token.length).toBeGreaterThan(20);
    const shown = [inspect(scicat, { showHidden: true, depth: 5 }), JSON.stringify(scicat), String(scicat), Object.keys(scicat).join()];
    const errors: CatalogError[] = [];
    for (const attempt of [() => scicat.dataset('20.500.12269/missing'), () => scicat.find({ where: { bad: 1 } })]) {
      errors.push(await attempt().catch(e => e));
    }
    await server.control('fail', { status: 502, count: 10 });
    errors.push(await scicat.count().catch(e => e));
    for (const e of errors) {
      expect(e).toBeInstanceOf(CatalogError);
      shown.push(e.message, String(e.stack), inspect(e, { showHidden: true, depth: 5 }), JSON.stringify(e));
    }
    for (const text of shown) expect(text).not.toContain(token);
    expect(inspect(scicat)).toBe(`SciCatClient { url: '${server.url}', hasToken: true }`);
  });
});

describe('isomorphic', () => {
  it('the client imports nothing but its own modules and the errors (the JupyterLab widgets import it)', () => {
    const allowed = new Set(['../errors', './client', './http', './types']);
    for (const file of ['client.ts', 'http.ts', 'query.ts', 'types.ts', '../errors.ts']) {
      const source = readFileSync(join(__dirname, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map(m => m[1]);
      expect(specifiers.filter(s => !allowed.has(s))).toEqual([]);
      expect(source).not.toMatch(/\b(process\.env|Buffer\.|__dirname)/);
    }
  });
});
