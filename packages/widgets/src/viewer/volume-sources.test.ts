import type { ServerConnection } from '@jupyterlab/services';
import type { LayerSpec } from '@mdlma/kernel/protocol';

import { boxAround, cacheFileUrl, effectiveLimits, planSources, readSource, toViewerLayer } from './volume-sources';

describe('where the viewer takes its layers from', () => {
  const layer = (shape: [number, number, number], extra: Partial<LayerSpec> = {}): LayerSpec => ({
    name: 'image', kind: 'image', src: { path: '.mdlma/cache/0123456789abcdef.nii' }, colormap: 'gray', opacity: 1, range: [0, 1],
    visible: true, shape, dtype: 'uint16', spacing: [1, 1, 1], origin: [0, 0, 0], ...extra
  });
  const browser = { max3DTextureSize: 2048, maxVoxels: 2 ** 25 };
  const settings = { baseUrl: 'http://localhost/user/ana/' } as ServerConnection.ISettings;

  it('loads full layers that fit the browser', () => {
    expect(planSources([layer([64, 64, 64])], browser)).toEqual({ level: 'full', note: '' });
  });

  it('shows the cached overview of a layer above the limits, and says why', () => {
    const big = layer([1024, 1024, 1024], { overview: { src: { path: '.mdlma/cache/fedcba9876543210.nii' }, shape: [256, 256, 256], factor: 4 } });
    const plan = planSources([big], browser);
    expect(plan.level).toBe('overview');
    expect(plan.note).toBe("Overview at 1/4 resolution: 1024 × 1024 × 1024 exceeds the viewer's limits here (2048 per side, 2^25 voxels).");
  });

  it('falls back to the embedded preview when there is no overview', () => {
    const big = layer([1024, 1024, 1024], { preview: { src: { data: '' }, shape: [64, 64, 64], factor: 16 } });
    expect(planSources([big], browser).level).toBe('preview');
  });

  it('narrows the browser limits by those the output asks for', () => {
    expect(effectiveLimits(browser, { maxSide: 100 })).toEqual({ max3DTextureSize: 100, maxVoxels: 2 ** 25 });
    expect(planSources([layer([128, 64, 64])], browser, { maxVoxels: 1000 }).level).toBe('preview');
  });

  it('centres a detail box on the crosshair, moved inside the volume', () => {
    expect(boxAround([5, 50, 98], [100, 100, 100], 20)).toEqual([[0, 20], [40, 60], [80, 100]]);
  });

  it('asks the server for cache files under its base URL, never outside the server root', () => {
    expect(cacheFileUrl('.mdlma/cache/ab.nii', { directory: 'study 1', settings })).toBe('http://localhost/user/ana/mdlma/api/viewer-cache/study%201/.mdlma/cache/ab.nii');
    expect(() => cacheFileUrl('../../etc/passwd', { directory: 'study', settings })).toThrow(/outside the server root/);
  });

  it('reads an embedded (base64) source without a request', async () => {
    const bytes = await readSource({ data: btoa('\x01\x02\x03') }, { directory: '', settings });
    expect([...new Uint8Array(bytes)]).toEqual([1, 2, 3]);
  });

  it('gives the widget a layer with its settings and bytes', () => {
    const bytes = new ArrayBuffer(4);
    expect(toViewerLayer(layer([8, 8, 8]), bytes, 2)).toEqual({ name: 'image', kind: 'image', colormap: 'gray', opacity: 1, visible: true, range: [0, 1], bytes, factor: 2 });
  });
});
