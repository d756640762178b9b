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

/**
 * In a volume output, switches to the axial layout, clicks (dx, dy) pixels off the canvas centre and returns what
 * the crosshair readout shows: the voxel and the layer values there.
 */
export async function clickReadout(
  page: import('@playwright/test').Page,
  renderer: import('@playwright/test').Locator,
  dx: number,
  dy: number
): Promise<{ voxel: number[]; shown: any }> {
  await renderer.locator('select.mdlma-VolumeViewer-layout').selectOption('axial');
  const box = (await renderer.locator('canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
  const readout = renderer.locator('.mdlma-VolumeViewer-readout');
  await expect(readout).toHaveAttribute('data-voxel', /\d+,\d+,\d+/);
  const voxel = (await readout.getAttribute('data-voxel'))!.split(',').map(Number);
  const shown = JSON.parse((await readout.getAttribute('data-values'))!);
  return { voxel, shown };
}
