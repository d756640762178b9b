/**
 * catalog/: the SciCat client, its query builder and the backend's shapes, browser-safe (plain fetch, no Node
 * imports): the kernel uses them, and the JupyterLab sidebar bundles them as `@mdlma/kernel/catalog`. The catalog
 * from notebooks (`catalog.connect`: settings file, path mapping, reading volumes) is Node: catalog/node/.
 *
 * @example
 * import { SciCatClient, searchDatasets } from '@mdlma/kernel/catalog';
 * const scicat = await SciCatClient.login({ url: 'http://localhost:3000', username: 'ingestor', password });
 * for await (const ds of searchDatasets(scicat, { beamline: 'P05', healingWeeks: 8 })) console.log(ds.pid);
 */
export { SciCatClient, TOKEN_ACCESS } from './client';
export { catalogRequest } from './http';
export type { CatalogRequest } from './http';
export { checkFullqueryWhere, datasetWhere, fullqueryFields, matchesFullqueryExtras, needsFullquery, searchDatasets } from './query';
export type { CatalogQuery } from './query';
export { DERIVED_DATASET_FIELDS, DERIVED_DATASET_REQUIRED } from './types';
export type {
  Attachment, DataFile, Dataset, DatasetCommon, DatasetFilter, DatasetV3, DerivedDatasetInput, FullQueryFields, FullQueryLimits,
  OrigDatablock, ScientificCondition, Where
} from './types';
// The client's typed errors (their home is errors.ts): the sidebar tells them apart as the kernel does.
export {
  CatalogAuthError, CatalogError, CatalogForbiddenError, CatalogNotFoundError, CatalogRequestError, CatalogServerError,
  CatalogUnavailableError
} from '../errors';
