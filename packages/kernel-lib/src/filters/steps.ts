/**
 * Filters are written as generators of steps, so that one implementation serves both a plain
 * synchronous call and the interruptible, progress-reporting `denoise`: each `yield` reports
 * [done, total] and is where an AbortSignal is checked and the event loop may run.
 *
 * @example
 * function* work(): FilterSteps<number> { for (let i = 0; i < 10; i++) yield [i + 1, 10]; return 42; }
 * runSteps(work());                                           // 42
 * await runStepsAsync(work(), { signal, onProgress });        // 42, or throws signal.reason
 */

/** A filter's work: yields [done, total] after each chunk, returns the result. */
export type FilterSteps<T> = Generator<[number, number], T, void>;

/** Options shared by every filter that can be interrupted. */
export interface IFilterRunOptions {
  /** Aborting it stops the filter with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each chunk with the chunks done and their total. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs `steps` to the end synchronously, checking `signal` between chunks. */
export function runSteps<T>(steps: FilterSteps<T>, options: IFilterRunOptions = {}): T {
  options.signal?.throwIfAborted();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    options.onProgress?.(next.value[0], next.value[1]);
    options.signal?.throwIfAborted();
  }
}

/**
 * Runs `steps` to the end, yielding to the event loop about every `YIELD_MS` so that an
 * interrupt (which arrives as an event) can abort `signal`; throws the signal's reason.
 */
export async function runStepsAsync<T>(steps: FilterSteps<T>, options: IFilterRunOptions = {}): Promise<T> {
  const signal = options.signal;
  signal?.throwIfAborted();
  let last = Date.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    options.onProgress?.(next.value[0], next.value[1]);
    if (Date.now() - last >= YIELD_MS) {
      await new Promise<void>(resolve => setImmediate(resolve));
      last = Date.now();
    }
    signal?.throwIfAborted();
  }
}

/** How long a filter computes before letting events run: short enough for a snappy interrupt. */
export const YIELD_MS = 20;
