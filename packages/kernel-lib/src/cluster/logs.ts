/**
 * Reading a job's output files: the tail of a file, and following it as it grows (the job panel's
 * live log and `mdlma slurm logs --follow`).
 *
 * @example
 * for await (const chunk of followFile('slurm-12.out', { signal, interval: 500, finished })) process.stdout.write(chunk);
 */
import { promises as fs } from 'fs';

/** The last `lines` lines of a text file; '' when it does not exist (yet). Reads at most the last 1 MiB. */
export async function tailFile(path: string, lines: number): Promise<string> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    return lines <= 0 ? '' : all.slice(-lines).join('\n') + (text.endsWith('\n') ? '\n' : '');
  } finally {
    await handle.close();
  }
}

/** Yields the file's content, then what is appended, until `finished()` and all is read, or `signal` aborts. */
export async function* followFile(path: string, options: followFile.IOptions): AsyncGenerator<string> {
  let offset = 0;
  const decoder = new TextDecoder(); // keeps a UTF-8 character split across two reads whole
  while (!options.signal.aborted) {
    // Ask before reading, so that output written just before the job ended is still read.
    const done = await options.finished();
    const chunk = await Private.readFrom(path, offset);
    if (chunk.length > 0) {
      offset += chunk.length;
      yield decoder.decode(chunk, { stream: true });
      continue;
    }
    if (done) {
      return;
    }
    await Private.pause(options.interval, options.signal);
  }
}

/** Types of `followFile`. */
export namespace followFile {
  /** Options of `followFile`. */
  export interface IOptions {
    /** Stops following (the iterator ends quietly). */
    signal: AbortSignal;
    /** Milliseconds between looks at the file. */
    interval: number;
    /** True once nothing more will be written (the job has ended). */
    finished: () => Promise<boolean>;
  }
}

namespace Private {
  /** Bytes of `path` from `offset` to its current end; empty when missing. */
  export async function readFrom(path: string, offset: number): Promise<Buffer> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, 'r');
    } catch {
      return Buffer.alloc(0);
    }
    try {
      const { size } = await handle.stat();
      if (size <= offset) {
        return Buffer.alloc(0);
      }
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      return buffer;
    } finally {
      await handle.close();
    }
  }

  /** Resolves after `ms` or as soon as `signal` aborts. */
  export function pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
