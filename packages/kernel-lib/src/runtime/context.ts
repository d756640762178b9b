/**
 * The process-wide kernel context: which request a piece of code runs on behalf of, and
 * how to publish messages to the frontend.
 *
 * Every cell runs inside an `ExecutionScope` held in AsyncLocalStorage, so that work a cell
 * started (a timer, a promise, a comm handler) keeps writing to that cell and is aborted
 * by that cell's interrupt, even after the next cell has begun.
 *
 * State sits on `globalThis` under a registered symbol: a notebook may load a second copy
 * of @mdlma/kernel (another path, another version), and both must see one kernel.
 */
import { AsyncLocalStorage } from 'async_hooks';

import type { MessageHeader } from '../protocol/jupyter';

/** The request a piece of code serves: its header (for output routing) and its abort controller. */
export interface ExecutionScope {
  readonly parent: MessageHeader | undefined;
  readonly controller: AbortController;
  /** The error that ended the execution, reported in its execute_reply. */
  error?: unknown;
}

/** Options of `KernelRuntime.publish`. */
export interface PublishOptions {
  parent?: MessageHeader;
  buffers?: Uint8Array[];
  metadata?: Record<string, unknown>;
}

/** What the running kernel provides to kernel-lib modules. */
export interface KernelRuntime {
  /** Send a message on IOPub (display_data, comm_msg, ...). */
  publish(msgType: string, content: Record<string, unknown>, options?: PublishOptions): void;
}

interface GlobalState {
  runtime: KernelRuntime | undefined;
  storage: AsyncLocalStorage<ExecutionScope>;
  running: Set<ExecutionScope>;
}

const state: GlobalState = sharedState();

/** The running kernel, or undefined in a plain Node.js process (CLI, tests, batch jobs). */
export function kernelRuntime(): KernelRuntime | undefined {
  return state.runtime;
}

/** Installed once by the kernel entry point. */
export function setKernelRuntime(runtime: KernelRuntime | undefined): void {
  state.runtime = runtime;
}

/** The scope of the code that calls this, if it runs on behalf of a request. */
export function currentScope(): ExecutionScope | undefined {
  return state.storage.getStore();
}

/** A new scope for a request, with its own abort controller. */
export function createScope(parent: MessageHeader | undefined): ExecutionScope {
  return { parent, controller: new AbortController() };
}

/** Run `fn` (and everything it starts) in `scope`; interrupts abort it while `fn` runs. */
export function runInScope<T>(scope: ExecutionScope, fn: () => T): T {
  state.running.add(scope);
  const result = state.storage.run(scope, fn);
  if (result instanceof Promise) {
    result.finally(() => state.running.delete(scope)).catch(() => undefined);
  } else {
    state.running.delete(scope);
  }
  return result;
}

/** Run `fn` under `parent` for output routing while keeping the caller's abort signal. */
export function runWithParent<T>(parent: MessageHeader | undefined, fn: () => T): T {
  const outer = currentScope();
  return state.storage.run({ parent, controller: outer?.controller ?? new AbortController() }, fn);
}

/** Abort every execution that is running now (Kernel > Interrupt). */
export function abortRunning(reason: unknown): number {
  let count = 0;
  for (const scope of state.running) {
    if (!scope.controller.signal.aborted) {
      scope.controller.abort(reason);
      count++;
    }
  }
  return count;
}

/** The one state of this process (a function declaration: it is needed before the bottom of the file runs). */
function sharedState(): GlobalState {
  const key = Symbol.for('@mdlma/kernel:context');
  const holder = globalThis as unknown as Record<symbol, GlobalState | undefined>;
  return (holder[key] ??= { runtime: undefined, storage: new AsyncLocalStorage(), running: new Set() });
}
