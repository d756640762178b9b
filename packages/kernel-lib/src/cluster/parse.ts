/**
 * Parsers of what Slurm prints: `squeue --json`, `sacct --json` and the job-completion log of
 * `JobCompType=jobcomp/filetxt` (what a cluster without slurmdbd keeps of finished jobs).
 *
 * @example
 * const jobs = parseSqueueJson(await runSlurm(commands, 'squeue', ['--json']));
 */
import { TERMINAL_STATES, type SlurmJob } from '../protocol';

/** Jobs in the output of `squeue --json` (OpenAPI v0.0.38 of Slurm 22.05, and later ones). */
export function parseSqueueJson(text: string): SlurmJob[] {
  const data = JSON.parse(text) as { jobs?: Private.SqueueJob[] };
  return (data.jobs ?? []).map(Private.fromSqueue);
}

/** Jobs in the output of `sacct --json` (needs slurmdbd). */
export function parseSacctJson(text: string): SlurmJob[] {
  const data = JSON.parse(text) as { jobs?: Private.SacctJob[] };
  return (data.jobs ?? []).map(Private.fromSacct);
}

/** Jobs in a jobcomp/filetxt log: one line of `Key=Value` pairs per finished job; the last record of an id wins. */
export function parseJobcompLog(text: string): SlurmJob[] {
  const byId = new Map<string, SlurmJob>();
  for (const line of text.split('\n')) {
    if (line.trim()) {
      const job = Private.fromJobcomp(line);
      byId.set(job.id, job);
    }
  }
  return [...byId.values()];
}

/** Fills Slurm's filename patterns (%j %J %A %a %x %u %N %%, with optional zero padding like %3a). */
export function expandOutputPattern(
  pattern: string,
  job: Pick<SlurmJob, 'jobId' | 'arrayJobId' | 'arrayTaskId' | 'name' | 'user' | 'nodes'>
): string {
  return pattern.replace(/%(\d*)([jJAaxuNs%])/g, (_, width: string, key: string) => {
    const pad = (value: string | number) => String(value).padStart(Number(width || 0), '0');
    switch (key) {
      case 'j':
      case 'J':
        return pad(job.jobId);
      case 'A':
        return pad(job.arrayJobId ?? job.jobId);
      case 'a':
        return pad(job.arrayTaskId ?? 4294967294);
      case 'x':
        return job.name;
      case 'u':
        return job.user;
      case 'N':
        return job.nodes.split(',')[0] ?? '';
      case 's':
        return 'batch';
      default:
        return '%';
    }
  });
}

/** The id scancel accepts for a record: "12", or "10_3" for a task of an array. */
export function jobIdOf(jobId: number, arrayJobId?: number, arrayTaskId?: number | string): string {
  return arrayJobId && arrayTaskId !== undefined && arrayTaskId !== '' ? `${arrayJobId}_${arrayTaskId}` : String(jobId);
}

namespace Private {
  /** The fields of squeue's JSON job record that the client reads. */
  export interface SqueueJob {
    job_id: number;
    array_job_id?: number;
    array_task_id?: number | null;
    array_task_string?: string;
    name: string;
    user_name: string;
    job_state: string;
    state_reason?: string;
    partition: string;
    nodes: string;
    cpus?: number | null;
    exit_code?: number | null;
    submit_time?: number;
    start_time?: number;
    end_time?: number;
    time_limit?: number | null;
    current_working_directory?: string;
    standard_output?: string;
    standard_error?: string;
  }

  /** The fields of sacct's JSON job record that the client reads. */
  export interface SacctJob {
    job_id: number;
    name: string;
    user?: string;
    partition?: string;
    nodes?: string;
    working_directory?: string;
    state?: { current?: string; reason?: string };
    exit_code?: { status?: string; return_code?: number; signal?: { signal_id?: number } };
    array?: { job_id?: number; task_id?: number | null };
    time?: { submission?: number; start?: number; end?: number; limit?: number };
    required?: { CPUs?: number };
  }

  /** A job from one squeue record; exit_code there is a wait(2) status. */
  export function fromSqueue(raw: SqueueJob): SlurmJob {
    const arrayJobId = raw.array_job_id || undefined;
    const pendingTasks = raw.array_task_string ? `[${raw.array_task_string}]` : undefined;
    const arrayTaskId = raw.array_task_id ?? undefined;
    const ended = TERMINAL_STATES.has(raw.job_state);
    const status = raw.exit_code ?? 0;
    const job: SlurmJob = {
      id: jobIdOf(raw.job_id, arrayJobId, arrayTaskId ?? pendingTasks),
      jobId: raw.job_id,
      arrayJobId,
      arrayTaskId,
      name: raw.name,
      user: raw.user_name,
      state: raw.job_state,
      reason: raw.state_reason && raw.state_reason !== 'None' ? raw.state_reason : '',
      partition: raw.partition,
      nodes: raw.nodes ?? '',
      cpus: raw.cpus ?? null,
      exitCode: ended ? (status >> 8) & 0xff : null,
      signal: ended && status & 0x7f ? status & 0x7f : null,
      submitTime: isoFromEpoch(raw.submit_time),
      startTime: isoFromEpoch(raw.start_time),
      endTime: isoFromEpoch(raw.end_time),
      timeLimit: raw.time_limit ?? null,
      workdir: raw.current_working_directory ?? '',
      stdout: '',
      stderr: '',
      source: 'squeue'
    };
    return withFiles(job, raw.standard_output, raw.standard_error);
  }

  /** A job from one sacct record. */
  export function fromSacct(raw: SacctJob): SlurmJob {
    const arrayJobId = raw.array?.job_id || undefined;
    const arrayTaskId = raw.array?.task_id ?? undefined;
    const state = raw.state?.current ?? 'UNKNOWN';
    const job: SlurmJob = {
      id: jobIdOf(raw.job_id, arrayJobId, arrayTaskId),
      jobId: raw.job_id,
      arrayJobId,
      arrayTaskId,
      name: raw.name,
      user: raw.user ?? '',
      state,
      reason: raw.state?.reason && raw.state.reason !== 'None' ? raw.state.reason : '',
      partition: raw.partition ?? '',
      nodes: raw.nodes && raw.nodes !== 'None assigned' ? raw.nodes : '',
      cpus: raw.required?.CPUs ?? null,
      exitCode: TERMINAL_STATES.has(state) ? raw.exit_code?.return_code ?? null : null,
      signal: raw.exit_code?.signal?.signal_id ?? null,
      submitTime: isoFromEpoch(raw.time?.submission),
      startTime: isoFromEpoch(raw.time?.start),
      endTime: isoFromEpoch(raw.time?.end),
      timeLimit: raw.time?.limit ?? null,
      workdir: raw.working_directory ?? '',
      stdout: '',
      stderr: '',
      source: 'sacct'
    };
    return withFiles(job, undefined, undefined);
  }

  /** The keys of a jobcomp/filetxt line (Slurm 22.05 src/plugins/jobcomp/filetxt), in the order written. */
  const JOBCOMP_KEYS = new RegExp(
    '(?:^|\\s)(JobId|UserId|GroupId|Name|JobState|Partition|TimeLimit|StartTime|EndTime|NodeList|NodeCnt|ProcCnt|' +
      'WorkDir|ReservationName|Tres|Account|QOS|WcKey|Cluster|SubmitTime|EligibleTime|ArrayJobId|ArrayTaskId|' +
      'DerivedExitCode|ExitCode)=',
    'g'
  );

  /** A job from one jobcomp/filetxt line (values may contain spaces: split only before known keys). */
  export function fromJobcomp(line: string): SlurmJob {
    const fields = new Map<string, string>();
    const matches = [...line.matchAll(JOBCOMP_KEYS)];
    matches.forEach((match, i) => {
      const start = (match.index ?? 0) + match[0].length;
      const end = i + 1 < matches.length ? matches[i + 1].index ?? line.length : line.length;
      fields.set(match[1], line.slice(start, end).trim());
    });
    const jobId = Number(fields.get('JobId'));
    const arrayJobId = fields.has('ArrayJobId') ? Number(fields.get('ArrayJobId')) : undefined;
    const arrayTaskId = fields.has('ArrayTaskId') ? Number(fields.get('ArrayTaskId')) : undefined;
    const [code, signal] = (fields.get('ExitCode') ?? '').split(':').map(Number);
    const nodes = fields.get('NodeList') ?? '';
    const job: SlurmJob = {
      id: jobIdOf(jobId, arrayJobId, arrayTaskId),
      jobId,
      arrayJobId,
      arrayTaskId,
      name: fields.get('Name') ?? '',
      user: (fields.get('UserId') ?? '').replace(/\(\d+\)$/, ''),
      state: fields.get('JobState') ?? 'UNKNOWN',
      reason: '',
      partition: fields.get('Partition') ?? '',
      nodes: nodes === '(null)' ? '' : nodes,
      cpus: fields.has('ProcCnt') ? Number(fields.get('ProcCnt')) : null,
      exitCode: Number.isFinite(code) ? code : null,
      signal: signal ? signal : null,
      submitTime: isoFromLocal(fields.get('SubmitTime')),
      startTime: isoFromLocal(fields.get('StartTime')),
      endTime: isoFromLocal(fields.get('EndTime')),
      timeLimit: minutesOf(fields.get('TimeLimit')),
      workdir: fields.get('WorkDir') ?? '',
      stdout: '',
      stderr: '',
      source: 'jobcomp'
    };
    return withFiles(job, undefined, undefined);
  }

  /** Sets stdout/stderr: the patterns expanded and made absolute; Slurm's default when not given. */
  export function withFiles(job: SlurmJob, stdout: string | undefined, stderr: string | undefined): SlurmJob {
    const fallback = job.arrayJobId ? 'slurm-%A_%a.out' : 'slurm-%j.out';
    const absolute = (path: string) => (path.startsWith('/') || !job.workdir ? path : `${job.workdir}/${path}`);
    job.stdout = absolute(expandOutputPattern(stdout || fallback, job));
    job.stderr = stderr ? absolute(expandOutputPattern(stderr, job)) : job.stdout;
    return job;
  }

  /** ISO 8601 from Unix seconds; null for 0 or missing. */
  export function isoFromEpoch(seconds: number | undefined): string | null {
    return seconds ? new Date(seconds * 1000).toISOString() : null;
  }

  /** ISO 8601 from Slurm's local "2026-11-28T12:56:39"; null for "Unknown" or "None". */
  export function isoFromLocal(text: string | undefined): string | null {
    if (!text || !/^\d{4}-\d\d-\d\dT/.test(text)) {
      return null;
    }
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }

  /** Minutes of a Slurm time limit ("30", "01:00:00", "1-00:00:00"); null for UNLIMITED. */
  export function minutesOf(text: string | undefined): number | null {
    if (!text || !/^[\d:-]+$/.test(text)) {
      return null;
    }
    const [days, rest] = text.includes('-') ? text.split('-') : ['0', text];
    const parts = rest.split(':').map(Number);
    const [h, m, s] = parts.length === 3 ? parts : parts.length === 2 ? [0, parts[0], parts[1]] : [0, parts[0], 0];
    return Number(days) * 1440 + h * 60 + m + Math.round(s / 60);
  }
}
