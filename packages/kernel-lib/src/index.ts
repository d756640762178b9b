/**
 * @mdlma/kernel: everything that computes in MDLMA Lab, used from notebooks through the
 * "TypeScript (MDLMA)" kernel and as the `mdlma` command.
 *
 * @example
 * import { progressBar, table, plot, comms, interruptSignal } from '@mdlma/kernel';
 */
export * from './errors';
export * from './display';
export * from './runtime';
export * from './kernel';
export * from './volume';
export * from './io';
export * from './filters';
export * from './phantom';
export * from './register';
export * from './cluster';
export * from './models';
export * from './segment';
export * from './metrics';
export * from './active';
export * from './catalog';
export {
  CatalogConnection, KERNEL_PACKAGE_VERSION, catalog, catalogConfigPath, checkPathMap, connectCatalog, readCatalogSettings,
  saveCatalogSettings, toLocalPath, toRemotePath
} from './catalog/node';
export type { CatalogFile, CatalogSettings, ConnectOptions, DerivedRegistration, PathMap } from './catalog/node';
