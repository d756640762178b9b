/**
 * @mdlma/widgets: Lumino widgets of MDLMA Lab. No JupyterLab application imports: the
 * labextension wires them to kernels, sessions and settings.
 *
 * @example
 * import { CommStatus } from '@mdlma/widgets';
 */
export { CommStatus } from './comm-status';
export type { CommState } from './comm-status';
export * from './viewer';
export * from './jobs';
export * from './catalog';
export * from './annotation';
