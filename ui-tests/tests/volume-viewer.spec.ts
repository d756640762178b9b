/**
 * A user shows a phantom with labels and confidence in the interactive volume viewer: it
 * renders from the kernel's cached files (also under a JupyterHub base URL), toggling a layer
 * changes the picture, clicking reads the same values the kernel holds, the kernel moves the
 * slices, and re-running the cell does not pile up WebGL contexts.
 */
import type { Page } from '@playwright/test';

import { clickReadout, expect, test } from './fixtures';

const SETUP = [
  'import * as mdlma from "@mdlma/kernel";',
  'const phantom = await mdlma.implantPhantom({ size: 64, seed: 1, stage: 8 });',
  'const image = phantom.image;',
  'const labels = phantom.labels;',
  'const confidence = mdlma.Volume.zeros(image.shape, "float32", { spacing: image.spacing, origin: image.origin });',
  '// Confidence varies along x and with the label, so each voxel has its own triple of values.',
  'confidence.data.forEach((_, i) => (confidence.data[i] = 0.5 + 0.4 * ((i % 64) / 63) + 0.02 * labels.data[i]));'
].join('\n');
// Explicit properties: tslab does not rewrite shorthand properties that name earlier cells' variables.
const SHOW = 'const viewer = await mdlma.show({ image: image, labels: labels, confidence: confidence }, { title: "phantom" });';

// Counts live WebGL contexts: created through getContext, gone when lost (WEBGL_lose_context).
const COUNT_CONTEXTS = () => {
  const w = window as unknown as { __webglLive: number; __webglCreated: number };
  w.__webglLive = 0;
  w.__webglCreated = 0;
  const seen = new WeakSet<object>();
  const original = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, type: string, ...rest: unknown[]) {
    const context = (original as any).call(this, type, ...rest);
    if (context && /webgl/.test(type) && !seen.has(context)) {
      seen.add(context);
      w.__webglLive++;
      w.__webglCreated++;
      this.addEventListener('webglcontextlost', () => w.__webglLive--, { once: true });
    }
    return context;
  } as typeof original;
};

async function showPhantom(page: Page): Promise<void> {
  await page.notebook.createNew('viewer.ipynb', { kernel: 'mdlma' });
  await page.notebook.setCell(0, 'code', SETUP);
  await page.notebook.addCell('code', SHOW);
  await page.notebook.runCell(0, true);
  await page.notebook.runCell(1, true);
  await expect(page.locator('.mdlma-VolumeRenderer')).toHaveAttribute('data-state', 'ready', { timeout: 60000 });
}

/** Pixel statistics of screenshots, decoded in the page: how many pixels are not background, and how many differ between two. */
async function pixelStats(page: Page, png: Buffer, other?: Buffer): Promise<{ lit: number; differ: number }> {
  return page.evaluate(async ([a, b]) => {
    const decode = async (base64: string) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      return context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    };
    const first = await decode(a);
    const second = b ? await decode(b) : undefined;
    let lit = 0;
    let differ = 0;
    for (let i = 0; i < first.length; i += 4) {
      if (first[i] + first[i + 1] + first[i + 2] > 90) lit++; // background is rgb(20, 20, 20)
      if (second && Math.abs(first[i] - second[i]) + Math.abs(first[i + 1] - second[i + 1]) + Math.abs(first[i + 2] - second[i + 2]) > 30) differ++;
    }
    return { lit, differ };
  }, [png.toString('base64'), other?.toString('base64')] as const);
}

/** The last line a cell printed. */
async function cellPrint(page: Page, index: number): Promise<string> {
  const lines = (await page.notebook.getCellTextOutput(index)) ?? [];
  return lines.join('\n').trim().split('\n').pop() ?? '';
}

test('the viewer renders cached layers, toggling a layer changes the picture, and the preview stands in for missing files', async ({ page }) => {
  test.setTimeout(150000);
  await showPhantom(page);
  const renderer = page.locator('.mdlma-VolumeRenderer');
  // Full resolution from the cache files, fetched under this server's base URL (not the embedded preview).
  await expect(renderer).toHaveAttribute('data-level', 'full');
  await expect(renderer.locator('.mdlma-VolumeViewer-legend')).toContainText('degradation layer (DL)');
  const canvas = renderer.locator('canvas');
  await page.mouse.move(0, 0);
  const before = await canvas.screenshot();
  const { lit } = await pixelStats(page, before);
  expect(lit).toBeGreaterThan(5000);

  await renderer.locator('[data-layer="labels"] input[type=checkbox]').uncheck();
  await page.waitForTimeout(300);
  const after = await canvas.screenshot();
  expect((await pixelStats(page, before, after)).differ).toBeGreaterThan(500);

  // Files gone (here: written to another folder than the notebook's): the embedded preview is shown, with a note.
  await page.notebook.addCell('code', 'await mdlma.show({ image: image, labels: labels }, { cache: { root: "/tmp", dir: "/tmp/mdlma-elsewhere" } });');
  await page.notebook.runCell(2, true);
  const fallback = page.locator('.mdlma-VolumeRenderer').nth(1);
  await expect(fallback).toHaveAttribute('data-state', 'ready', { timeout: 60000 });
  await expect(fallback).toHaveAttribute('data-level', 'preview');
  await expect(fallback.locator('.mdlma-VolumeViewer-note')).toContainText('preview embedded in the notebook');
  expect((await pixelStats(page, await fallback.locator('canvas').screenshot())).lit).toBeGreaterThan(5000);
});

// The kernel link does not depend on the base URL; once is enough on a 2-core machine.
test.describe('kernel link @root-only', () => {

  test('clicking reads the kernel values of that voxel; setSlice from the kernel moves the view', async ({ page }) => {
    test.setTimeout(150000);
    await showPhantom(page);
    const renderer = page.locator('.mdlma-VolumeRenderer');
    await expect(renderer).toHaveAttribute('data-link', 'open');
    const { voxel, shown } = await clickReadout(page, renderer, -25, 30);
    const canvas = renderer.locator('canvas');
    const readout = renderer.locator('.mdlma-VolumeViewer-readout');

    await page.notebook.addCell('code', [
      'const c = viewer.crosshair!;',
      'const i = image.index(...c.voxel);',
      'console.log(JSON.stringify({ voxel: c.voxel, image: image.data[i], labels: labels.data[i], confidence: confidence.data[i] }));'
    ].join('\n'));
    await page.notebook.runCell(2, true);
    const kernel = JSON.parse(await cellPrint(page, 2));
    expect(kernel.voxel).toEqual(voxel);
    expect(shown.image).toBeCloseTo(kernel.image, 3);
    expect(shown.labels).toBe(kernel.labels);
    expect(shown.confidence).toBeCloseTo(kernel.confidence, 5);

    await page.mouse.move(0, 0);
    const before = await canvas.screenshot();
    await page.notebook.addCell('code', 'viewer.setSlice([12, 20, 40]);');
    await page.notebook.runCell(3, true);
    await expect(readout).toHaveAttribute('data-voxel', '12,20,40');
    await page.waitForTimeout(300);
    expect((await pixelStats(page, before, await canvas.screenshot())).differ).toBeGreaterThan(200);
  });

  test('re-running the cell 30 times leaves one live WebGL context', async ({ page }, testInfo) => {
    test.setTimeout(180000);
    await page.addInitScript(COUNT_CONTEXTS);
    await page.reload();
    await showPhantom(page);
    // Ctrl+Enter 30 times as a user would: executions queue up, outputs replace each other, and
    // some viewers are disposed while niivue is still starting.
    await page.notebook.selectCells(1);
    for (let run = 0; run < 30; run++) {
      await page.keyboard.press('Control+Enter');
      await page.waitForTimeout(150);
    }
    await page.notebook.addCell('code', 'console.log("after the re-runs");');
    await page.notebook.runCell(2, true); // queued behind the 30 runs
    await expect.poll(() => cellPrint(page, 2), { timeout: 120000 }).toBe('after the re-runs');
    // Cell 0 ran once, cell 1 once in showPhantom and 30 times here.
    await expect(page.locator('.jp-Cell').nth(1).locator('.jp-InputPrompt')).toContainText('[32]');
    await expect(page.locator('.mdlma-VolumeRenderer')).toHaveAttribute('data-state', 'ready', { timeout: 60000 });
    const visible = await page.locator('.mdlma-VolumeRenderer canvas').count();
    expect(visible).toBe(1);
    await expect.poll(() => page.evaluate(() => (window as any).__webglLive), { timeout: 20000 }).toBeLessThanOrEqual(visible);
    const created = await page.evaluate(() => (window as any).__webglCreated);
    testInfo.annotations.push({ type: 'webgl', description: `${created} contexts created, 1 live` });
    expect(created).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => (window as any).__mdlmaViewerContexts)).toBe(visible);
  });
});
