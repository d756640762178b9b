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

import { integerOption, realOption } from '../cli-numbers';
import { MdlmaError, SlurmUnavailableError } from '../errors';
import { writeAtomically } from '../io/atomic';
import { appConnection, readAppConnection } from './apps';
import { OptionUsageError, ParsedCommand, SubmitInput, UsageError, lastOption, submitInput } from './cli-input';
import { SlurmClient } from './client';
import { SlurmCommands } from './exec';
import { sbatchArguments } from './sbatch-args';
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
                                  the end of the job's stdout (or stderr): n lines (0 to 100000, default 100);
                                  --follow until the job ends
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
  --request-file <file|->         a JSON object {template, params, job, workdir, env, hold, origin} from a file or
                                  stdin: no command-line length limit, values out of ps (the command line wins)
  --name <n> --partition <p> --cpus <n> --mem <4G> --time <01:00:00> --gres <gpu:1>
  --array <0-9> --dependency <afterok:12> --output <file> --error <file> --workdir <dir>
  --env <NAME=value>              job environment variable (repeatable). Jobs never inherit this environment:
                                  they get Slurm's variables, the login environment, LANG, LC_ALL, TZ, MDLMA_MODELS,
                                  SLURM_CONF, the names in $MDLMA_SLURM_JOB_ENV, and --env. Refused: PATH, LD_*,
                                  SLURM_*, SBATCH_*, SCICAT_*, JUPYTERHUB_*, JPY_* and $MDLMA_SLURM_DENY_ENV (globs)
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
    return error instanceof SlurmUnavailableError ? 3 : error instanceof MdlmaError || error instanceof UsageError ? 2 : 1;
  }
}

namespace Private {
  /** Slurm's default MaxArraySize (1001): array indices 0..1000. */
  const MAX_ARRAY_TASKS = 1001;

  /** The command line, read, with where the Slurm commands are. */
  export interface Parsed extends ParsedCommand {
    commands: SlurmCommands;
  }

  const VALUED = new Set([
    '--template', '--param', '--params-json', '--origin-json', '--request-file', '--name', '--partition', '--cpus', '--mem', '--time', '--gres', '--array',
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
    parsed.commands = { bin: lastOption(parsed, '--slurm-bin'), slurmConf: lastOption(parsed, '--slurm-conf') };
    return parsed;
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
            user: lastOption(parsed, '--user'),
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
        const timeout = lastOption(parsed, '--timeout');
        return { job: await client.wait(id(parsed), { timeout: seconds(timeout) }) };
      }
      case 'templates':
        return templates(parsed);
      case 'app': {
        if (parsed.flags.has('--no-wait')) {
          const { app, job } = await readAppConnection(client, id(parsed));
          return { app, state: job.state };
        }
        const timeout = lastOption(parsed, '--timeout');
        return { app: await appConnection(client, id(parsed), { timeout: seconds(timeout) }) };
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
    const input = await submitInput(parsed);
    let script: string;
    let job: Omit<SubmitOptions, 'script'> = {};
    let values: Record<string, unknown> | undefined;
    if (input.template) {
      ({ script, job, values } = renderTemplate(await findTemplate(input.template), input.params));
    } else {
      const file = parsed.positional[0];
      if (!file) {
        throw new UsageError('mdlma slurm submit needs a script file or --template <name>');
      }
      script = await fs.readFile(file, 'utf8');
    }
    const origin = input.origin ?? { template: input.template, params: values };
    const result = await client.submit({ ...job, ...input.job, script, origin });
    return { ...result, template: input.template, params: values };
  }

  /** render: the script and job options of a template, checked as submit checks them; nothing submitted. */
  async function render(parsed: Parsed): Promise<unknown> {
    const input: SubmitInput = await submitInput(parsed);
    const name = input.template ?? parsed.positional[0];
    if (!name) {
      throw new UsageError('mdlma slurm render needs --template <name>');
    }
    const rendered = renderTemplate(await findTemplate(name), input.params);
    const { env, ...job } = { ...rendered.job, ...input.job };
    sbatchArguments({ ...job, env, script: rendered.script }, { slurmConf: parsed.commands.slurmConf });
    return { template: name, ...rendered, job };
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
    const lines = linesOf(lastOption(parsed, '--lines') ?? '100');
    const job = await client.show(id(parsed));
    const path = stream === 'stderr' ? job.stderr : job.stdout;
    return { id: job.id, state: job.state, stream, path, text: await client.logs(job.id, { stream, lines }) };
  }

  /** --lines: ASCII digits (Number() would also take "1e3", " 12", "0x1f"), from 0 to 100000. */
  function linesOf(text: string): number {
    if (!/^[0-9]{1,6}$/.test(text) || Number(text) > 100_000) {
      throw new UsageError(`--lines ${JSON.stringify(text)}: give a whole number from 0 to 100000 in digits 0-9`);
    }
    return Number(text);
  }

  /** The array segmentation commands (loaded on demand: they bring ONNX Runtime). */
  async function arraySegmentation(client: SlurmClient, parsed: Parsed): Promise<unknown> {
    const array = require('./segment-array') as typeof import('./segment-array');
    const count = (key: string, range: { min: number; max?: number }) => {
      const text = lastOption(parsed, key);
      return text === undefined ? undefined : integerOption(key, text, range, OptionUsageError);
    };
    const axes = count('--axes', { min: 1, max: 9 });
    if (axes !== undefined && axes !== 1 && axes !== 3 && axes !== 9) {
      throw new UsageError(`--axes must be 1, 3 or 9, got ${axes}`);
    }
    const settings = {
      model: lastOption(parsed, '--model'),
      axes: axes as 1 | 3 | 9 | undefined,
      voting: lastOption(parsed, '--voting') as 'soft' | 'hard' | undefined,
      // The tasks run on compute nodes whose cores this machine does not know: each task uses at most its own.
      threads: count('--threads', { min: 1 }),
      slabDepth: count('--slab-depth', { min: 1 }),
      halo: count('--halo', { min: 0 })
    };
    const input = parsed.positional[0];
    if (!input) {
      throw new UsageError(`mdlma slurm ${parsed.command} needs ${parsed.command === 'segment' || parsed.command === 'segment-task' ? 'an input volume' : 'the Zarr store'}`);
    }
    const out = lastOption(parsed, '--out');
    if (parsed.command === 'segment-task') {
      const task = integerOption('--task', lastOption(parsed, '--task') ?? process.env.SLURM_ARRAY_TASK_ID ?? '', { min: 0 }, OptionUsageError);
      if (!out) {
        throw new UsageError('segment-task needs --out <x.zarr>');
      }
      return { task, ...(await array.runSegmentTask(input, out, task, settings)) };
    }
    if (parsed.command === 'segment-merge') {
      return array.mergeSegmentArray(input, lastOption(parsed, '--merge'));
    }
    if (parsed.command === 'segment-resubmit') {
      const run = JSON.parse(await fs.readFile(`${input.replace(/\/+$/, '')}.run.json`, 'utf8'));
      const tasks = (lastOption(parsed, '--tasks') ?? '').split(',').filter(Boolean).map(task => integerOption('--tasks', task, { min: 0 }, OptionUsageError));
      const again = await array.resubmitSegmentTasks(run, tasks, client);
      await writeRunRecord(again);
      return parsed.flags.has('--wait') ? { ...again, merge: await waitForRun(client, again) } : again;
    }
    if (!out) {
      throw new UsageError('mdlma slurm segment needs --out <x.zarr>');
    }
    const run = await array.submitSegmentArray({
      ...settings,
      input,
      out,
      tasks: count('--tasks', { min: 1, max: MAX_ARRAY_TASKS }),
      merge: lastOption(parsed, '--merge'),
      job: (await submitInput(parsed)).job,
      client
    });
    await writeRunRecord(run);
    return parsed.flags.has('--wait') ? { ...run, merge: await waitForRun(client, run) } : run;
  }

  /** `<store>.run.json`, what `segment-resubmit` reads back: written whole or not at all. */
  async function writeRunRecord(run: { out: string }): Promise<void> {
    await writeAtomically(`${run.out}.run.json`, temporary => fs.writeFile(temporary, JSON.stringify(run, null, 2)));
  }

  /** --timeout in seconds (a decimal number >= 0), or undefined when not given. */
  function seconds(text: string | undefined): number | undefined {
    return text === undefined ? undefined : realOption('--timeout', text, { min: 0 }, OptionUsageError);
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
