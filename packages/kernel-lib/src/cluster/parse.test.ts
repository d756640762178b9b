// Parsers on outputs captured from Debian 12's Slurm 22.05.8 (scripts/slurm-cluster.sh): a job that exits 3, a held
// job, and a 3-task array job (fixtures/squeue-22.05.json, `squeue --json`; fixtures/jobcomp-filetxt.log, the
// jobcomp/filetxt log of the same jobs after the held one was released and cancelled).
import { readFileSync } from 'fs';
import { join } from 'path';

import { expandOutputPattern, parseJobcompLog, parseSacctJson, parseSqueueJson } from './parse';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('parseSqueueJson', () => {
  const jobs = parseSqueueJson(fixture('squeue-22.05.json'));

  it('reads every job, array tasks with their array ids', () => {
    expect(jobs.map(j => j.id)).toEqual(['1', '2', '3_0', '3_1', '3_2']);
    expect(jobs.find(j => j.id === '3_1')).toMatchObject({ jobId: 5, arrayJobId: 3, arrayTaskId: 1, state: 'COMPLETED' });
  });

  it('turns the wait status into exit code and signal, only for ended jobs', () => {
    const failed = jobs.find(j => j.name === 'capfail');
    expect(failed).toMatchObject({ state: 'FAILED', exitCode: 3, signal: null, reason: 'NonZeroExitCode', nodes: 'vm' });
    expect(jobs.find(j => j.name === 'sleeper')).toMatchObject({ state: 'PENDING', exitCode: null, reason: 'JobHeldUser' });
  });

  it('fills in the output file patterns and makes them absolute', () => {
    const failed = jobs.find(j => j.name === 'capfail');
    expect(failed?.stdout).toBe('/tmp/cap/out-1.txt');
    expect(failed?.stderr).toBe('/tmp/cap/err-1.txt');
    expect(jobs.find(j => j.id === '3_2')?.stdout).toBe('/tmp/cap/arr-3_2.txt');
    // No --output: Slurm's default in the job's folder, stderr into the same file.
    expect(jobs.find(j => j.name === 'sleeper')).toMatchObject({ stdout: '/tmp/cap/slurm-2.out', stderr: '/tmp/cap/slurm-2.out' });
  });

  it('gives ISO times and no time limit for UNLIMITED', () => {
    const failed = jobs.find(j => j.name === 'capfail');
    expect(failed?.startTime).toBe(new Date(1795870599 * 1000).toISOString());
    expect(failed?.timeLimit).toBeNull();
  });
});

describe('parseJobcompLog', () => {
  const jobs = parseJobcompLog(fixture('jobcomp-filetxt.log'));

  it('reads finished jobs with state, exit code and array ids', () => {
    expect(jobs.map(j => j.id).sort()).toEqual(['1', '2', '3_0', '3_1', '3_2', '6']);
    expect(jobs.find(j => j.id === '1')).toMatchObject({ name: 'capfail', state: 'FAILED', exitCode: 3, user: 'root', source: 'jobcomp' });
    expect(jobs.find(j => j.id === '2')).toMatchObject({ state: 'CANCELLED', workdir: '/tmp/cap', nodes: 'vm' });
    expect(jobs.find(j => j.id === '6')?.nodes).toBe('');
  });

  it('keeps values with spaces whole and lets the last record of an id win', () => {
    const line = (state: string) =>
      `JobId=9 UserId=ana(1000) GroupId=ana(1000) Name=my job JobState=${state} Partition=debug TimeLimit=01:30:00 ` +
      'StartTime=2026-11-28T12:00:00 EndTime=Unknown NodeList=vm WorkDir=/home/ana/my data ExitCode=0:9';
    const [job] = parseJobcompLog(`${line('RUNNING')}\n${line('CANCELLED')}\n`);
    expect(job).toMatchObject({ name: 'my job', workdir: '/home/ana/my data', state: 'CANCELLED', timeLimit: 90, signal: 9 });
    expect(job.endTime).toBeNull();
  });
});

describe('parseSacctJson', () => {
  it('reads the fields sacct --json gives (slurmdbd clusters)', () => {
    const text = JSON.stringify({
      jobs: [{ job_id: 7, name: 'seg', user: 'ana', state: { current: 'TIMEOUT' }, exit_code: { return_code: 0 },
        array: { job_id: 0, task_id: null }, time: { submission: 1795870000, start: 1795870001, end: 1795870061, limit: 1 },
        working_directory: '/data' }]
    });
    expect(parseSacctJson(text)[0]).toMatchObject({ id: '7', state: 'TIMEOUT', exitCode: 0, timeLimit: 1, stdout: '/data/slurm-7.out' });
  });
});

describe('expandOutputPattern', () => {
  const job = { jobId: 12, arrayJobId: 10, arrayTaskId: 3, name: 'seg', user: 'ana', nodes: 'n1,n2' };
  it('fills %j %A %a %x %u %N, zero padding and %%', () => {
    expect(expandOutputPattern('%x-%A_%a-%j-%u-%N-%3a-100%%.out', job)).toBe('seg-10_3-12-ana-n1-003-100%.out');
  });
});
