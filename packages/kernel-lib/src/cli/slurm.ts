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

import { appConnection, findTemplate, loadTemplates, readAppConnection, renderTemplate, sbatchArguments, SlurmClient } from '../cluster';
import { MdlmaError, SlurmUnavailableError, UsageError } from '../errors';
import type { SubmitOptions } from '../protocol';
import { exitStatusHelp, usageFailure } from './exit-status';
import { realOption } from './option-values';
import { parseSlurmArgs, type SlurmCommandLine } from './slurm-args';
import { submitInput, type SubmitInput } from './slurm-input';

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
        [--voting <v>] [--precision <p>] [--threads <n>] [--merge <labels.nii.gz>] [job options] [--wait]
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
  --json                          machine-readable output; errors as {"error": {type, message, ...}} on stdout and stderr
  --help                          this text

${exitStatusHelp({
  0: 'done',
  1: 'an unexpected failure',
  2: 'a refused request (typed error: template, submission, job id), or a job that ended other than COMPLETED (wait)',
  3: 'Slurm is not available (commands missing, controller down)'
})}`;

/** Runs `mdlma slurm` with `argv` (the words after "slurm", or including it); returns the exit code. */
export async function slurmCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'slurm' ? argv.slice(1) : argv;
  const json = args.includes('--json');
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${SLURM_USAGE}\n`);
    return args.length === 0 ? 2 : 0;
  }
  try {
    const parsed = parseSlurmArgs(args);
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
    } else if (error instanceof UsageError) {
      return usageFailure('slurm', error);
    } else {
      process.stderr.write(`mdlma slurm: ${report.message}\n`);
    }
    return error instanceof SlurmUnavailableError ? 3 : error instanceof MdlmaError ? 2 : 1;
  }
}

namespace Private {
  /** The job id argument. */
  function id(parsed: SlurmCommandLine): string {
    const value = parsed.positional[0];
    if (!value) {
      throw new UsageError(`mdlma slurm ${parsed.command} needs a job id`);
    }
    return value;
  }

  /** Runs the command; returns what to print (undefined: already printed). */
  export async function run(client: SlurmClient, parsed: SlurmCommandLine): Promise<unknown> {
    switch (parsed.command) {
      case 'submit':
        return submit(client, parsed);
      case 'render':
        return render(parsed);
      case 'list':
        return {
          jobs: await client.list({
            all: parsed.values.all ?? false,
            user: parsed.values.user,
            finished: !parsed.values['no-finished']
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
      case 'wait':
        return { job: await client.wait(id(parsed), { timeout: seconds(parsed.values.timeout) }) };
      case 'templates':
        return templates(parsed);
      case 'app': {
        if (parsed.values['no-wait']) {
          const { app, job } = await readAppConnection(client, id(parsed));
          return { app, state: job.state };
        }
        return { app: await appConnection(client, id(parsed), { timeout: seconds(parsed.values.timeout) }) };
      }
      case 'segment':
      case 'segment-task':
      case 'segment-merge':
      case 'segment-resubmit':
        // Loaded on demand: the tasks bring ONNX Runtime and the volume formats.
        return (require('./slurm-segment') as typeof import('./slurm-segment')).arraySegmentation(client, parsed);
      default:
        throw new UsageError('is not a command of mdlma slurm', '<command>', parsed.command);
    }
  }

  /** submit: a script file, or a rendered template, with the job options of the command line on top. */
  async function submit(client: SlurmClient, parsed: SlurmCommandLine): Promise<unknown> {
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
  async function render(parsed: SlurmCommandLine): Promise<unknown> {
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
  async function logs(client: SlurmClient, parsed: SlurmCommandLine): Promise<unknown> {
    const stream = parsed.values.stderr ? 'stderr' : 'stdout';
    if (parsed.values.follow) {
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      for await (const chunk of client.follow(id(parsed), { stream, signal: controller.signal })) {
        process.stdout.write(parsed.values.json ? `${JSON.stringify({ chunk })}\n` : chunk);
      }
      return undefined;
    }
    const lines = linesOf(parsed.values.lines ?? '100');
    const job = await client.show(id(parsed));
    const path = stream === 'stderr' ? job.stderr : job.stdout;
    return { id: job.id, state: job.state, stream, path, text: await client.logs(job.id, { stream, lines }) };
  }

  /** --lines: ASCII digits (Number() would also take "1e3", " 12", "0x1f"), from 0 to 100000. */
  function linesOf(text: string): number {
    if (!/^[0-9]{1,6}$/.test(text) || Number(text) > 100_000) {
      throw new UsageError('must be a whole number from 0 to 100000 in digits 0-9', '--lines', text);
    }
    return Number(text);
  }

  /** --timeout in seconds (a decimal number >= 0), or undefined when not given. */
  function seconds(text: string | undefined): number | undefined {
    return text === undefined ? undefined : realOption('--timeout', text, { min: 0 });
  }

  /** templates: all of them, or one with its script. */
  async function templates(parsed: SlurmCommandLine): Promise<unknown> {
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

