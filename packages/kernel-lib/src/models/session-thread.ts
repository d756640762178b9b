/**
 * An ONNX Runtime session in a worker thread. onnxruntime-node runs a session synchronously on the
 * thread that calls `run` (its promise only defers the call), so a pipeline that calls it on the
 * main thread cannot cut, normalise or back-project one batch while the model computes another.
 * In a worker the main thread stays free: the caller submits the next batch before it awaits the
 * current one, and works while the model runs. Runs are served one at a time, in submission order.
 *
 * The worker is a short script given as source (no separate file to ship or compile); it loads
 * the same onnxruntime-node as the main thread, with the same session options.
 *
 * @example
 * const thread = await SessionThread.start({ bytes, options: sessionOptions('cpu', 2), input: 'image', output: 'probs' });
 * const a = thread.run(batchA.slice(), [8, 1, 256, 256]);
 * const b = thread.run(batchB.slice(), [8, 1, 256, 256]);   // queued behind batch A
 * const { data, ms } = await a;                             // the main thread was free meanwhile
 * await thread.close();
 */
import { Worker } from 'worker_threads';

import type { InferenceSession } from 'onnxruntime-node';

import { ModelFormatError } from '../errors';
import { onnxRuntimePath } from './providers';

/** A session running in its own thread. */
export class SessionThread {
  private constructor(worker: Worker, private readonly _path: string) {
    this._worker = worker;
    worker.on('message', (m: Private.Reply) => this._settle(m));
    worker.on('error', error => this._fail(error));
    worker.on('exit', code => this._fail(new Error(`the session thread exited (code ${code})`)));
    worker.unref(); // an idle session does not keep the process alive; a pending run does (see run)
  }

  /** Starts a worker holding a session on `bytes`; ModelFormatError (naming `path`) when ONNX Runtime refuses it. */
  static async start(options: SessionThread.IOptions): Promise<SessionThread> {
    const worker = new Worker(Private.SOURCE, {
      eval: true,
      workerData: { ort: onnxRuntimePath(), bytes: options.bytes, options: options.options, input: options.input, output: options.output }
    });
    const path = options.path ?? 'model.onnx';
    const ready = await new Promise<Private.Reply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (ready.error) {
      await worker.terminate();
      throw new ModelFormatError(path, `ONNX Runtime cannot load it in a session thread (${ready.error})`);
    }
    return new SessionThread(worker, path);
  }

  /**
   * Runs the model on `input` of shape `dims`: the output named at start and ONNX Runtime's own time for the run in
   * milliseconds (not the time queued behind others). `input` must be a whole ArrayBuffer of its own: it moves to
   * the worker (the caller's view is detached).
   */
  run(input: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; ms: number }> {
    if (this._closed) return Promise.reject(new Error(`the session thread of ${this._path} is closed`));
    const id = ++this._lastId;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      if (this._pending.size === 1) this._worker.ref();
      this._worker.postMessage({ id, data: input.buffer, dims }, [input.buffer]);
    });
  }

  /** Ends the worker and its session; pending runs fail. */
  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    await this._worker.terminate();
  }

  private _settle(m: Private.Reply): void {
    const waiting = this._pending.get(m.id);
    if (!waiting) return;
    this._pending.delete(m.id);
    if (this._pending.size === 0) this._worker.unref();
    if (m.error !== undefined) waiting.reject(new ModelFormatError(this._path, `ONNX Runtime failed on a batch (${m.error})`));
    else waiting.resolve({ data: new Float32Array(m.data!, m.offset!, m.length!), ms: m.ms! });
  }

  private _fail(error: Error): void {
    this._closed = true;
    for (const { reject } of this._pending.values()) reject(error);
    this._pending.clear();
  }

  private readonly _worker: Worker;
  private readonly _pending = new Map<number, { resolve: (r: { data: Float32Array; ms: number }) => void; reject: (e: Error) => void }>();
  private _lastId = 0;
  private _closed = false;
}

export namespace SessionThread {
  /** Options of `SessionThread.start`. */
  export interface IOptions {
    /** The ONNX file's bytes (already checked against the card). */
    bytes: Uint8Array;
    /** Its path, for messages. */
    path?: string;
    /** Session options (`sessionOptions`): plain data, cloned into the worker. */
    options: InferenceSession.SessionOptions;
    /** Name of the model's input. */
    input: string;
    /** Name of the output `run` fetches. */
    output: string;
  }
}

namespace Private {
  /** A message from the worker: ready (no id), a result or an error. */
  export interface Reply {
    id: number;
    data?: ArrayBuffer;
    offset?: number;
    length?: number;
    ms?: number;
    error?: string;
  }

  /** The worker: loads onnxruntime-node, creates the session, answers each run with its output (transferred). */
  export const SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const ort = require(workerData.ort);
const { input, output } = workerData;
ort.InferenceSession.create(workerData.bytes, workerData.options).then(session => {
  parentPort.postMessage({ id: 0 });
  let queue = Promise.resolve();
  parentPort.on('message', m => {
    queue = queue.then(async () => {
      try {
        const t0 = performance.now();
        const result = await session.run({ [input]: new ort.Tensor('float32', new Float32Array(m.data), m.dims) }, [output]);
        const ms = performance.now() - t0;
        const d = result[output].data;
        parentPort.postMessage({ id: m.id, data: d.buffer, offset: d.byteOffset, length: d.length, ms }, [d.buffer]);
      } catch (error) {
        parentPort.postMessage({ id: m.id, error: String(error && error.message || error) });
      }
    });
  });
}, error => parentPort.postMessage({ id: 0, error: String(error && error.message || error) }));
`;
}
