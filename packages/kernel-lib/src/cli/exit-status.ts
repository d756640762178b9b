/**
 * Exit statuses shared by the `mdlma` commands, what their `--help` says about them, and how a usage error is
 * reported: the same words and status 2 in every command.
 *
 * @example
 * const USAGE = `usage: mdlma segment ...\n\n${exitStatusHelp({ 0: 'segmented', 1: 'the run failed' })}`;
 * try { parsed = parse(args); } catch (error) { if (error instanceof UsageError) return usageFailure('segment', error); throw error; }
 */
import type { UsageError } from '../errors';

/** Bad usage: an unknown option or argument, a missing or bad value. */
export const USAGE_EXIT_STATUS = 2;

/** The "exit status" section of a command's help: `statuses` by number; 2 is bad usage, and what `statuses[2]` adds. */
export function exitStatusHelp(statuses: Record<number, string>): string {
  const also = statuses[USAGE_EXIT_STATUS];
  const rows = { ...statuses, [USAGE_EXIT_STATUS]: also ? `${Private.BAD_USAGE};\n     also ${also}` : Private.BAD_USAGE };
  return ['exit status:', ...Object.entries(rows).map(([status, text]) => `  ${status}  ${text}`)].join('\n');
}

/** Reports `error` on stderr as every command does (`mdlma <command>: <message>` and where help is); returns 2. */
export function usageFailure(command: string, error: UsageError): number {
  const name = command ? `mdlma ${command}` : 'mdlma';
  process.stderr.write(`${name}: ${error.message}\nRun "${name} --help" for the ${command ? 'options' : 'commands'}.\n`);
  return USAGE_EXIT_STATUS;
}

namespace Private {
  export const BAD_USAGE = 'bad usage: an unknown option or argument, a missing or bad value (the message names the option and the value)';
}
