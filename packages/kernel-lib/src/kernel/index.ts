/**
 * The comm-enabled kernel: comms, interrupts, ESM loading and the kernelspec.
 *
 * @example
 * import { comms, interruptSignal, importEsm } from '@mdlma/kernel';
 */
export { Comm, CommRegistry, comms, UnknownCommTargetError } from './comms';
export type { CommData, CommMessage, CommTargetHandler, CommTransport } from './comms';
export { currentScope, kernelRuntime } from './context';
export type { KernelRuntime, PublishOptions } from './context';
export { ECHO_TARGET } from './echo';
export { importEsm } from './esm';
export type { ImportEsmOptions } from './esm';
export { interruptSignal, resolveSignal, throwIfInterrupted } from './interrupt';
export { installKernelspec, kernelspec, KERNEL_DISPLAY_NAME, KERNEL_NAME } from './kernelspec';
export { startKernel } from './server';
export type { RunningKernel, StartKernelOptions } from './server';
