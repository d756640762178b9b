/**
 * A volume bigger than the viewer's limits (lowered here with `show(…, { limits })`, so that a
 * 64^3 phantom stands in for a scan beyond the browser's 3D texture size): the viewer shows the
 * downsampled overview with a note that says so, loads the full resolution around the crosshair
 * on request (a box the server reads from the cached file), reads the kernel's values there, and
 * moves the box when the kernel moves the crosshair outside it.
 */
import { clickReadout, expect, test } from './fixtures';

const SETUP = [
  'import * as mdlma from "@mdlma/kernel";',
  'const phantom = await mdlma.implantPhantom({ size: 64, seed: 1, stage: 8 });',
  'const image = phantom.image;',
  'const labels = phantom.labels;'
].join('\n');
const SHOW = 'const viewer = await mdlma.show({ image: image, labels: labels }, { limits: { maxSide: 32 } });';

// The box requests go through the same handler as the layer files, which both projects test: root only.
test('a volume over the limits shows an overview with a note, and full resolution around the crosshair on request @root-only', async ({ page }) => {
  test.setTimeout(150000);
  await page.notebook.createNew('big.ipynb', { kernel: 'mdlma' });
  await page.notebook.setCell(0, 'code', SETUP);
  await page.notebook.addCell('code', SHOW);
  await page.notebook.runCell(0, true);
  await page.notebook.runCell(1, true);
  const renderer = page.locator('.mdlma-VolumeRenderer');
  await expect(renderer).toHaveAttribute('data-state', 'ready', { timeout: 60000 });
  await expect(renderer).toHaveAttribute('data-level', 'overview');
  const note = renderer.locator('.mdlma-VolumeViewer-note');
  await expect(note).toContainText('Overview at 1/2 resolution');
  await expect(note).toContainText('64 × 64 × 64 exceeds');
  await expect(renderer).toHaveAttribute('data-link', 'open');

  // Full resolution around the crosshair (the centre): a 32^3 box from the cached files.
  await note.locator('[data-action="detail"]').click();
  await expect(renderer).toHaveAttribute('data-level', 'detail');
  await expect(renderer).toHaveAttribute('data-detail-box', '16,48,16,48,16,48');
  await expect(note).toContainText('Full resolution around the crosshair');
  await expect(renderer.locator('.mdlma-VolumeViewer')).not.toHaveAttribute('data-detail-busy', 'true');

  // A click in the box reads full-resolution values: those the kernel holds at that voxel.
  const { voxel, shown } = await clickReadout(page, renderer, -15, 20);
  const canvas = renderer.locator('canvas');
  const readout = renderer.locator('.mdlma-VolumeViewer-readout');
  await page.notebook.addCell('code', [
    'const c = viewer.crosshair!;',
    'const i = image.index(...c.voxel);',
    'console.log(JSON.stringify({ voxel: c.voxel, image: image.data[i], labels: labels.data[i] }));'
  ].join('\n'));
  await page.notebook.runCell(2, true);
  const lines = ((await page.notebook.getCellTextOutput(2)) ?? []).join('\n').trim().split('\n');
  const kernel = JSON.parse(lines[lines.length - 1]);
  expect(kernel.voxel).toEqual(voxel);
  expect(voxel.every(v => v >= 16 && v < 48)).toBe(true);
  expect(shown.image).toBe(kernel.image); // full resolution: the exact voxel, not a binned mean
  expect(shown.labels).toBe(kernel.labels);

  // The kernel moves the crosshair outside the box: the box follows.
  await page.notebook.addCell('code', 'viewer.setSlice([5, 6, 7]);');
  await page.notebook.runCell(3, true);
  await expect(renderer).toHaveAttribute('data-detail-box', '0,32,0,32,0,32');
  await expect(readout).toHaveAttribute('data-voxel', '5,6,7');

  // Back to the overview.
  await note.locator('[data-action="overview"]').click();
  await expect(renderer).toHaveAttribute('data-level', 'overview');
  await expect(note).toContainText('Overview at 1/2 resolution');

  // The 3D pane, computed on demand (its gradients are skipped while only planes are shown), draws the volume.
  await page.mouse.move(0, 0);
  const planes = await canvas.screenshot();
  await renderer.locator('select.mdlma-VolumeViewer-layout').selectOption('render');
  await expect(renderer.locator('.mdlma-VolumeViewer')).toHaveAttribute('data-layout', 'render');
  await page.waitForTimeout(300);
  const rendered = await canvas.screenshot();
  const stats = await page.evaluate(async ([a, b]) => {
    const decode = async (base64: string) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
      const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      return context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    };
    const [first, second] = [await decode(a), await decode(b)];
    let lit = 0;
    let differ = 0;
    for (let i = 0; i < first.length; i += 4) {
      if (second[i] + second[i + 1] + second[i + 2] > 90) lit++;
      if (Math.abs(first[i] - second[i]) + Math.abs(first[i + 1] - second[i + 1]) + Math.abs(first[i + 2] - second[i + 2]) > 30) differ++;
    }
    return { lit, differ };
  }, [planes.toString('base64'), rendered.toString('base64')] as const);
  expect(stats.lit).toBeGreaterThan(5000);
  expect(stats.differ).toBeGreaterThan(5000);
});
