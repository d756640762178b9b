import { importEsm } from './esm';

describe('importEsm', () => {
  it('loads an ESM-only package (zarrita) from CommonJS code', async () => {
    const zarr = await importEsm('zarrita');
    expect(typeof zarr.open).toBe('function');
  });

  it('raises ModuleLoadError naming the package when it is missing', async () => {
    await expect(importEsm('no-such-package-mdlma')).rejects.toThrow(/no-such-package-mdlma/);
  });
});
