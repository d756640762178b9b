/**
 * Interrupt support: Jupyter's interrupt (SIGINT or `interrupt_request`) aborts the
 * `AbortSignal` of the running cell, which every long kernel-lib operation accepts.
 *
 * @example
 * for (const slab of slabs) {
 *   throwIfInterrupted();          // or pass interruptSignal() to a kernel-lib function
 *   await process(slab);
 * }
 */
import { InterruptedError } from '../errors';
import { currentScope } from './context';

const NEVER = new AbortController().signal;

/**
 * The signal that Kernel > Interrupt aborts for the calling cell. Outside the kernel
 * (CLI, tests) it never aborts.
 */
export function interruptSignal(): AbortSignal {
  return currentScope()?.controller.signal ?? NEVER;
}

/** Throws `InterruptedError` if the user interrupted the calling cell. */
export function throwIfInterrupted(signal: AbortSignal = interruptSignal()): void {
  if (signal.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new InterruptedError();
  }
}

/** The caller's signal if given, else the calling cell's interrupt signal. */
export function resolveSignal(signal?: AbortSignal): AbortSignal {
  return signal ?? interruptSignal();
}
