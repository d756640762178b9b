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
