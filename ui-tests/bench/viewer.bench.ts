/**
 * Viewer benchmark: for 128^3, 256^3 and 512^3 uint16 volumes with a label layer, the time from
 * the output's arrival in the browser to the first rendered frame (measured by the renderer:
 * renderModel to the animation frame after the GPU finished drawing the first layers shown,
 * the embedded preview for big volumes) and to the final level (full resolution, or the
 * overview of a volume over the browser's limits), the renderer's steps, the kernel's time in
 * show(), and the bytes the kernel websocket carried for the cell that called show().
 */
import * as os from 'os';

import { benchStamp, saveBenchResult } from '../../packages/kernel-lib/src/bench/results';

import { expect, test } from '../tests/fixtures';

const SIZES = [128, 256, 512];

test('viewer: output arrival to first frame, and websocket bytes per show()', async ({ page }) => {
  const stamp = benchStamp('viewer');
  const loadBefore = os.loadavg()[0];
  let socketBytes = 0;
  // Before the notebook opens: its kernel websocket must be seen from the start.
  page.on('websocket', ws => ws.on('framereceived', frame => (socketBytes += typeof frame.payload === 'string' ? Buffer.byteLength(frame.payload) : frame.payload.length)));
  await page.notebook.createNew('bench.ipynb', { kernel: 'mdlma' });
  await page.notebook.setCell(0, 'code', 'import * as mdlma from "@mdlma/kernel";');
  await page.notebook.runCell(0, true);
  const rows: Array<Record<string, number | string>> = [];
  for (const [i, n] of SIZES.entries()) {
    const make = [
      `const image${n} = mdlma.Volume.zeros([${n}, ${n}, ${n}], "uint16", { spacing: [2.4, 2.4, 2.4] });`,
      `const labels${n} = mdlma.Volume.zeros([${n}, ${n}, ${n}], "uint8", { spacing: [2.4, 2.4, 2.4] });`,
      `for (let z = 0, v = 0; z < ${n}; z++) for (let y = 0; y < ${n}; y++) for (let x = 0; x < ${n}; x++, v++) {`,
      `  const r = Math.hypot(z - ${n / 2}, y - ${n / 2}, x - ${n / 2}) / ${n};`,
      `  labels${n}.data[v] = r < 0.15 ? 3 : r < 0.2 ? 2 : r < 0.4 && (x ^ y ^ z) % 7 < 3 ? 1 : 0;`,
      `  image${n}.data[v] = 1000 + 8000 * labels${n}.data[v] + ((v * 2654435761) >>> 20) % 1500;`,
      '}'
    ].join('\n');
    await page.notebook.addCell('code', make);
    await page.notebook.runCell(1 + 2 * i, true);
    await page.notebook.addCell('code', `const t${n} = Date.now(); await mdlma.show({ image: image${n}, labels: labels${n} }); console.log("show ms", Date.now() - t${n});`);
    socketBytes = 0;
    await page.notebook.runCell(2 + 2 * i, true);
    const bytes = socketBytes;
    const renderer = page.locator('.mdlma-VolumeRenderer').nth(i);
    await expect(renderer).toHaveAttribute('data-state', /ready|failed/, { timeout: 600000 });
    const lines = ((await page.notebook.getCellTextOutput(2 + 2 * i)) ?? []).join('\n');
    rows.push({
      size: `${n}^3`,
      'layer bytes (image + labels)': n ** 3 * 3,
      'kernel show() (ms)': Number(/show ms (\d+)/.exec(lines)?.[1] ?? NaN),
      'arrival to first frame (ms)': Number(await renderer.getAttribute('data-first-frame-ms')),
      'first level': (await renderer.getAttribute('data-first-level')) ?? '',
      'arrival to final level (ms)': Number(await renderer.getAttribute('data-ready-ms')),
      level: (await renderer.getAttribute('data-level')) ?? (await renderer.getAttribute('data-state')) ?? '',
      'steps (ms)': Object.entries(JSON.parse((await renderer.getAttribute('data-timings')) ?? '{}')).map(([k, v]) => `${k} ${v}`).join('; '),
      'websocket bytes for the cell': bytes
    });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  const setting = { renderer: 'Chromium + SwiftShader (CPU WebGL2)', loadAverage: [loadBefore, os.loadavg()[0]].map(l => Math.round(l * 10) / 10) };
  const header = Object.keys(rows[0]);
  const markdown = [
    '# viewer', '',
    `Renderer: ${setting.renderer}; 1-minute load average ${setting.loadAverage.join(' before, ')} after (figures scale with it on a shared machine).`, '',
    `| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map(r => `| ${header.map(h => r[h]).join(' | ')} |`)
  ].join('\n');
  const headlines = rows.map(r => ({ label: `${r.size}: arrival to first frame / to final level`, value: `${r['arrival to first frame (ms)']} / ${r['arrival to final level (ms)']} ms (${r.level})` }));
  await saveBenchResult({ stamp, result: { setting, rows }, markdown, headlines });
});
