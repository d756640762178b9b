/**
 * An expert annotates a suggested slice in the annotation panel (issue 6): a cell opens the panel beside the
 * notebook on a small phantom, brush strokes (niivue's pen with the panel's round brush) on the first suggested slice
 * reach the kernel's annotation replica within a second, undo and redo act there too, the fill tool floods a region,
 * "Export NIfTI" has the kernel write `<session>.labels.nii.gz`, and after a page reload the strokes are still in the
 * panel and in the `.annot.yjs` file the kernel keeps next to the notebook. In a 1024 px wide window the slice canvas
 * fits the panel (opened beside the notebook) and follows it when the window grows; strokes and clicks reach across
 * the canvas's whole width.
 */
import type { Locator, Page } from '@playwright/test';

import { expect, test } from './fixtures';

const SETUP = [
  'import * as mdlma from "@mdlma/kernel";',
  'const phantom = await mdlma.implantPhantom({ size: 48, seed: 3, stage: 4 });',
  'const al = await mdlma.activeLearning({ volume: phantom.image, model: "sun-implant", strategy: "entropy", axis: "z", name: "ui-annot", threads: 1 });',
  'mdlma.openAnnotationPanel(al, { suggestions: 4 });'
].join('\n');
// Label 2 (degradation layer) voxels in the kernel's replica, and in a store read back from the persisted log.
const COUNT = 'console.log(al.store.labels().filter(v => v === 2).length)';
const COUNT_FILE = 'console.log(mdlma.AnnotationStore.load("ui-annot.annot.yjs", { shape: [48, 48, 48], classes: 4 }).labels().filter(v => v === 2).length)';
// Label 3 (residual material) voxels in the kernel's replica, and in the exported NIfTI labels if the file is there.
const COUNT_FILL = 'console.log(al.store.labels().filter(v => v === 3).length)';
const EXPORTED = 'console.log(require("fs").existsSync("ui-annot.labels.nii.gz") ? `true ${(await mdlma.read("ui-annot.labels.nii.gz")).data.filter(v => v === 3).length}` : "false")';

/** The last line a cell printed, after running it (the notebook tab is activated first: the panel takes focus). */
async function run(page: Page, index: number): Promise<string> {
  await page.activity.activateTab('annotate.ipynb');
  await page.notebook.runCell(index, true);
  const lines = (await page.notebook.getCellTextOutput(index)) ?? [];
  return lines.join('\n').trim().split('\n').pop() ?? '';
}

/** Drags the brush across the canvas at a height (0..1 of the canvas). */
async function drag(page: Page, fromX: number, toX: number, atY: number): Promise<void> {
  const box = (await page.locator('.mdlma-AnnotationPanel-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * fromX, box.y + box.height * atY);
  await page.mouse.down();
  for (let k = 1; k <= 8; k++) await page.mouse.move(box.x + box.width * (fromX + ((toX - fromX) * k) / 8), box.y + box.height * atY);
  await page.mouse.up();
}

/** Checks that the panel's canvas lies inside the panel and fills the space it has in one direction; returns its width. */
async function expectCanvasFits(panel: Locator): Promise<number> {
  const canvas = (await panel.locator('canvas').boundingBox())!;
  const box = (await panel.boundingBox())!;
  expect(canvas.x).toBeGreaterThanOrEqual(box.x);
  expect(canvas.y).toBeGreaterThanOrEqual(box.y);
  expect(canvas.x + canvas.width).toBeLessThanOrEqual(box.x + box.width);
  expect(canvas.y + canvas.height).toBeLessThanOrEqual(box.y + box.height);
  // The stage takes the whole width or height of its area (less its 1 px border), at the slice's aspect (square here).
  const area = (await panel.locator('[data-part="canvas-area"]').boundingBox())!;
  expect(Math.max(canvas.width / (area.width - 2), canvas.height / (area.height - 2))).toBeGreaterThan(0.98);
  expect(Math.abs(canvas.width - canvas.height)).toBeLessThanOrEqual(1);
  return canvas.width;
}

/** A click at a point of the canvas (0..1 of its width and height). */
async function click(page: Page, atX: number, atY: number): Promise<void> {
  const box = (await page.locator('.mdlma-AnnotationPanel-canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width * atX, box.y + box.height * atY);
}

// One server suffices: the panel's requests are comm messages and its file is written by the kernel, neither of
// which depends on the base URL (the hub-base-url project covers the viewer's file URLs).
test('strokes on a suggested slice reach the kernel, undo and redo there, fill and NIfTI export work, and all survive a reload @root-only', async ({ page, tmpPath }) => {
  test.setTimeout(180000);
  // A laptop-sized window (galata's default, stated here since the layout depends on it): the panel gets about half.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.notebook.createNew('annotate.ipynb', { kernel: 'mdlma' });
  await page.notebook.setCell(0, 'code', SETUP);
  await page.notebook.addCell('code', COUNT);
  await page.notebook.addCell('code', COUNT_FILE);
  await page.notebook.addCell('code', COUNT_FILL);
  await page.notebook.addCell('code', EXPORTED);
  await page.notebook.runCell(0, true);

  const panel = page.locator('.mdlma-AnnotationPanel');
  await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: 60000 });
  const queue = panel.locator('.mdlma-AnnotationPanel-queue li');
  await expect(queue).toHaveCount(4);
  await expect(queue.first().locator('.mdlma-AnnotationPanel-score')).toHaveText(/^\d\.\d{3}$/);
  // The panel opens on the first suggestion, with the image and prediction loaded.
  const first = { axis: await queue.first().getAttribute('data-axis'), slice: await queue.first().getAttribute('data-slice') };
  await expect(panel).toHaveAttribute('data-slice', first.slice!);
  await expect(panel.locator('canvas')).toHaveAttribute('data-loaded', 'true');
  // The slice editor is niivue (SwiftShader WebGL2 here), not the 2D canvas fallback.
  await expect(panel.locator('canvas')).toHaveAttribute('data-renderer', 'niivue');
  // The palette holds the model card's classes.
  await expect(panel.locator('[data-part="palette"] button')).toHaveText([/background/, /bone/, /degradation layer/, /residual material/]);
  // The canvas fits the panel beside the notebook: none of it is cut off, so all of it can be painted.
  const narrow = await expectCanvasFits(panel);

  // Label 2, brush 5 px (keys), two strokes.
  await panel.focus();
  await page.keyboard.press('2');
  await expect(panel).toHaveAttribute('data-label', '2');
  await expect(panel).toHaveAttribute('data-brush-size', '5');
  await drag(page, 0.1, 0.9, 0.3);
  await expect(queue.first()).toHaveAttribute('data-voxels', /^[1-9]\d+$/);
  const firstStroke = Number(await queue.first().getAttribute('data-voxels'));
  await drag(page, 0.2, 0.6, 0.7);
  await expect(queue.first()).not.toHaveAttribute('data-voxels', String(firstStroke));
  const painted = Number(await queue.first().getAttribute('data-voxels'));
  expect(painted).toBeGreaterThan(150);
  await expect(panel).toHaveAttribute('data-annotated-voxels', String(painted));

  // In the kernel within a second (the panel batches for 250 ms).
  await page.waitForTimeout(1000);
  expect(Number(await run(page, 1))).toBe(painted);

  // Undo the second stroke, then redo it (keyboard), in the kernel too.
  await panel.focus();
  await page.keyboard.press('Control+z');
  const afterUndo = Number(await queue.first().getAttribute('data-voxels'));
  expect(afterUndo).toBeLessThan(painted);
  await page.waitForTimeout(1000);
  expect(Number(await run(page, 1))).toBe(afterUndo);
  await panel.focus();
  await page.keyboard.press('Control+Shift+z');
  await expect(queue.first()).toHaveAttribute('data-voxels', String(painted));
  await page.waitForTimeout(1000);
  expect(Number(await run(page, 1))).toBe(painted);

  // Fill (key f) with label 3: a click on an unlabelled pixel floods every unlabelled pixel 4-connected to it, here
  // the whole rest of the 48 x 48 slice (the strokes cut it nowhere), as one edit; in the kernel within a second.
  await panel.focus();
  await page.keyboard.press('3');
  await page.keyboard.press('f');
  await expect(panel).toHaveAttribute('data-tool', 'fill');
  await click(page, 0.85, 0.5);
  await expect(panel).toHaveAttribute('data-annotated-voxels', String(48 * 48));
  await page.waitForTimeout(1000);
  expect(Number(await run(page, 3))).toBe(48 * 48 - painted);

  // Export NIfTI: the kernel writes ui-annot.labels.nii.gz next to the notebook and the status line says where.
  expect(await run(page, 4)).toBe('false');
  await panel.locator('[data-part="export"]').click();
  await expect(panel).toHaveAttribute('data-exported', 'ui-annot.labels.nii.gz');
  await expect(panel.locator('[data-part="status"]')).toHaveText(/^Labels written to \/.*ui-annot\.labels\.nii\.gz \(2304 labelled voxels: /);
  expect(await run(page, 4)).toBe(`true ${48 * 48 - painted}`);

  // The fill is one undo step: Ctrl+Z takes it back, in the kernel too.
  await panel.focus();
  await page.keyboard.press('Control+z');
  await expect(panel).toHaveAttribute('data-annotated-voxels', String(painted));
  await page.waitForTimeout(1000);
  expect(Number(await run(page, 3))).toBe(0);
  expect(Number(await run(page, 1))).toBe(painted);

  // The eraser (niivue's pen value 0, unlabelled in the document), dragged across the canvas's whole width, takes the
  // whole first stroke away (the second, lower, is left); undo restores it.
  await panel.focus();
  await page.keyboard.press('e');
  await drag(page, 0.02, 0.98, 0.3);
  await expect(panel).toHaveAttribute('data-annotated-voxels', String(painted - firstStroke));
  await page.keyboard.press('Control+z');
  await expect(panel).toHaveAttribute('data-annotated-voxels', String(painted));

  // A wider window: the canvas grows with the panel, still inside it, and the pointer still lands on the right pixels.
  await page.setViewportSize({ width: 1400, height: 900 });
  await expect.poll(async () => (await panel.locator('canvas').boundingBox())!.width, { timeout: 10000 }).toBeGreaterThan(narrow + 20);
  await expectCanvasFits(panel);
  await panel.focus();
  await drag(page, 0.02, 0.98, 0.3);
  await expect(panel).toHaveAttribute('data-annotated-voxels', String(painted - firstStroke));
  await page.keyboard.press('Control+z');
  await expect(panel).toHaveAttribute('data-annotated-voxels', String(painted));

  // The persisted log holds them, and a reload shows them again in a fresh panel.
  expect(Number(await run(page, 2))).toBe(painted);
  await page.notebook.save();
  // Galata's reload waits for the Launcher tab; the restored layout shows the notebook instead.
  await page.reload({ waitForIsReady: false });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  if (!(await page.notebook.isAnyActive())) await page.notebook.openByPath(`${tmpPath}/annotate.ipynb`);
  // Whether the reloaded page got the old kernel or a new one, running the cell again opens the session on the
  // annotations loaded from ui-annot.annot.yjs (under galata the reloaded notebook usually starts a new kernel). With
  // the old kernel the re-rendered output has already opened a connected panel, which the cell then brings to the
  // front: the notebook's "Idle" leaves the status bar, so the run is not awaited there but through the panel.
  await page.activity.activateTab('annotate.ipynb');
  await page.notebook.runCell(0, { inplace: true, wait: false });
  await expect(page.locator('.mdlma-AnnotationPanel')).toHaveAttribute('data-state', 'ready', { timeout: 60000 });
  await expect(page.locator('.mdlma-AnnotationPanel')).toHaveAttribute('data-annotated-voxels', String(painted));
  await expect(page.locator('.mdlma-AnnotationPanel [data-part="summary"]')).toHaveText(`${painted} voxels annotated on 1 slice, 0 marked done`);
});

/** A notebook file with the MDLMA kernelspec and these cells (opened by path, its session keeps its path). */
function notebookJson(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map(source => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: 'mdlma', display_name: 'MDLMA (TypeScript)', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5
  });
}

test('two browsers painting the same session converge to the same labels @root-only', async ({ page, tmpPath, browser, baseURL }) => {
  test.setTimeout(180000);
  await page.contents.uploadContent(notebookJson([SETUP.replace('ui-annot', 'ui-pair'), COUNT.replace('=== 2', '!== 255')]), 'text', `${tmpPath}/pair.ipynb`);
  await page.notebook.openByPath(`${tmpPath}/pair.ipynb`);
  await page.notebook.runCell(0, true);
  const panelA = page.locator('.mdlma-AnnotationPanel');
  await expect(panelA).toHaveAttribute('data-state', 'ready', { timeout: 60000 });
  await page.activity.activateTab('pair.ipynb'); // save acts on the current tab, which the panel took
  await page.notebook.save();

  // A second user: another browser context on the same notebook and kernel; the saved output opens their panel.
  const other = await browser.newContext();
  try {
    const pageB = await other.newPage();
    // A workspace of its own: this context is not galata's, and the server's default workspace may hold the layout of
    // the previous test (its notebook, whose saved output would open a second panel on a kernel of its own).
    await pageB.goto(`${baseURL}/lab/workspaces/ui-pair-${Date.now().toString(36)}/tree/${tmpPath}/pair.ipynb`);
    const button = pageB.locator('.mdlma-AnnotationOutput button');
    await expect(button).toBeVisible({ timeout: 90000 });
    const panelB = pageB.locator('.mdlma-AnnotationPanel[id^="mdlma-annotation-ui-pair-"]');
    if (!(await panelB.count())) await button.click();
    await expect(panelB).toHaveAttribute('data-state', 'ready', { timeout: 90000 });
    await expect(panelB.locator('canvas')).toHaveAttribute('data-loaded', 'true');
    await expect(panelB.locator('canvas')).toHaveAttribute('data-renderer', 'niivue');

    await panelA.focus();
    await page.keyboard.press('1');
    await drag(page, 0.1, 0.9, 0.25);
    await panelB.focus();
    await pageB.keyboard.press('3');
    await drag(pageB, 0.5, 0.5, 0.1); // a click: one disc
    await drag(pageB, 0.1, 0.9, 0.75);

    // Both replicas and the kernel hold the same labelled voxels.
    await expect.poll(async () => [await panelA.getAttribute('data-annotated-voxels'), await panelB.getAttribute('data-annotated-voxels')], { timeout: 10000 }).toEqual([
      expect.stringMatching(/^[1-9]\d+$/),
      expect.stringMatching(/^[1-9]\d+$/)
    ]);
    await expect.poll(async () => (await panelA.getAttribute('data-annotated-voxels')) === (await panelB.getAttribute('data-annotated-voxels')), { timeout: 10000 }).toBe(true);
    const total = await panelA.getAttribute('data-annotated-voxels');
    await page.activity.activateTab('pair.ipynb');
    await page.notebook.runCell(1, true);
    expect(((await page.notebook.getCellTextOutput(1)) ?? []).join('').trim()).toBe(total);
  } finally {
    await other.close();
  }
});
