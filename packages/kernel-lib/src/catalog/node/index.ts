/**
 * catalog/node/: the catalog from notebooks (Node only: environment, the private config file, path mapping, reading
 * datasets' volumes through io/). Kept apart from catalog/index.ts, which the JupyterLab sidebar bundles.
 *
 * @example
 * import { catalog } from '@mdlma/kernel';
 * const scicat = await catalog.connect({ url: process.env.SCICAT_URL });
 * const [scan] = await scicat.search({ beamline: 'P05', material: 'Mg-10Gd', healingWeeks: 8, limit: 1 });
 * const image = await scicat.read(scan.pid);
 */
import { connect } from './connection';

export { catalogConfigPath, checkPathMap, readCatalogSettings, saveCatalogSettings, toLocalPath, toRemotePath } from './config';
export type { CatalogSettings, PathMap } from './config';
export { CatalogConnection, KERNEL_PACKAGE_VERSION, connect as connectCatalog } from './connection';
export type { CatalogFile, DerivedRegistration } from './connection';

/** The catalog from a notebook: `await catalog.connect({ url })`. */
export const catalog = { connect };
