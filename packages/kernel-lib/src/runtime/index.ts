/**
 * The ground floor under every compute module: the cell's scope, interrupts, ESM loading and comms.
 * Nothing here starts a kernel; the kernel process (`kernel/`) plugs its transport in.
 *
 * @example
 * import { comms, interruptSignal, importEsm } from '@mdlma/kernel';
 */
export { Comm, CommRegistry, comms, UnknownCommTargetError } from './comms';
export type { CommData, CommMessage, CommTargetHandler, CommTransport } from './comms';
export { currentScope, kernelRuntime } from './context';
export type { KernelRuntime, PublishOptions } from './context';
export { importEsm } from './esm';
export { interruptSignal, resolveSignal, throwIfInterrupted } from './interrupt';
