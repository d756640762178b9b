/**
 * The command line of `mdlma slurm`: the command word, then the options every command shares (job options, template
 * parameters, where Slurm is, the array segmentation's settings), parsed strictly by `parseCommandLine`.
 *
 * @example
 * const line = parseSlurmArgs(['submit', '--template', 'segment-volume', '--param', 'input=scan.nii.gz', '--json']);
 * line.command;        // 'submit'
 * line.values.param;   // ['input=scan.nii.gz']
 */
import type { SlurmCommands } from '../cluster';
import { parseCommandLine, type OptionTable, type ParsedCommandLine } from './parse';

/** The command line of `mdlma slurm`, read. */
export interface SlurmCommandLine {
  /** The command word (submit, list, ...). */
  command: string;
  /** The words after it that are not options (a script file, a job id, an input volume). */
  positional: string[];
  /** The options, typed: text, lists of text for the repeatable ones, true for flags. */
  values: SlurmOptionValues;
  /** Where the Slurm commands are (--slurm-bin, --slurm-conf). */
  commands: SlurmCommands;
}

/** The options of `mdlma slurm`, as parsed. */
export type SlurmOptionValues = ParsedCommandLine<typeof Private.OPTIONS>['values'];

/** Parses the words after "slurm": the command, then its options; throws UsageError naming the option and the value. */
export function parseSlurmArgs(args: string[]): SlurmCommandLine {
  const [command, ...rest] = args;
  const { values, positionals } = parseCommandLine(rest, Private.OPTIONS);
  return { command, positional: positionals, values, commands: { bin: values['slurm-bin'], slurmConf: values['slurm-conf'] } };
}

namespace Private {
  /** One table for all commands, as the server extension passes --slurm-bin, --slurm-conf and --json to each. */
  export const OPTIONS = {
    // submit and render
    template: { type: 'string' },
    param: { type: 'string', multiple: true },
    'params-json': { type: 'string', multiple: true },
    'origin-json': { type: 'string' },
    'request-file': { type: 'string' },
    name: { type: 'string' },
    partition: { type: 'string' },
    cpus: { type: 'string' },
    mem: { type: 'string' },
    time: { type: 'string' },
    gres: { type: 'string' },
    array: { type: 'string' },
    dependency: { type: 'string' },
    output: { type: 'string' },
    error: { type: 'string' },
    workdir: { type: 'string' },
    env: { type: 'string', multiple: true },
    hold: { type: 'boolean' },
    // list, logs, wait, app
    user: { type: 'string' },
    all: { type: 'boolean' },
    'no-finished': { type: 'boolean' },
    lines: { type: 'string' },
    stderr: { type: 'boolean' },
    follow: { type: 'boolean' },
    timeout: { type: 'string' },
    'no-wait': { type: 'boolean' },
    // array segmentation
    out: { type: 'string' },
    tasks: { type: 'string' },
    'slab-depth': { type: 'string' },
    halo: { type: 'string' },
    model: { type: 'string' },
    axes: { type: 'string' },
    voting: { type: 'string' },
    precision: { type: 'string' },
    threads: { type: 'string' },
    merge: { type: 'string' },
    task: { type: 'string' },
    wait: { type: 'boolean' },
    // everywhere
    'slurm-bin': { type: 'string' },
    'slurm-conf': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  } as const satisfies OptionTable;
}
