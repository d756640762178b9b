/**
 * The order in which execute_requests run, with the Jupyter protocol's `stop_on_error` rule.
 *
 * Cells run one after another. When a cell sent with `stop_on_error` (the protocol's default) fails,
 * the cells that had already arrived behind it are answered `aborted` without running, as ipykernel
 * does for "Run All". A cell sent with `stop_on_error: false` (nbclient and papermill with errors
 * allowed) never aborts another, and a cell that arrives after the failure was reported always runs.
 * (tslab's own queue aborted every cell that arrived within 200 ms of any error, silently.)
 *
 * @example
 * const queue = new ExecutionQueue();
 * const content = await queue.run({ stopOnError: true }, () => runCell(code)); // { status: 'ok' | 'error' | 'aborted', ... }
 */

/** An execute_reply's content, as far as the queue reads it. */
export interface ExecutionOutcome {
  status: string;
}

/** The reply content of a cell that was not run. */
export const ABORTED = Object.freeze({ status: 'aborted' as const });

/** Runs cells in arrival order and applies `stop_on_error`. */
export class ExecutionQueue {
  /** Queue `task` behind every cell that arrived before it; resolves its outcome, or ABORTED. */
  run<T extends ExecutionOutcome>(options: ExecutionQueue.IRunOptions, task: () => Promise<T>): Promise<T | typeof ABORTED> {
    const ticket = ++this._arrived;
    const result = this._tail.then(async () => {
      if (ticket <= this._abortThrough) {
        return ABORTED;
      }
      const outcome = await task();
      if (outcome.status === 'error' && options.stopOnError) {
        // Let requests already waiting in the socket arrive, so that they are aborted too.
        await new Promise(resolve => setImmediate(resolve));
        this._abortThrough = this._arrived;
      }
      return outcome;
    });
    this._tail = result.catch(() => undefined);
    return result;
  }

  private _tail: Promise<unknown> = Promise.resolve();
  private _arrived = 0;
  private _abortThrough = 0;
}

/** Types of `ExecutionQueue`. */
export namespace ExecutionQueue {
  /** What the execute_request asks for. */
  export interface IRunOptions {
    /** Abort the cells queued behind this one if it fails (`stop_on_error`, true unless the request is silent). */
    stopOnError: boolean;
  }
}
