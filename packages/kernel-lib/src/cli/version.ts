/**
 * `mdlma version`: the version of @mdlma/kernel, what the server extension reports next to its own.
 *
 * @example
 * mdlma version          # 0.1.0
 * mdlma version --json   # {"name":"@mdlma/kernel","version":"0.1.0"}
 */
import { UsageError } from '../errors';
import { exitStatusHelp, usageFailure } from './exit-status';
import { parseCommandLine, type OptionTable } from './parse';

/** Help text of `mdlma version`. */
export const VERSION_USAGE = `usage: mdlma version [--json]

Prints the version of @mdlma/kernel.

options:
  --json    print {"name": "@mdlma/kernel", "version": ...}
  --help    this text

${exitStatusHelp({ 0: 'printed' })}`;

/** Runs `mdlma version` with `argv` (the words after "version", or including it); returns the exit code. */
export async function versionCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'version' ? argv.slice(1) : argv;
  let json: boolean;
  try {
    const { values } = parseCommandLine(args, Private.OPTIONS, { positionals: false });
    if (values.help) {
      process.stdout.write(`${VERSION_USAGE}\n`);
      return 0;
    }
    json = values.json ?? false;
  } catch (error) {
    if (error instanceof UsageError) return usageFailure('version', error);
    throw error;
  }
  const version = require('../../package.json').version as string;
  process.stdout.write(json ? `${JSON.stringify({ name: '@mdlma/kernel', version })}\n` : `${version}\n`);
  return 0;
}

namespace Private {
  /** The options of `mdlma version`. */
  export const OPTIONS = {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  } as const satisfies OptionTable;
}
