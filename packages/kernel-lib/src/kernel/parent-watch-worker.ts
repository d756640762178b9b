/**
 * The worker thread of `watchParent`: polls for the launcher's death off the main thread, which a
 * busy cell may block, and ends the kernel process when it is orphaned.
 */
import { workerData } from 'worker_threads';

import { isOrphaned, WatchedParent } from './parent-watch';

const watched = workerData as WatchedParent;

const timer = setInterval(() => {
  if (!isOrphaned(watched)) {
    return;
  }
  clearInterval(timer);
  process.stderr.write(`MDLMA kernel: the process that launched it (pid ${watched.launcher}) is gone; exiting.\n`);
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), watched.graceMs);
}, watched.intervalMs);
