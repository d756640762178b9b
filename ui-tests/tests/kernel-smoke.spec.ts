/**
 * A user opens a notebook on the MDLMA kernel, runs a cell and sees a progress bar and a
 * Vega-Lite plot; the extension's comm round trip to the kernel succeeds.
 */
import { expect, test } from './fixtures';

const CELL = [
  'import { progressBar, plot } from "@mdlma/kernel";',
  'const bar = progressBar({ total: 5, label: "Segmenting slabs", minIntervalMs: 0 });',
  'for (let i = 0; i < 5; i++) { await new Promise(r => setTimeout(r, 20)); bar.tick(); }',
  'bar.done();',
  'await plot({',
  '  title: "Dice per round",',
  '  data: { values: [{ round: 1, dice: 0.61 }, { round: 2, dice: 0.78 }, { round: 3, dice: 0.86 }] },',
  '  mark: { type: "line", point: true },',
  '  encoding: { x: { field: "round", type: "ordinal" }, y: { field: "dice", type: "quantitative" } }',
  '});'
].join('\n');

test('a cell on the MDLMA kernel shows a progress bar and a Vega-Lite plot, and comms work', async ({ page }) => {
  await page.notebook.createNew('smoke.ipynb', { kernel: 'mdlma' });
  await page.notebook.setCell(0, 'code', CELL);
  await page.notebook.runCell(0, true);

  const output = page.locator('.jp-OutputArea-output').first();
  const progress = page.locator('.mdlma-progress');
  await expect(progress).toContainText('Segmenting slabs');
  await expect(progress).toContainText('100% 5/5');
  await expect(progress.locator('progress')).toHaveAttribute('value', '5');

  // JupyterLab's own Vega renderer draws the plot (a canvas or SVG inside .vega-embed).
  const vega = page.locator('.vega-embed');
  await expect(vega).toBeVisible();
  await expect(vega.locator('canvas, svg').first()).toBeVisible();
  await expect(output).toBeVisible();

  // The status bar item opened a comm to the kernel's echo target and got its buffer back.
  const status = page.locator('.mdlma-CommStatus');
  await expect(status).toHaveAttribute('data-state', 'ok');
  await expect(status).toHaveText(/MDLMA comms ✓ \d+ ms/);
});
