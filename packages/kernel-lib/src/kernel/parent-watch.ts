/**
 * Ends the kernel when the process that launched it dies (a killed or crashed Jupyter server), so that
 * no orphan kernel keeps holding memory and CPU on a shared node.
 *
 * The launcher is JPY_PARENT_PID, which jupyter_client sets on POSIX (on Windows it is a handle, not a
 * pid), else the parent at start-up. The kernel is orphaned when the launcher is gone or when its own
 * parent changes (re-parented to init or to a subreaper). The check runs every second in a worker
 * thread, so that a cell stuck in a synchronous loop cannot hold it up; an orphan gets SIGTERM, as from
 * jupyter_client's shutdown, and SIGKILL if it still runs after a grace period.
 *
 * @example
 * const watch = watchParent();
 * // ... at shutdown:
 * watch.stop();
 */
import { join } from 'path';
import { Worker } from 'worker_threads';

/** What the watcher compares against, fixed at start-up. */
export interface WatchedParent {
  /** The process that launched the kernel. */
  launcher: number;
  /** The kernel's parent at start-up. */
  ppid: number;
  intervalMs: number;
  graceMs: number;
}

/** A running watch. */
export interface ParentWatch {
  /** The process whose death ends the kernel. */
  readonly launcher: number;
  /** Stop watching (the kernel is shutting down by itself). */
  stop(): void;
}

/** Start watching the launcher; the watch does not keep the process alive. */
export function watchParent(options: watchParent.IOptions = {}): ParentWatch {
  const watched: WatchedParent = {
    launcher: launcherPid(),
    ppid: process.ppid,
    intervalMs: options.intervalMs ?? 1000,
    graceMs: options.graceMs ?? 3000
  };
  const worker = new Worker(join(__dirname, 'parent-watch-worker.js'), { workerData: watched });
  worker.on('error', error => process.stderr.write(`MDLMA kernel: the parent watch failed: ${error}\n`));
  worker.unref();
  return { launcher: watched.launcher, stop: () => void worker.terminate() };
}

/** Types of `watchParent`. */
export namespace watchParent {
  /** Options of `watchParent`. */
  export interface IOptions {
    /** How often to look, in ms (default 1000, as ipykernel's parent poller). */
    intervalMs?: number;
    /** How long an orphan may take to end on SIGTERM before SIGKILL, in ms (default 3000). */
    graceMs?: number;
  }
}

/** The launching process: JPY_PARENT_PID where it names a live process (POSIX), else the parent. */
export function launcherPid(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): number {
  const named = Number(env.JPY_PARENT_PID);
  if (platform !== 'win32' && Number.isInteger(named) && named > 1 && isAlive(named)) {
    return named;
  }
  return process.ppid;
}

/** True when the launcher is gone or this process was re-parented. */
export function isOrphaned(watched: Pick<WatchedParent, 'launcher' | 'ppid'>): boolean {
  return process.ppid !== watched.ppid || !isAlive(watched.launcher);
}

/** Whether a process exists (one of another user counts: signalling it is merely not permitted). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
