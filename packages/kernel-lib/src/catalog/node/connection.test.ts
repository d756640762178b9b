import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { inspect } from 'util';
import { CatalogConfigError, CatalogAuthError } from '../../errors';
import { write } from '../../io';
import { implantPhantom } from '../../phantom';
import { startContractServer, type ContractServer } from '../contract.fixture';
import { KERNEL_PACKAGE_VERSION, catalog, type CatalogConnection } from './index';

const TOKEN = 'test-token-0123456789abcdefghijklmnop';
let server: ContractServer;
let dir: string;
let scicat: CatalogConnection;
let pathMap: Record<string, string>;
let dataRoot: string;
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scicat-kernel-'));
  dataRoot = join(dir, 'beamline');
  server = await startContractServer({ dataRoot, token: TOKEN });
  pathMap = { [server.beamlineRoot]: dataRoot };
  process.env.MDLMA_CATALOG_CONFIG = join(dir, 'no-config.json');
  process.env.SCICAT_TOKEN = TOKEN;
  scicat = await catalog.connect({ url: server.url, pathMap, retries: 0 });
});

afterAll(async () => {
  process.env = saved;
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('connect', () => {
  it('takes the token from SCICAT_TOKEN and never shows it', async () => {
    expect(inspect(scicat)).toBe(`CatalogConnection { url: '${server.url}', pathMap: ${JSON.stringify(pathMap)} }`);
    for (const shown of [inspect(scicat, { showHidden: true, depth: 6 }), JSON.stringify(scicat), inspect(scicat.client)]) {
      expect(shown).not.toContain(TOKEN);
    }
  });

  it('checks the token at once: a wrong one fails in connect, not later', async () => {
    process.env.SCICAT_TOKEN = 'not-a-token';
    try {
      const failure = await catalog.connect({ url: server.url, retries: 0 }).catch(e => e);
      expect(failure).toBeInstanceOf(CatalogAuthError);
      expect(failure.message).not.toContain('not-a-token');
    } finally {
      process.env.SCICAT_TOKEN = TOKEN;
    }
  });

  it('without any token source says where to put one', async () => {
    delete process.env.SCICAT_TOKEN;
    try {
      await expect(catalog.connect({ url: server.url })).rejects.toThrow(/set SCICAT_TOKEN, or log in once/);
    } finally {
      process.env.SCICAT_TOKEN = TOKEN;
    }
  });

  it('reads the token from the config file only when others cannot read it', async () => {
    const config = join(dir, 'catalog.json');
    writeFileSync(config, JSON.stringify({ url: server.url, token: TOKEN, pathMap }));
    chmodSync(config, 0o644);
    process.env.MDLMA_CATALOG_CONFIG = config;
    delete process.env.SCICAT_TOKEN;
    try {
      const failure = await catalog.connect().catch(e => e);
      expect(failure).toBeInstanceOf(CatalogConfigError);
      expect(failure.message).toMatch(/mode 644.*chmod 600/);
      expect(failure.message).not.toContain(TOKEN);
      chmodSync(config, 0o600);
      const connection = await catalog.connect();
      expect(connection.url).toBe(server.url);
      expect(connection.pathMap).toEqual(pathMap);
    } finally {
      process.env.MDLMA_CATALOG_CONFIG = join(dir, 'no-config.json');
      process.env.SCICAT_TOKEN = TOKEN;
    }
  });

  it('logs in with a password and saves the token to a new 0600 config file', async () => {
    const config = join(dir, 'saved', 'catalog.json');
    process.env.MDLMA_CATALOG_CONFIG = config;
    try {
      await catalog.connect({ url: server.url, username: 'mdlma', password: 'mdlma-pass', saveToken: true });
      expect(statSync(config).mode & 0o777).toBe(0o600);
      const stored = JSON.parse(readFileSync(config, 'utf8'));
      expect(stored.servers[server.url].token.length).toBeGreaterThan(20);
      delete process.env.SCICAT_TOKEN;
      expect((await catalog.connect({ url: server.url })).url).toBe(server.url);
    } finally {
      process.env.MDLMA_CATALOG_CONFIG = join(dir, 'no-config.json');
      process.env.SCICAT_TOKEN = TOKEN;
    }
  });
});

describe('search', () => {
  it('filters by beamline, material and healing time (v4)', async () => {
    const hits = await scicat.search({ beamline: 'P05', material: 'Mg-10Gd', healingWeeks: 12, limit: 7 });
    expect(hits).toHaveLength(7);
    for (const d of hits) {
      expect(d.creationLocation).toBe('/DESY/PETRA III/P05');
      expect(d.scientificMetadata).toMatchObject({ material: 'Mg-10Gd', healingTime: { value: 12 } });
    }
    expect(await scicat.count({ beamline: 'P05', material: 'Mg-10Gd', healingWeeks: 12 })).toBeGreaterThanOrEqual(7);
  });

  it('sends free text to the v3 fullquery, with the other conditions', async () => {
    const hits = await scicat.search({ text: 'sheep', healingWeeks: 4, type: 'raw', limit: 5 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every(d => d.scientificMetadata!.animal === 'sheep' && d.type === 'raw')).toBe(true);
  });

  it('refuses a where with operators next to free text, before asking (fullquery takes no where)', async () => {
    await expect(scicat.search({ text: 'rat', where: { size: { $gt: 1 } } })).rejects.toThrow(/cannot be combined with free text/);
    const plain = await scicat.search({ text: 'rat', where: { ownerGroup: 'p05-11014567' }, limit: 3 });
    expect(plain.length).toBe(3);
    expect(plain.every(d => d.ownerGroup === 'p05-11014567')).toBe(true);
  });
});

describe('open', () => {
  it("opens a dataset's volume through the path mapping", async () => {
    const [onDisk] = await scicat.search({ where: { sourceFolder: { $regex: 'R911_04w$' } }, limit: 1 });
    const files = await scicat.files(onDisk.pid);
    expect(files[0].localPath.startsWith(dataRoot)).toBe(true);
    const source = await scicat.open(onDisk.pid);
    expect(source.shape).toEqual([64, 64, 64]);
    await source.close();
    const labels = await scicat.read(onDisk.pid, { file: 'reco/volume.labels.nii.gz' });
    let top = 0;
    for (const v of labels.data) top = Math.max(top, v);
    expect(top).toBe(3);
  });

  it('without a mapping says which folder is missing and how to map it', async () => {
    const unmapped = await catalog.connect({ url: server.url, pathMap: {} });
    const [onDisk] = await scicat.search({ where: { sourceFolder: { $regex: 'R911_04w$' } }, limit: 1 });
    const failure = await unmapped.open(onDisk.pid).catch(e => e);
    expect(failure).toBeInstanceOf(CatalogConfigError);
    expect(failure.message).toMatch(/is not on this machine; set a path mapping/);
  });
});

describe('registerDerived', () => {
  it('records inputs, the model and its sha256, the package version, parameters and metrics, with a thumbnail', async () => {
    const [input] = await scicat.search({ where: { sourceFolder: { $regex: 'R911_04w$' } }, limit: 1 });
    const phantom = await implantPhantom({ size: 16, seed: 3, stage: 4, idealImage: true });
    const out = join(dataRoot, 'p05', 'derived', 'labels.nii.gz');
    mkdirSync(join(dataRoot, 'p05', 'derived'), { recursive: true });
    await write(out, phantom.labels);
    const model = { name: 'sun-implant', version: '1.0.0', sha256: 'c0ffee'.padEnd(64, '0') };
    const created = await scicat.registerDerived({
      inputs: [input.pid],
      outputs: [out],
      model,
      parameters: { axes: 3, voting: 'soft' },
      metrics: { dice: { bone: 0.91 } },
      thumbnail: { image: phantom.image, labels: phantom.labels }
    });
    expect(created.thumbnailAttached).toBe(true);
    expect(created.sourceFolder).toBe(`${server.beamlineRoot}/p05/derived`);
    const stored = await scicat.dataset(created.pid);
    expect(stored.inputDatasets).toEqual([input.pid]);
    expect(stored.usedSoftware).toEqual([`@mdlma/kernel@${KERNEL_PACKAGE_VERSION}`, `model:sun-implant@1.0.0 sha256:${model.sha256}`]);
    expect(stored.jobParameters).toEqual({ axes: 3, voting: 'soft' });
    expect(stored.scientificMetadata).toMatchObject({ model, metrics: { dice: { bone: 0.91 } }, outputs: [{ path: 'labels.nii.gz' }] });
    const [attachment] = await scicat.attachments(created.pid);
    expect(Buffer.from(attachment.thumbnail!.split(',')[1], 'base64').subarray(1, 4).toString()).toBe('PNG');
    const again = await scicat.search({ type: 'derived', where: { inputDatasets: input.pid } });
    expect(again.map(d => d.pid)).toContain(created.pid);
  });
});
