/**
 * The job table's logic, apart from its drawing: state groups (the colours), search, sort, and
 * `JobWatch`, which notices when a job the user submitted has finished or failed.
 *
 * @example
 * const shown = sortJobs(filterJobs(jobs, 'segment running'), 'submitted', -1);
 * for (const ended of watch.update(jobs)) notify(ended);
 */
import { TERMINAL_STATES, type SlurmJob } from '@mdlma/kernel/protocol';

/** Job states grouped the way the table colours them. */
export type StateGroup = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'other';

/** True once a job never runs again. */
export function isTerminal(state: string): boolean {
  return TERMINAL_STATES.has(state);
}

/** The colour group of a state ("CANCELLED by 0" from sacct counts as cancelled). */
export function stateGroup(state: string): StateGroup {
  const word = state.split(' ')[0];
  switch (word) {
    case 'PENDING':
    case 'CONFIGURING':
    case 'SUSPENDED':
    case 'REQUEUED':
      return 'pending';
    case 'RUNNING':
    case 'COMPLETING':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
    case 'PREEMPTED':
      return 'cancelled';
    default:
      return isTerminal(word) ? 'failed' : 'other';
  }
}

/** What a job is searched by: id, name, state, reason, partition, nodes and user. */
function searchText(job: SlurmJob): string {
  return [job.id, job.name, job.state, job.reason, job.partition, job.nodes, job.user].join(' ').toLowerCase();
}

/** The jobs that hold every word of `query` (case-insensitive) in one of their searched fields. */
export function filterJobs(jobs: readonly SlurmJob[], query: string): SlurmJob[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return jobs.filter(job => {
    const text = searchText(job);
    return words.every(word => text.includes(word));
  });
}

/** The columns the table sorts by. */
export type JobSortKey = 'id' | 'name' | 'state' | 'submitted' | 'elapsed' | 'nodes';

/** Compares jobs by `key` (ascending); ids compare as numbers, array tasks by task index. */
export function compareJobs(a: SlurmJob, b: SlurmJob, key: JobSortKey, now = Date.now()): number {
  switch (key) {
    case 'id':
      return (a.arrayJobId ?? a.jobId) - (b.arrayJobId ?? b.jobId) || (a.arrayTaskId ?? -1) - (b.arrayTaskId ?? -1);
    case 'name':
      return a.name.localeCompare(b.name);
    case 'state':
      return a.state.localeCompare(b.state);
    case 'submitted':
      return (a.submitTime ?? '').localeCompare(b.submitTime ?? '');
    case 'elapsed':
      return (elapsedSeconds(a, now) ?? -1) - (elapsedSeconds(b, now) ?? -1);
    case 'nodes':
      return a.nodes.localeCompare(b.nodes);
  }
}

/** The jobs sorted by `key`, ascending (1) or descending (-1); ties keep the newest first. */
export function sortJobs(jobs: readonly SlurmJob[], key: JobSortKey, direction: 1 | -1, now = Date.now()): SlurmJob[] {
  return [...jobs].sort((a, b) => direction * compareJobs(a, b, key, now) || compareJobs(b, a, 'id'));
}

/** Seconds the job has run (until now while it runs); null before it started. */
export function elapsedSeconds(job: SlurmJob, now = Date.now()): number | null {
  if (!job.startTime) {
    return null;
  }
  const end = job.endTime ? Date.parse(job.endTime) : isTerminal(job.state) ? NaN : now;
  const seconds = Math.round((end - Date.parse(job.startTime)) / 1000);
  return Number.isFinite(seconds) ? Math.max(0, seconds) : null;
}

/** A duration as Slurm writes it: "0:05", "1:02:03", "2-03:04:05". */
export function formatElapsed(seconds: number | null): string {
  if (seconds === null) {
    return '';
  }
  const days = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = h > 0 || days > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
  return days > 0 ? `${days}-${two(h)}:${two(m)}:${two(s)}` : clock;
}

/** A job the user submitted that has ended, for a notification. */
export interface EndedJob {
  job: SlurmJob;
  /** True when it completed; false when it failed, was cancelled, timed out, ... */
  ok: boolean;
}

/**
 * The jobs the user submitted from the panel, watched until they end: `update` takes each new job
 * list and returns the watched jobs that have ended since, once each.
 */
export class JobWatch {
  /** A watch of the given ids (e.g. restored from the browser's storage). */
  constructor(ids: Iterable<string> = []) {
    this._ids = new Set(ids);
  }

  /** The ids still watched. */
  get ids(): string[] {
    return [...this._ids];
  }

  /** Starts watching a submitted job. */
  add(id: string): void {
    this._ids.add(id);
  }

  /**
   * The watched jobs of `jobs` that have ended, which are then no longer watched. An array job
   * ends when all its tasks have; a watched id missing from the list is kept (not yet listed).
   */
  update(jobs: readonly SlurmJob[]): EndedJob[] {
    const ended: EndedJob[] = [];
    for (const id of this._ids) {
      const own = jobs.filter(job => job.id === id || String(job.arrayJobId) === id);
      if (own.length === 0 || !own.every(job => isTerminal(job.state))) {
        continue;
      }
      const failed = own.find(job => job.state !== 'COMPLETED');
      ended.push({ job: own.length === 1 ? own[0] : { ...(failed ?? own[0]), id }, ok: !failed });
      this._ids.delete(id);
    }
    return ended;
  }

  private _ids: Set<string>;
}
