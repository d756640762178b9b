/**
 * `mdlma slurm`: the cluster API as a command, for scripts and for the server extension, which
 * runs it with --json and returns its output. Errors print as `{"error": {"type", "message", ...}}`
 * (on stdout and stderr) with exit code 2 for what the user can fix, 3 when Slurm is unavailable.
 *
 * @example
 * mdlma slurm submit --template segment-volume --param input=scan.nii.gz --param output=labels.nii.gz --json
 * mdlma slurm list --json
 * mdlma slurm logs 12 --follow
 */
import { promises as fs } from 'fs';

import { MdlmaError, SlurmUnavailableError } from '../errors';
import { appConnection, readAppConnection } from './apps';
import { SlurmClient } from './client';
import { SlurmCommands } from './exec';
import { findTemplate, loadTemplates, renderTemplate } from './templates';
import { SubmitOptions } from './types';

/** Help text of `mdlma slurm`. */
export const SLURM_USAGE = `usage: mdlma slurm <command> [options] [--json]

commands:
  submit [script.sh] [options]    submit a script file, or a template (--template); prints the job id
  render --template <name> ...    print the script a template submission would run (nothing is submitted)
  list [--all] [--user <u>]       jobs: queued and running (squeue), finished (sacct or the completion log)
  show <id>                       one job ("12", a task "10_3", or an array "10" with its tasks), and what it
                                  was submitted with (template, parameters, options) when mdlma submitted it
  nodes                           the compute nodes (name, host name, address, state)
  cancel|hold|release <id>        scancel, scontrol hold, scontrol release
  logs <id> [--stderr] [--lines <n>] [--follow]
                                  the end of the job's stdout (or stderr); --follow until the job ends
  wait <id> [--timeout <s>]       wait until the job ends; exit 2 and the end of stderr if it failed
  templates [<name>]              the job templates (name, title, parameters with defaults and help)
  segment <in> --out <x.zarr> [--tasks <n> | --slab-depth <d>] [--halo <h>] [--model <m>] [--axes <1|3|9>]
        [--voting <v>] [--threads <n>] [--merge <labels.nii.gz>] [job options] [--wait]
                                  SUN segmentation as an array job (one z-slab per task, into one Zarr store)
                                  and a dependent merge job; equals in-process segment() with the same settings
  segment-resubmit <x.zarr> --tasks <1,3>   submit failed tasks of an array segmentation again
  segment-task, segment-merge     what the array and merge jobs run
  app <id> [--timeout <s>]        wait until an app job (template jupyterlab) reports host, port, token, url;
                                  --no-wait: answer at once ({"app": null} while it is starting)

submit and render options:
  --template <name>               a job template (mdlma slurm templates); --param name=value for each parameter
  --param <name=value>            a template parameter (repeatable)
  --params-json <json>            template parameters as one JSON object
  --origin-json <json>            what the job is recorded as made from ({template, params, edited}; show prints it)
  --name <n> --partition <p> --cpus <n> --mem <4G> --time <01:00:00> --gres <gpu:1>
  --array <0-9> --dependency <afterok:12> --output <file> --error <file> --workdir <dir>
  --env <NAME=value>              job environment variable (repeatable)
  --hold                          submit held

everywhere:
  --slurm-bin <dir>               folder of sbatch, squeue, ... (default: PATH; env MDLMA_SLURM_BIN)
  --slurm-conf <file>             SLURM_CONF for the commands (default: the environment's)
  --json                          machine-readable output
  --help                          this text`;

/** Runs `mdlma slurm` with `argv` (the words after "slurm", or including it); returns the exit code. */
export async function slurmCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'slurm' ? argv.slice(1) : argv;
  const json = args.includes('--json');
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${SLURM_USAGE}\n`);
    return args.length === 0 ? 2 : 0;
  }
  try {
    const parsed = Private.parse(args);
    const client = new SlurmClient({ commands: parsed.commands, pollInterval: 500 });
    const result = await Private.run(client, parsed);
    if (result !== undefined) {
      process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${Private.text(result)}\n`);
    }
    return 0;
  } catch (error) {
    const report = Private.errorReport(error);
    if (json) {
      const line = `${JSON.stringify({ error: report })}\n`;
      process.stdout.write(line);
      process.stderr.write(line);
    } else {
      process.stderr.write(`mdlma slurm: ${report.message}\n`);
    }
    return error instanceof SlurmUnavailableError ? 3 : error instanceof MdlmaError || error instanceof Private.UsageError ? 2 : 1;
  }
}

namespace Private {
  /** A command line that does not parse. */
  export class UsageError extends Error {
    name = 'UsageError';
  }

  /** The command line, read. */
  export interface Parsed {
    command: string;
    positional: string[];
    options: Map<string, string[]>;
    flags: Set<string>;
    commands: SlurmCommands;
  }

  const VALUED = new Set([
    '--template', '--param', '--params-json', '--origin-json', '--name', '--partition', '--cpus', '--mem', '--time', '--gres', '--array',
    '--dependency', '--output', '--error', '--workdir', '--env', '--user', '--lines', '--timeout', '--slurm-bin', '--slurm-conf',
    '--out', '--tasks', '--slab-depth', '--halo', '--model', '--axes', '--voting', '--threads', '--merge', '--task'
  ]);
  const FLAGS = new Set(['--json', '--all', '--hold', '--stderr', '--follow', '--no-finished', '--no-wait', '--wait']);

  /** Splits argv into command, positional words, valued options and flags. */
  export function parse(args: string[]): Parsed {
    const [command, ...rest] = args;
    const parsed: Parsed = { command, positional: [], options: new Map(), flags: new Set(), commands: {} };
    for (let i = 0; i < rest.length; i++) {
      const word = rest[i];
      const eq = word.startsWith('--') ? word.indexOf('=') : -1;
      const key = eq > 0 ? word.slice(0, eq) : word;
      if (VALUED.has(key)) {
        const value = eq > 0 ? word.slice(eq + 1) : rest[++i];
        if (value === undefined) {
          throw new UsageError(`${key} needs a value`);
        }
        parsed.options.set(key, [...(parsed.options.get(key) ?? []), value]);
      } else if (FLAGS.has(word)) {
        parsed.flags.add(word);
      } else if (word.startsWith('--')) {
        throw new UsageError(`unknown option ${word} (mdlma slurm --help)`);
      } else {
        parsed.positional.push(word);
      }
    }
    parsed.commands = { bin: one(parsed, '--slurm-bin'), slurmConf: one(parsed, '--slurm-conf') };
    return parsed;
  }

  /** The last value of an option. */
  export function one(parsed: Parsed, key: string): string | undefined {
    return parsed.options.get(key)?.at(-1);
  }

  /** The job id argument. */
  function id(parsed: Parsed): string {
    const value = parsed.positional[0];
    if (!value) {
      throw new UsageError(`mdlma slurm ${parsed.command} needs a job id`);
    }
    return value;
  }

  /** Runs the command; returns what to print (undefined: already printed). */
  export async function run(client: SlurmClient, parsed: Parsed): Promise<unknown> {
    switch (parsed.command) {
      case 'submit':
        return submit(client, parsed);
      case 'render':
        return render(parsed);
      case 'list':
        return {
          jobs: await client.list({
            all: parsed.flags.has('--all'),
            user: one(parsed, '--user'),
            finished: !parsed.flags.has('--no-finished')
          })
        };
      case 'nodes':
        return { nodes: await client.nodes() };
      case 'show': {
        const job = await client.show(id(parsed));
        return { job, submission: await client.submission(job) };
      }
      case 'cancel':
      case 'hold':
      case 'release':
        return { job: await client[parsed.command](id(parsed)) };
      case 'logs':
        return logs(client, parsed);
      case 'wait': {
        const timeout = one(parsed, '--timeout');
        return { job: await client.wait(id(parsed), { timeout: timeout ? Number(timeout) : undefined }) };
      }
      case 'templates':
        return templates(parsed);
      case 'app': {
        if (parsed.flags.has('--no-wait')) {
          const { app, job } = await readAppConnection(client, id(parsed));
          return { app, state: job.state };
        }
        const timeout = one(parsed, '--timeout');
        return { app: await appConnection(client, id(parsed), { timeout: timeout ? Number(timeout) : undefined }) };
      }
      case 'segment':
      case 'segment-task':
      case 'segment-merge':
      case 'segment-resubmit':
        return arraySegmentation(client, parsed);
      default:
        throw new UsageError(`unknown command "${parsed.command}" (mdlma slurm --help)`);
    }
  }

  /** submit: a script file, or a rendered template, with the job options of the command line on top. */
  async function submit(client: SlurmClient, parsed: Parsed): Promise<unknown> {
    const templateName = one(parsed, '--template');
    let script: string;
    let job: Omit<SubmitOptions, 'script'> = {};
    let values: Record<string, unknown> | undefined;
    if (templateName) {
      const rendered = renderTemplate(await findTemplate(templateName), templateParams(parsed));
      ({ script, job, values } = rendered);
    } else {
      const file = parsed.positional[0];
      if (!file) {
        throw new UsageError('mdlma slurm submit needs a script file or --template <name>');
      }
      script = await fs.readFile(file, 'utf8');
    }
    const origin = one(parsed, '--origin-json') ? originOf(one(parsed, '--origin-json')!) : { template: templateName, params: values };
    const options: SubmitOptions = { ...job, ...jobOptions(parsed), script, origin };
    const result = await client.submit(options);
    return { ...result, template: templateName, params: values };
  }

  /** render: the script and job options of a template, nothing submitted. */
  async function render(parsed: Parsed): Promise<unknown> {
    const name = one(parsed, '--template') ?? parsed.positional[0];
    if (!name) {
      throw new UsageError('mdlma slurm render needs --template <name>');
    }
    const rendered = renderTemplate(await findTemplate(name), templateParams(parsed));
    return { template: name, ...rendered, job: { ...rendered.job, ...jobOptions(parsed) } };
  }

  /** logs: the tail, or with --follow the growing file until the job ends. */
  async function logs(client: SlurmClient, parsed: Parsed): Promise<unknown> {
    const stream = parsed.flags.has('--stderr') ? 'stderr' : 'stdout';
    if (parsed.flags.has('--follow')) {
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      for await (const chunk of client.follow(id(parsed), { stream, signal: controller.signal })) {
        process.stdout.write(parsed.flags.has('--json') ? `${JSON.stringify({ chunk })}\n` : chunk);
      }
      return undefined;
    }
    const lines = Number(one(parsed, '--lines') ?? 100);
    const job = await client.show(id(parsed));
    const path = stream === 'stderr' ? job.stderr : job.stdout;
    return { id: job.id, state: job.state, stream, path, text: await client.logs(job.id, { stream, lines }) };
  }

  /** The array segmentation commands (loaded on demand: they bring ONNX Runtime). */
  async function arraySegmentation(client: SlurmClient, parsed: Parsed): Promise<unknown> {
    const array = require('./segment-array') as typeof import('./segment-array');
    const number = (key: string) => (one(parsed, key) === undefined ? undefined : Number(one(parsed, key)));
    const settings = {
      model: one(parsed, '--model'),
      axes: number('--axes') as 1 | 3 | 9 | undefined,
      voting: one(parsed, '--voting') as 'soft' | 'hard' | undefined,
      threads: number('--threads'),
      slabDepth: number('--slab-depth'),
      halo: number('--halo')
    };
    const input = parsed.positional[0];
    if (!input) {
      throw new UsageError(`mdlma slurm ${parsed.command} needs ${parsed.command === 'segment' || parsed.command === 'segment-task' ? 'an input volume' : 'the Zarr store'}`);
    }
    const out = one(parsed, '--out');
    if (parsed.command === 'segment-task') {
      const task = Number(one(parsed, '--task') ?? process.env.SLURM_ARRAY_TASK_ID);
      if (!out) {
        throw new UsageError('segment-task needs --out <x.zarr>');
      }
      return { task, ...(await array.runSegmentTask(input, out, task, settings)) };
    }
    if (parsed.command === 'segment-merge') {
      return array.mergeSegmentArray(input, one(parsed, '--merge'));
    }
    if (parsed.command === 'segment-resubmit') {
      const run = JSON.parse(await fs.readFile(`${input.replace(/\/+$/, '')}.run.json`, 'utf8'));
      const tasks = (one(parsed, '--tasks') ?? '').split(',').filter(Boolean).map(Number);
      const again = await array.resubmitSegmentTasks(run, tasks, client);
      await fs.writeFile(`${again.out}.run.json`, JSON.stringify(again, null, 2));
      return parsed.flags.has('--wait') ? { ...again, merge: await waitForRun(client, again) } : again;
    }
    if (!out) {
      throw new UsageError('mdlma slurm segment needs --out <x.zarr>');
    }
    const run = await array.submitSegmentArray({
      ...settings,
      input,
      out,
      tasks: number('--tasks'),
      merge: one(parsed, '--merge'),
      job: jobOptions(parsed),
      client
    });
    await fs.writeFile(`${run.out}.run.json`, JSON.stringify(run, null, 2));
    return parsed.flags.has('--wait') ? { ...run, merge: await waitForRun(client, run) } : run;
  }

  /** Waits for the tasks (a failed one throws SlurmJobError: the merge would never run), then the merge. */
  async function waitForRun(client: SlurmClient, run: { arrayJobId: string; mergeJobId: string }) {
    await client.wait(run.arrayJobId);
    return client.wait(run.mergeJobId);
  }

  /** templates: all of them, or one with its script. */
  async function templates(parsed: Parsed): Promise<unknown> {
    const name = parsed.positional[0];
    if (name) {
      return { template: await findTemplate(name) };
    }
    const all = await loadTemplates();
    return { templates: all.map(({ script, ...rest }) => rest) };
  }

  /** --origin-json: what a submission was made from, when not the template submitted (an edited script). */
  function originOf(text: string): SubmitOptions['origin'] {
    let value: { template?: unknown; params?: unknown; edited?: unknown };
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--origin-json is not JSON: ${(error as Error).message}`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new UsageError('--origin-json must be a JSON object');
    }
    const params = value.params && typeof value.params === 'object' && !Array.isArray(value.params) ? (value.params as Record<string, unknown>) : undefined;
    return { template: typeof value.template === 'string' ? value.template : undefined, params, edited: value.edited === true };
  }

  /** Template parameters from --params-json and --param name=value. */
  function templateParams(parsed: Parsed): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const text of parsed.options.get('--params-json') ?? []) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new UsageError(`--params-json is not JSON: ${(error as Error).message}`);
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw new UsageError('--params-json must be a JSON object');
      }
      Object.assign(params, value);
    }
    for (const pair of parsed.options.get('--param') ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UsageError(`--param ${pair}: write name=value`);
      }
      params[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return params;
  }

  /** Job options from the command line. */
  function jobOptions(parsed: Parsed): Omit<SubmitOptions, 'script'> {
    const options: Omit<SubmitOptions, 'script'> = {};
    const keys = ['name', 'partition', 'mem', 'time', 'gres', 'array', 'dependency', 'output', 'error', 'workdir'] as const;
    for (const key of keys) {
      const value = one(parsed, `--${key}`);
      if (value !== undefined) {
        options[key] = value;
      }
    }
    const cpus = one(parsed, '--cpus');
    if (cpus !== undefined) {
      options.cpus = Number(cpus);
    }
    if (parsed.flags.has('--hold')) {
      options.hold = true;
    }
    const env = parsed.options.get('--env');
    if (env) {
      options.env = {};
      for (const pair of env) {
        const eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new UsageError(`--env ${pair}: write NAME=value`);
        }
        options.env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
    return options;
  }

  /** The facts of an error for --json: its type, message and own fields. */
  export function errorReport(error: unknown): Record<string, unknown> {
    if (error instanceof Error) {
      const fields = Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'name' && key !== 'cause'));
      return { ...fields, type: error.name, message: error.message };
    }
    return { type: 'Error', message: String(error) };
  }

  /** Plain-text output of a result. */
  export function text(result: unknown): string {
    const value = result as Record<string, unknown>;
    if (Array.isArray(value.jobs)) {
      const rows = (value.jobs as Record<string, unknown>[]).map(job =>
        [job.id, job.name, job.state, job.reason, job.exitCode ?? '', job.nodes].join('\t')
      );
      return ['ID\tNAME\tSTATE\tREASON\tEXIT\tNODES', ...rows].join('\n');
    }
    if (typeof value.jobId === 'string') {
      return value.jobId;
    }
    if (typeof value.text === 'string') {
      return value.text.replace(/\n$/, '');
    }
    if (typeof value.script === 'string') {
      return value.script.replace(/\n$/, '');
    }
    return JSON.stringify(result, null, 2);
  }
}

if (require.main === module) {
  // `node lib/cluster/cli.js slurm ...` until the command is wired into `mdlma`.
  slurmCommand(process.argv.slice(2)).then(code => (process.exitCode = code));
}
