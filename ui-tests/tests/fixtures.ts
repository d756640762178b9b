/**
 * Galata's test object with a `tmpPath` that honours the server's base URL: galata's own
 * creates the test folder at /api/contents even when JupyterLab lives under /user/<name>/.
 */
import { expect, test as galataTest } from '@jupyterlab/galata';

export { expect };

export const test = galataTest.extend({
  tmpPath: async ({ request, baseURL }, use, testInfo) => {
    const slug = testInfo.titlePath.slice(1).join('-').replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60);
    const folder = `${slug}-${testInfo.project.name}-${Date.now().toString(36)}`;
    const url = `${baseURL}/api/contents/${encodeURIComponent(folder)}`;
    const created = await request.put(url, { data: { type: 'directory' } });
    expect(created.status(), `creating ${url}`).toBe(201);
    await use(folder);
  }
});
