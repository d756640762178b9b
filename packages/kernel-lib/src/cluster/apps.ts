/**
 * Apps spawned as jobs (the `jupyterlab` template): the job writes host, port, token and URL to
 * `<workdir>/<dir>/app-<job id>.json` once its server listens; the client waits for that file.
 *
 * @example
 * const { jobId } = await slurm.submit({ ...renderTemplate(await findTemplate('jupyterlab')).job, script });
 * const app = await appConnection(slurm, jobId);   // { host, port, token, url, baseUrl, jobId }
 */
import { promises as fs } from 'fs';
import { join, resolve } from 'path';

import { InterruptedError, SlurmCommandError, SlurmJobError } from '../errors';
import { TERMINAL_STATES, type AppConnection, type SlurmJob } from '../protocol';
import { resolveSignal } from '../runtime/interrupt';
import type { SlurmClient } from './client';
import { tailFile } from './logs';

/** The app's connection if its job has written it (null if not yet), and the job. */
export async function readAppConnection(
  client: SlurmClient,
  id: string,
  dir = join('.mdlma', 'slurm')
): Promise<{ app: AppConnection | null; job: SlurmJob }> {
  const job = await client.show(id);
  const file = resolve(job.workdir, dir, `app-${job.jobId}.json`);
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (!text || TERMINAL_STATES.has(job.state)) {
    return { app: null, job };
  }
  return { app: Private.connection(id, file, text), job };
}

/**
 * Waits until the app job `id` has written its connection file and returns it. Throws
 * `SlurmJobError` if the job ends first, `SlurmCommandError` after `timeout`.
 */
export async function appConnection(client: SlurmClient, id: string, options: appConnection.IOptions = {}): Promise<AppConnection> {
  const signal = resolveSignal(options.signal);
  const deadline = Date.now() + (options.timeout ?? 120) * 1000;
  for (;;) {
    if (signal.aborted) {
      throw new InterruptedError(`Waiting for the app of Slurm job ${id}`);
    }
    const { app, job } = await readAppConnection(client, id, options.dir);
    if (app) {
      return app;
    }
    if (TERMINAL_STATES.has(job.state)) {
      throw new SlurmJobError(job.id, job.state, job.exitCode, await tailFile(job.stderr, 20));
    }
    if (Date.now() > deadline) {
      throw new SlurmCommandError(`app ${id}`, `the app did not report its address within ${options.timeout ?? 120} s (job ${job.state})`);
    }
    await new Promise(done => setTimeout(done, Math.min(client.pollInterval, 500)));
  }
}

/** Types of `appConnection`. */
export namespace appConnection {
  /** Options of `appConnection`. */
  export interface IOptions {
    /** Folder of the connection file, relative to the job's folder (the template's connection_dir; default .mdlma/slurm). */
    dir?: string;
    /** Seconds to wait for the app to start (default 120; a job still queued keeps waiting within it). */
    timeout?: number;
    signal?: AbortSignal;
  }
}

namespace Private {
  /**
   * The connection the job wrote, checked field by field: the job panel opens `host:port` through the proxy, so a
   * file that is not what the jupyterlab template writes is refused (`SlurmCommandError` naming the file and field).
   */
  export function connection(id: string, file: string, text: string): AppConnection {
    const refuse = (problem: string) => new SlurmCommandError(`app ${id}`, `the app's connection file ${file} ${problem}`);
    let info: unknown;
    try {
      info = JSON.parse(text);
    } catch (error) {
      throw refuse(`is not JSON (${(error as Error).message})`);
    }
    if (!info || typeof info !== 'object' || Array.isArray(info)) {
      throw refuse('is not a JSON object');
    }
    const fields = info as Record<string, unknown>;
    const field = (key: string, optional = false): string | undefined => {
      const value = fields[key];
      if ((value === undefined && optional) || (typeof value === 'string' && value !== '' && !/[\s\0]/.test(value))) {
        return value as string | undefined;
      }
      throw refuse(`has no valid "${key}" (a non-empty string without spaces is needed, found ${JSON.stringify(value)})`);
    };
    const port = fields.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw refuse(`has no valid "port" (a whole number from 1 to 65535 is needed, found ${JSON.stringify(port)})`);
    }
    return {
      host: field('host')!,
      port,
      token: field('token')!,
      url: field('url')!,
      baseUrl: field('base_url', true) ?? '/',
      jobId: field('job_id', true) ?? id
    };
  }
}
