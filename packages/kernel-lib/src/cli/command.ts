/**
 * The frame of an `mdlma` command: the command word dropped, `--help` answered, the words parsed, a UsageError
 * reported with status 2 before anything runs. Each command supplies its usage text, its parser and its body.
 *
 * @example
 * export const segmentCommand = (argv: string[]) =>
 *   runCommand(argv, { name: 'segment', usage: SEGMENT_USAGE, parse: parseSegmentArgs, run: Private.segment });
 */
import { UsageError } from '../errors';
import { usageFailure } from './exit-status';

/** Runs `command` with `argv` (the words after its name, or including it); returns the exit code. */
export async function runCommand<T>(argv: readonly string[], command: runCommand.ICommand<T>): Promise<number> {
  const args = argv[0] === command.name ? argv.slice(1) : [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  let parsed: T;
  try {
    parsed = command.parse(args);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(command.name, error);
    throw error;
  }
  return command.run(parsed);
}

export namespace runCommand {
  /** One command: what `--help` prints, how its words are read, and what it does with them. */
  export interface ICommand<T> {
    /** The command word (`segment`), also in its messages (`mdlma segment: ...`). */
    name: string;
    usage: string;
    /** Reads the words after the command word; throws UsageError naming the option and the value. */
    parse(args: string[]): T;
    /** Does the work; returns the exit code. */
    run(parsed: T): Promise<number>;
  }
}
