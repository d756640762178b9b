// The job table's logic: state colours, search, sort, elapsed time, and the watch behind the notifications.
import type { SlurmJob } from '@mdlma/kernel/protocol';

import { JobWatch, elapsedSeconds, filterJobs, formatElapsed, sortJobs, stateGroup } from './job-list';

/** A job as `mdlma slurm list --json` prints it. */
function job(fields: Partial<SlurmJob> & { jobId: number }): SlurmJob {
  return {
    id: String(fields.jobId),
    name: 'job',
    user: 'ana',
    state: 'PENDING',
    reason: 'None',
    partition: 'debug',
    nodes: '',
    cpus: 1,
    exitCode: null,
    signal: null,
    submitTime: null,
    startTime: null,
    endTime: null,
    timeLimit: null,
    workdir: '/home/ana',
    stdout: '',
    stderr: '',
    source: 'squeue',
    ...fields
  };
}

const JOBS = [
  job({ jobId: 7, name: 'segment', state: 'COMPLETED', nodes: 'node1', submitTime: '2026-01-01T10:00:00Z', startTime: '2026-01-01T10:00:05Z', endTime: '2026-01-01T10:02:05Z' }),
  job({ jobId: 9, name: 'train-sun', state: 'RUNNING', nodes: 'gpu3', submitTime: '2026-01-01T11:00:00Z', startTime: '2026-01-01T11:00:00Z' }),
  job({ jobId: 8, name: 'register', state: 'FAILED', exitCode: 3, nodes: 'node2', submitTime: '2026-01-01T10:30:00Z' }),
  job({ jobId: 10, name: 'jupyterlab', state: 'PENDING', reason: 'JobHeldUser', submitTime: '2026-01-01T12:00:00Z' })
];

describe('state colours', () => {
  it.each([
    ['PENDING', 'pending'],
    ['RUNNING', 'running'],
    ['COMPLETING', 'running'],
    ['COMPLETED', 'completed'],
    ['FAILED', 'failed'],
    ['TIMEOUT', 'failed'],
    ['OUT_OF_MEMORY', 'failed'],
    ['CANCELLED', 'cancelled'],
    ['CANCELLED by 0', 'cancelled'],
    ['SOMETHING_NEW', 'other']
  ])('%s is %s', (state, group) => {
    expect(stateGroup(state)).toBe(group);
  });
});

describe('search', () => {
  it('matches every word against id, name, state, reason and nodes, ignoring case', () => {
    expect(filterJobs(JOBS, 'segment').map(j => j.id)).toEqual(['7']);
    expect(filterJobs(JOBS, 'gpu3 running').map(j => j.id)).toEqual(['9']);
    expect(filterJobs(JOBS, 'held').map(j => j.id)).toEqual(['10']);
    expect(filterJobs(JOBS, 'FAILED register').map(j => j.id)).toEqual(['8']);
    expect(filterJobs(JOBS, '  ')).toHaveLength(4);
    expect(filterJobs(JOBS, 'segment failed')).toEqual([]);
  });
});

describe('sort', () => {
  const now = Date.parse('2026-01-01T11:05:00Z');

  it('orders ids as numbers, newest first by default', () => {
    expect(sortJobs(JOBS, 'id', -1).map(j => j.id)).toEqual(['10', '9', '8', '7']);
    expect(sortJobs(JOBS, 'id', 1).map(j => j.id)).toEqual(['7', '8', '9', '10']);
  });

  it('orders by name, state, submission and elapsed time', () => {
    expect(sortJobs(JOBS, 'name', 1).map(j => j.name)).toEqual(['jupyterlab', 'register', 'segment', 'train-sun']);
    expect(sortJobs(JOBS, 'state', 1).map(j => j.state)).toEqual(['COMPLETED', 'FAILED', 'PENDING', 'RUNNING']);
    expect(sortJobs(JOBS, 'submitted', -1).map(j => j.id)).toEqual(['10', '9', '8', '7']);
    // running 5 min > completed after 2 min > never started (ties: newest first)
    expect(sortJobs(JOBS, 'elapsed', -1, now).map(j => j.id)).toEqual(['9', '7', '10', '8']);
  });

  it('puts array tasks in task order', () => {
    const tasks = [2, 0, 1].map(t => job({ jobId: 20 + t, arrayJobId: 20, arrayTaskId: t, id: `20_${t}` }));
    expect(sortJobs(tasks, 'id', 1).map(j => j.id)).toEqual(['20_0', '20_1', '20_2']);
  });
});

describe('elapsed time', () => {
  it('counts from start to end, or to now while running', () => {
    expect(elapsedSeconds(JOBS[0])).toBe(120);
    expect(elapsedSeconds(JOBS[1], Date.parse('2026-01-01T12:01:01Z'))).toBe(3661);
    expect(elapsedSeconds(JOBS[3])).toBeNull();
  });

  it('is written as Slurm writes it', () => {
    expect(formatElapsed(65)).toBe('1:05');
    expect(formatElapsed(3661)).toBe('1:01:01');
    expect(formatElapsed(2 * 86400 + 3 * 3600 + 4 * 60 + 5)).toBe('2-03:04:05');
    expect(formatElapsed(null)).toBe('');
  });
});

describe('JobWatch', () => {
  it('reports a submitted job once, when it completes or fails', () => {
    const watch = new JobWatch(['7', '8', '9']);
    const first = watch.update(JOBS);
    expect(first.map(e => [e.job.id, e.ok])).toEqual([
      ['7', true],
      ['8', false]
    ]);
    expect(watch.ids).toEqual(['9']);
    expect(watch.update(JOBS)).toEqual([]);
    const later = JOBS.map(j => (j.id === '9' ? { ...j, state: 'CANCELLED' } : j));
    expect(watch.update(later).map(e => [e.job.id, e.ok, e.job.state])).toEqual([['9', false, 'CANCELLED']]);
  });

  it('keeps watching a job that is not listed yet, and sums up an array job over its tasks', () => {
    const watch = new JobWatch();
    watch.add('30');
    expect(watch.update(JOBS)).toEqual([]);
    const tasks = (states: string[]) =>
      states.map((state, t) => job({ jobId: 31 + t, arrayJobId: 30, arrayTaskId: t, id: `30_${t}`, state, name: 'seg' }));
    expect(watch.update(tasks(['COMPLETED', 'RUNNING']))).toEqual([]);
    const ended = watch.update(tasks(['COMPLETED', 'FAILED']));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ ok: false, job: { id: '30', state: 'FAILED' } });
  });
});
