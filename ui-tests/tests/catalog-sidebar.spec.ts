/**
 * A user browses SciCat from the left sidebar: sets the URL in the settings, logs in, searches with filters, pages,
 * opens a dataset, and "Open in notebook" adds a cell that opens and shows the scan with the MDLMA kernel. The
 * dataset whose name and metadata carry <img onerror> and <script> renders as text; a token that expires mid-session
 * brings back the login form, not a stack trace.
 *
 * SciCat is the contract server (tests/scicat/contract_server.py, tests only), started here. The kernel gets its
 * token from the catalog config file that playwright.config.js points MDLMA_CATALOG_CONFIG at (written below,
 * mode 0600): the token never enters a cell, and the developer's own ~/.config/mdlma is left alone.
 */
import type { Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { createInterface } from 'readline';

import { expect, test } from './fixtures';

const REPO = resolve(__dirname, '..', '..');
const PLUGIN = '@mdlma/labextension:catalog-sidebar';
const XSS_NAME = '<img src=x onerror="window.__mdlmaXss=1"> <script>window.__mdlmaXss=2</script> P05 XSS probe';

interface Scicat {
  url: string;
  dataRoot: string;
  beamlineRoot: string;
  /** The long-lived token the kernel reads from the config file. */
  kernelToken: string;
  process: ChildProcess;
}

let scicat: Scicat;

test.beforeAll(async () => {
  const kernelToken = randomBytes(24).toString('base64url');
  const dataRoot = join(tmpdir(), 'mdlma-ui-scicat-data'); // phantoms are written once and reused
  const child = spawn(join(REPO, '.venv', 'bin', 'python'), [join(REPO, 'tests', 'scicat', 'contract_server.py'), '--port', '0', '--data-root', dataRoot, '--token', kernelToken], {
    stdio: ['ignore', 'pipe', 'inherit']
  });
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', code => fail(new Error(`the contract server exited with ${code}`)));
  });
  const info = JSON.parse(line) as { url: string; dataRoot: string; beamlineRoot: string };
  scicat = { ...info, kernelToken, process: child };
  const config = process.env.MDLMA_CATALOG_CONFIG!;
  mkdirSync(dirname(config), { recursive: true, mode: 0o700 });
  writeFileSync(config, JSON.stringify({ servers: { [info.url]: { token: kernelToken } } }), { mode: 0o600 });
  chmodSync(config, 0o600);
});

test.afterAll(() => {
  scicat?.process.kill('SIGTERM');
});

const sidebar = (page: Page) => page.locator('#mdlma-catalog-sidebar');
const rows = (page: Page) => sidebar(page).locator('.mdlma-CatalogResults-row');
const position = (page: Page) => sidebar(page).locator('.mdlma-CatalogResults-position');

/** Opens the sidebar and sets the URL and path mapping as the Settings Editor would (the setting registry). */
async function openSidebar(page: Page): Promise<void> {
  await page.locator(`.jp-SideBar .lm-TabBar-tab[data-id="mdlma-catalog-sidebar"]`).click();
  await page.evaluate(
    async ({ plugin, url, pathMap }) => {
      const registry = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
      await registry.set(plugin, 'pathMap', pathMap);
      await registry.set(plugin, 'url', url);
    },
    { plugin: PLUGIN, url: scicat.url, pathMap: { [scicat.beamlineRoot]: scicat.dataRoot } }
  );
  await expect(sidebar(page).locator('input[name=url]')).toHaveValue(scicat.url);
}

async function logIn(page: Page): Promise<void> {
  await sidebar(page).locator('input[name=username]').fill('mdlma');
  await sidebar(page).locator('input[name=password]').fill('mdlma-pass');
  await sidebar(page).getByRole('button', { name: 'Log in' }).click();
}

/** Fills the filters and searches. */
async function search(page: Page, filters: Record<string, string>, text = ''): Promise<void> {
  const details = sidebar(page).locator('.mdlma-CatalogSearch-filters');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  await sidebar(page).getByRole('button', { name: 'Clear filters' }).click();
  for (const [name, value] of Object.entries(filters)) {
    const field = sidebar(page).locator(`[name=${name}]`);
    if (name === 'type') await field.selectOption(value);
    else await field.fill(value);
  }
  await sidebar(page).locator('input[name=text]').fill(text);
  await sidebar(page).getByRole('button', { name: 'Search', exact: true }).click();
}

test('log in, search with filters, page, view a dataset, open it in a notebook; markup from the catalog stays text', async ({ page, request, baseURL, tmpPath }) => {
  test.setTimeout(180000);
  await page.notebook.createNew('catalog.ipynb', { kernel: 'mdlma' });
  await openSidebar(page);
  // Awaited rather than read in a response listener, whose body read could still be pending when the rows show.
  const loggedIn = page.waitForResponse(response => response.url().endsWith('/api/v3/auth/login') && response.status() === 201);
  await logIn(page);
  const sessionToken: string = (await (await loggedIn).json()).access_token;
  expect(sessionToken).toMatch(/\S{16,}/);
  await expect(sidebar(page)).toHaveAttribute('data-state', 'results');
  await expect(rows(page)).toHaveCount(10);

  // Filters: raw P05 scans (v4 with a count), then 8 weeks after implantation (scientific metadata: fullquery).
  await search(page, { type: 'raw', beamline: 'P05' });
  await expect(position(page)).toHaveText(/^Page 1 of \d+ \(\d+ datasets\)$/);
  const total = Number(/\((\d+) datasets\)/.exec((await position(page).textContent())!)![1]);
  expect(total).toBeGreaterThan(100); // six in seven of the 300 raw datasets are from P05 (seed.py)
  expect(total).toBeLessThan(300);
  for (const details of await rows(page).locator('.mdlma-CatalogResults-details').allTextContents()) expect(details).toMatch(/^raw · .* · P05/);
  const firstPage = await rows(page).evaluateAll(nodes => nodes.map(n => (n as HTMLElement).dataset.pid));
  await sidebar(page).getByRole('button', { name: 'Next ›' }).click();
  await expect(position(page)).toHaveText(/^Page 2 of /);
  const secondPage = await rows(page).evaluateAll(nodes => nodes.map(n => (n as HTMLElement).dataset.pid));
  expect(secondPage.filter(pid => firstPage.includes(pid))).toEqual([]);
  await expect(rows(page).first().locator('img')).toHaveAttribute('src', /^data:image\/png;base64,/);

  await search(page, { type: 'raw', beamline: 'P05', metadataKey: 'healingTime', metadataValue: '8' });
  await expect(position(page)).toHaveText('Page 1');
  for (const name of await rows(page).locator('.mdlma-CatalogResults-name').allTextContents()) expect(name).toMatch(/^P05 .* 08 weeks SRµCT$/);

  // The XSS probe: its name and metadata render as text, and none of its scripts runs.
  await search(page, {}, 'probe');
  await expect(rows(page).locator('.mdlma-CatalogResults-name')).toHaveText([XSS_NAME]);
  await rows(page).first().click();
  await expect(sidebar(page)).toHaveAttribute('data-state', 'dataset');
  await expect(sidebar(page).locator('.mdlma-CatalogDataset-name')).toHaveText(XSS_NAME);
  await expect(sidebar(page).locator('.mdlma-CatalogDataset')).toContainText('xss: <img src=x onerror="window.__mdlmaXss=4">');
  await expect(sidebar(page).locator('.mdlma-CatalogDataset')).toContainText('<script>window.__mdlmaXss=3</script> metadata with markup');
  await page.waitForTimeout(500); // an injected <img src=x> would have failed to load by now
  expect(await page.evaluate(() => (window as any).__mdlmaXss)).toBeUndefined();
  await expect(sidebar(page).locator('script, img[src="x"], [onerror]')).toHaveCount(0);

  // The scan of sample R911 is on disk: view it, then open it in the notebook.
  await sidebar(page).getByRole('button', { name: '‹ Results' }).click();
  await search(page, { sample: 'R911' });
  await expect(rows(page)).toHaveCount(1);
  await rows(page).first().click();
  await expect(sidebar(page).locator('.mdlma-CatalogDataset-files')).toContainText('reco/volume.nii.gz');
  await expect(sidebar(page).locator('.mdlma-CatalogDataset')).toContainText('healingTime: 4 weeks');
  await expect(sidebar(page).locator('.mdlma-CatalogDataset-attachments figcaption')).toHaveText('Central slice, R911, 4 weeks');
  await expect(sidebar(page).locator('.mdlma-CatalogDataset-section', { hasText: 'Input datasets' })).toContainText('none (a raw dataset)');
  const pid = (await sidebar(page).locator('.mdlma-CatalogDataset-fields dd').first().textContent())!;
  await sidebar(page).getByRole('button', { name: 'Open in notebook' }).click();
  await expect(sidebar(page).locator('.mdlma-CatalogDataset-status')).toHaveText(/^Added a cell to .*catalog\.ipynb; run it with Shift\+Enter\.$/);
  const code = (await page.notebook.getCellTextInput(0)) ?? '';
  expect(code).toContain(`scicat.open(${JSON.stringify(pid)})`);
  expect(code).not.toContain(scicat.kernelToken);
  expect(code).not.toContain(sessionToken);
  await page.notebook.runCell(0, true);
  await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);
  await expect(page.locator('.mdlma-VolumeRenderer')).toHaveAttribute('data-state', 'ready', { timeout: 60000 });

  // Neither token is in the saved notebook, the settings or the browser's storage.
  await page.notebook.save();
  const saved = await request.get(`${baseURL}/api/contents/${tmpPath}/catalog.ipynb?content=1`);
  expect(saved.ok()).toBe(true);
  const notebook = await saved.text();
  expect(notebook).toContain('scicat.open(');
  for (const token of [scicat.kernelToken, sessionToken]) expect(notebook).not.toContain(token);
  const stored = await page.evaluate(async plugin => {
    const registry = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
    return JSON.stringify([(await registry.get(plugin, 'url')).composite, (await registry.load(plugin)).raw, { ...localStorage }, { ...sessionStorage }]);
  }, PLUGIN);
  expect(stored).toContain(scicat.url);
  expect(stored).not.toContain(sessionToken);
});

// Only SciCat and the sidebar take part (no Jupyter URL): the base URL project would repeat the same requests.
test('a token that expires mid-session brings back the login form; after logging in the page it asked for shows @root-only', async ({ page }) => {
  await openSidebar(page);
  await logIn(page);
  await expect(sidebar(page)).toHaveAttribute('data-state', 'results');
  const expired = await page.request.post(`${scicat.url}/__contract__/expire-tokens`, { data: {} });
  expect(expired.ok()).toBe(true);
  await sidebar(page).getByRole('button', { name: 'Next ›' }).click();
  await expect(sidebar(page)).toHaveAttribute('data-state', 'auth');
  await expect(sidebar(page).locator('.mdlma-CatalogLogin-message')).toHaveText(/\(401\).*Log in again to continue\./);
  await expect(sidebar(page)).not.toContainText(/at \S+\.js:\d+/); // no stack trace
  await expect(sidebar(page).locator('input[name=username]')).toHaveValue('mdlma');
  await sidebar(page).locator('input[name=password]').fill('mdlma-pass');
  await sidebar(page).getByRole('button', { name: 'Log in' }).click();
  await expect(sidebar(page)).toHaveAttribute('data-state', 'results');
  await expect(position(page)).toHaveText(/^Page 2 of /);
});
