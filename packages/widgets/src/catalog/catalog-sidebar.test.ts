/**
 * @jest-environment ./jest.jsdom-fetch.js
 *
 * The sidebar against the real SciCat contract server (tests/scicat/contract_server.py): log in, search with
 * filters, page, open a dataset, and each failure state (empty, 401 then log in again, 403, 5xx, offline). The
 * XSS dataset's markup stays text.
 */
import { Widget } from '@lumino/widgets';
import { startContractServer, type ContractServer } from '@mdlma/kernel-fixtures/catalog/contract';

import { CatalogSidebar } from './catalog-sidebar';

jest.setTimeout(30000);

let server: ContractServer;
beforeAll(async () => {
  server = await startContractServer({ count: 120 });
});
afterAll(() => server?.stop());
afterEach(() => server.control('reset', {}));

/** A sidebar in the document, drawn, with what it inserted and copied. */
async function sidebarFor(url: string, options: Partial<CatalogSidebar.IOptions> = {}) {
  const inserted: string[] = [];
  const copied: string[] = [];
  const sidebar = new CatalogSidebar({
    url,
    insertCell: code => {
      inserted.push(code);
      return 'Inserted into Untitled.ipynb';
    },
    copy: text => void copied.push(text),
    retries: 0,
    ...options
  });
  Widget.attach(sidebar, document.body);
  // React draws the views after they are attached.
  await until(() => !!sidebar.node.querySelector('.mdlma-CatalogLogin form') && !!sidebar.node.querySelector('.mdlma-CatalogSearch-form'));
  return { sidebar, inserted, copied, node: sidebar.node };
}

const $ = (node: HTMLElement, selector: string) => node.querySelector<HTMLElement>(selector)!;
const rows = (node: HTMLElement) => [...node.querySelectorAll<HTMLElement>('.mdlma-CatalogResults-row')];
const visible = (node: HTMLElement, selector: string) => !$(node, selector).classList.contains('lm-mod-hidden');

async function fillLogin(node: HTMLElement, username: string, password: string) {
  ($(node, 'input[name=username]') as HTMLInputElement).value = username;
  ($(node, 'input[name=password]') as HTMLInputElement).value = password;
  submit($(node, '.mdlma-CatalogLogin form'));
}

/** Submits a form as the browser does (its submit event bubbles, to where React listens). */
function submit(form: HTMLElement): void {
  form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
}

/** Waits until `check` holds (React draws a view's new text after the action that changed it). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise(r => setTimeout(r, 25));
}

/** Waits until the sidebar settles in one of the states. */
async function settled(sidebar: CatalogSidebar, ...states: string[]): Promise<void> {
  for (let i = 0; i < 400 && !states.includes(sidebar.state); i++) await new Promise(r => setTimeout(r, 25));
  expect(states).toContain(sidebar.state);
}

/** Waits until every result row shows its thumbnail. */
async function thumbnailsLoaded(node: HTMLElement): Promise<void> {
  const loaded = () => node.querySelectorAll('.mdlma-CatalogResults-thumbnail[src^="data:image/png;base64,"]').length;
  for (let i = 0; i < 200 && loaded() < rows(node).length; i++) await new Promise(r => setTimeout(r, 25));
  expect(loaded()).toBe(rows(node).length);
}

afterEach(() => {
  for (const node of [...document.body.children]) node.remove();
});

it('logs in, searches with filters, pages, and opens a dataset with its files, attachments and links', async () => {
  const { sidebar, node, inserted, copied } = await sidebarFor(server.url, { pathMap: { [server.beamlineRoot]: '/data/beamline' } });
  expect(sidebar.state).toBe('login');
  await fillLogin(node, 'mdlma', 'wrong');
  await new Promise(r => setTimeout(r, 300));
  expect($(node, '.mdlma-CatalogLogin-message').textContent).toBe('SciCat did not accept this username and password (401).');
  expect(sidebar.loggedIn).toBe(false);

  await sidebar.login({ url: server.url, username: 'mdlma', password: 'mdlma-pass' });
  expect(sidebar.state).toBe('results');
  expect(rows(node)).toHaveLength(10);
  expect($(node, '.mdlma-CatalogSidebar-user').textContent).toContain('mdlma @ 127.0.0.1');
  expect(($(node, 'input[name=password]') as HTMLInputElement).value).toBe('');

  // Filters: P07 raw scans, newest first; the pager counts them.
  ($(node, 'select[name=type]') as HTMLSelectElement).value = 'raw';
  ($(node, 'input[name=beamline]') as HTMLInputElement).value = 'P07';
  submit($(node, '.mdlma-CatalogSearch-form'));
  await settled(sidebar, 'results');
  const firstPage = rows(node).map(r => r.dataset.pid);
  expect(rows(node).every(r => /^raw · .* · P07/.test($(r, '.mdlma-CatalogResults-details').textContent!))).toBe(true);
  const count = Math.ceil(120 / 7); // every seventh raw dataset is from P07 (seed.py)
  expect($(node, '.mdlma-CatalogResults-position').textContent).toBe(`Page 1 of ${Math.ceil(count / 10)} (${count} datasets)`);
  $(node, '.mdlma-CatalogResults-next').click();
  await settled(sidebar, 'loading');
  await settled(sidebar, 'results');
  expect($(node, '.mdlma-CatalogResults-position').textContent).toMatch(/^Page 2 of/);
  expect(rows(node).map(r => r.dataset.pid).some(pid => firstPage.includes(pid))).toBe(false);
  await thumbnailsLoaded(node);

  // A raw dataset with a derived one: every fifth raw dataset was segmented (seed.py); seed index 0 is the oldest.
  await sidebar.search({ type: 'raw' }, 'oldest');
  rows(node)[0].click();
  await settled(sidebar, 'dataset');
  expect(visible(node, '.mdlma-CatalogDataset')).toBe(true);
  expect($(node, '.mdlma-CatalogDataset-files').textContent).toMatch(/reco\/volume\.nii\.gz\d+(\.\d)? GiB/);
  expect($(node, '.mdlma-CatalogDataset-attachments figcaption').textContent).toMatch(/^Central slice, /);
  expect(node.textContent).toContain('healingTime: 4 weeks');
  const raw = sidebar.node.querySelector<HTMLElement>('.mdlma-CatalogDataset-fields dd')!.textContent!;
  $(node, '.mdlma-CatalogDataset-copy').click();
  await until(() => $(node, '.mdlma-CatalogDataset-status').textContent !== '');
  expect(copied).toEqual([raw]);
  expect($(node, '.mdlma-CatalogDataset-status').textContent).toBe(`Copied the PID ${raw}.`);
  $(node, '.mdlma-CatalogDataset-open').click();
  await new Promise(r => setTimeout(r, 0));
  expect(inserted).toHaveLength(1);
  expect(inserted[0]).toContain(`scicat.open(${JSON.stringify(raw)})`);
  expect(inserted[0]).toContain(`pathMap: {${JSON.stringify(server.beamlineRoot)}:"/data/beamline"}`);
  // Follow the link to the derived dataset, and back to its input.
  $(node, '.mdlma-CatalogDataset-link').click();
  await settled(sidebar, 'loading');
  await settled(sidebar, 'dataset');
  expect($(node, '.mdlma-CatalogDataset-name').textContent).toMatch(/^SUN segmentation of /);
  $(node, '.mdlma-CatalogDataset-link').click();
  await settled(sidebar, 'loading');
  await settled(sidebar, 'dataset');
  expect($(node, '.mdlma-CatalogDataset-fields dd').textContent).toBe(raw);
});

it('keeps the token out of the page, shows an empty search as such, and renders the XSS dataset as text', async () => {
  const login = await fetch(`${server.url}/api/v3/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'mdlma', password: 'mdlma-pass' }) });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const { sidebar, node } = await sidebarFor(server.url);
  ($(node, '.mdlma-CatalogLogin-mode') as HTMLSelectElement).value = 'token';
  $(node, '.mdlma-CatalogLogin-mode').dispatchEvent(new Event('change', { bubbles: true }));
  ($(node, 'input[name=token]') as HTMLInputElement).value = token;
  submit($(node, '.mdlma-CatalogLogin form'));
  await settled(sidebar, 'results');
  expect(($(node, 'input[name=token]') as HTMLInputElement).value).toBe('');
  expect(document.documentElement.outerHTML).not.toContain(token);
  expect(JSON.stringify({ ...window.localStorage })).not.toContain(token);

  await sidebar.search({ sample: 'NO-SUCH-SAMPLE' });
  expect(sidebar.state).toBe('empty');
  expect($(node, '.mdlma-CatalogState[data-state=empty]').textContent).toMatch(/No datasets match/);

  await sidebar.search({ text: 'probe' });
  const [row] = rows(node);
  expect($(row, '.mdlma-CatalogResults-name').textContent).toBe('<img src=x onerror="window.__mdlmaXss=1"> <script>window.__mdlmaXss=2</script> P05 XSS probe');
  row.click();
  await settled(sidebar, 'dataset');
  expect(node.textContent).toContain('<script>window.__mdlmaXss=3</script> metadata with markup');
  expect(node.textContent).toContain('xss: <img src=x onerror="window.__mdlmaXss=4">');
  expect(node.querySelectorAll('script, [onerror], img[src=x]')).toHaveLength(0);
  expect((window as unknown as { __mdlmaXss?: number }).__mdlmaXss).toBeUndefined();
});

it('takes the URL from the login form when the settings have none, and hands it over to be saved', async () => {
  const saved: string[] = [];
  const { sidebar, node } = await sidebarFor('', { onUrlChange: url => saved.push(url) });
  await fillLogin(node, 'mdlma', 'mdlma-pass');
  await new Promise(r => setTimeout(r, 50));
  expect($(node, '.mdlma-CatalogLogin-message').textContent).toMatch(/^Enter the SciCat URL first/);
  ($(node, 'input[name=url]') as HTMLInputElement).value = `${server.url}/api/v3/`;
  await fillLogin(node, 'mdlma', 'mdlma-pass');
  await settled(sidebar, 'results');
  expect(saved).toEqual([server.url]); // normalised: no /api/v3
  expect(sidebar.url).toBe(server.url);
});

it('asks to log in again after a 401 mid-session and then shows the page it was asked for', async () => {
  const { sidebar, node } = await sidebarFor(server.url);
  await sidebar.login({ url: server.url, username: 'mdlma', password: 'mdlma-pass' });
  await server.control('expire-tokens', {});
  $(node, '.mdlma-CatalogResults-next').click();
  await settled(sidebar, 'auth');
  expect(visible(node, '.mdlma-CatalogLogin')).toBe(true);
  expect($(node, '.mdlma-CatalogLogin-message').textContent).toMatch(/\(401\).*Log in again/);
  expect(node.textContent).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  expect(($(node, 'input[name=username]') as HTMLInputElement).value).toBe('mdlma');
  ($(node, 'input[name=password]') as HTMLInputElement).value = 'mdlma-pass';
  submit($(node, '.mdlma-CatalogLogin form'));
  await settled(sidebar, 'results');
  expect($(node, '.mdlma-CatalogResults-position').textContent).toMatch(/^Page 2 of/);
});

it('says 403 when the user may not read a dataset', async () => {
  const { sidebar: owner } = await sidebarFor(server.url);
  await owner.login({ url: server.url, username: 'mdlma', password: 'mdlma-pass' });
  await owner.search({ where: { isPublished: false } });
  const unpublished = rows(owner.node)[0].dataset.pid!;
  // The outsider's groups own nothing: only published datasets are theirs to read.
  const { sidebar, node } = await sidebarFor(server.url);
  await sidebar.login({ url: server.url, username: 'outsider', password: 'outsider-pass' });
  await sidebar.openDataset(unpublished);
  expect(sidebar.state).toBe('forbidden');
  expect($(node, '.mdlma-CatalogState[data-state=forbidden]').textContent).toMatch(/No access.*\(403\)/);
});

it('says when SciCat fails (5xx) and lets the user try again', async () => {
  const { sidebar, node } = await sidebarFor(server.url, { retries: 1 });
  await sidebar.login({ url: server.url, username: 'mdlma', password: 'mdlma-pass' });
  await thumbnailsLoaded(node); // they would take the failures meant for the search
  await server.control('fail', { status: 500, count: 4 }); // the search's find and count, each tried twice
  await sidebar.search({ beamline: 'P05' });
  expect(sidebar.state).toBe('server');
  expect($(node, '.mdlma-CatalogState[data-state=server]').textContent).toMatch(/SciCat failed.*server error \(500, 2 attempts\)/);
  $(node, '.mdlma-CatalogSidebar-retry').click();
  await settled(sidebar, 'loading');
  await settled(sidebar, 'results');
  expect(rows(node)).toHaveLength(10);
});

it('says when SciCat is offline, at login and mid-session', async () => {
  const { sidebar, node } = await sidebarFor('http://127.0.0.1:9');
  await fillLogin(node, 'mdlma', 'mdlma-pass');
  expect(sidebar.loggedIn).toBe(false);
  for (let i = 0; i < 100 && !/not reachable|No answer/.test($(node, '.mdlma-CatalogLogin-message').textContent!); i++) await new Promise(r => setTimeout(r, 25));
  expect($(node, '.mdlma-CatalogLogin-message').textContent).toMatch(/^No answer from http:\/\/127\.0\.0\.1:9: could not connect/);

  const small = await startContractServer({ count: 12 });
  const other = await sidebarFor(small.url);
  await other.sidebar.login({ url: small.url, username: 'mdlma', password: 'mdlma-pass' });
  await small.stop();
  await other.sidebar.search({ type: 'raw' });
  expect(other.sidebar.state).toBe('offline');
  expect($(other.node, '.mdlma-CatalogState[data-state=offline]').textContent).toMatch(/not reachable.*Check your network/);
  expect($(other.node, '.mdlma-CatalogSidebar-retry')).not.toBeNull();
});
