/**
 * catalog/: the SciCat client and the catalog from notebooks. `client.ts`, `http.ts`, `query.ts` and `types.ts` are isomorphic
 * (plain fetch; the JupyterLab widgets import them); `config.ts` and `connection.ts` are Node (environment, config
 * file, path mapping, io/).
 *
 * @example
 * import { catalog } from '@mdlma/kernel';
 * const scicat = await catalog.connect({ url: process.env.SCICAT_URL });
 * const [scan] = await scicat.search({ beamline: 'P05', material: 'Mg-10Gd', healingWeeks: 8, limit: 1 });
 * const image = await scicat.read(scan.pid);
 */
import { connect } from './connection';

export { SciCatClient, TOKEN_ACCESS } from './client';
export type { CallOptions } from './client';
export { catalogRequest } from './http';
export type { CatalogRequest, TransportOptions } from './http';
export { catalogConfigPath, checkPathMap, readCatalogSettings, saveCatalogSettings, toLocalPath, toRemotePath } from './config';
export type { CatalogSettings, PathMap } from './config';
export { CatalogConnection, KERNEL_PACKAGE_VERSION, connect as connectCatalog } from './connection';
export type { CatalogFile, ConnectOptions, DerivedRegistration } from './connection';
export { checkFullqueryWhere, datasetWhere, fullqueryFields, matchesFullqueryExtras, needsFullquery, searchDatasets } from './query';
export type { CatalogQuery } from './query';
export { DERIVED_DATASET_FIELDS, DERIVED_DATASET_REQUIRED } from './types';
export type * from './types';

/** The catalog from a notebook: `await catalog.connect({ url })`. */
export const catalog = { connect };
