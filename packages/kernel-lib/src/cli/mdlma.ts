#!/usr/bin/env node
/**
 * The `mdlma` command: what batch jobs and the server extension run. One module per command in this folder, each
 * parsing its words with `parseCommandLine` (node:util parseArgs) and reporting bad usage as a UsageError, exit 2.
 *
 * @example
 * mdlma kernel install --prefix .venv
 * mdlma version --json
 */
import { UsageError } from '../errors';
import { exitStatusHelp, usageFailure } from './exit-status';

/** Help text of `mdlma`. */
export const USAGE = `usage: mdlma <command> [options]

commands:
  version [--json]                    print the package version
  kernel install --prefix <dir>       install the "TypeScript (MDLMA)" kernelspec into <dir>/share/jupyter/kernels
  kernel start --connection-file <f>  start the kernel (what Jupyter runs)
  phantom --out <file> [options]      synthetic SRµCT implant phantom with exact labels (mdlma phantom --help)
  segment <in> --out <labels> [...]   SUN segmentation, any io/ format (mdlma segment --help)
  register <fixed> <moving> --out <f> rigid, affine or convexAdam registration (mdlma register --help)
  slurm <command> [options]           Slurm jobs, templates, array segmentation (mdlma slurm --help)

Every command accepts --help; --json prints machine-readable output.

${exitStatusHelp({ 0: 'done (each command lists its own statuses)', 2: 'no command' })}`;

/** Runs the CLI with `argv` (without node and script); returns the exit code (-1: keep serving, the kernel runs). */
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command !== undefined && Object.hasOwn(Private.COMMANDS, command)) {
    return Private.COMMANDS[command]()(argv.slice(1));
  }
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const names = Object.keys(Private.COMMANDS);
  return usageFailure('', new UsageError(`must be ${names.slice(0, -1).join(', ')} or ${names.at(-1)}`, '<command>', command));
}

namespace Private {
  /** A command: its words after the command name in, the exit code out. */
  type Command = (args: string[]) => Promise<number>;

  /** Each command's module, loaded only when it runs (segment brings ONNX Runtime, slurm none of it). */
  export const COMMANDS: Record<string, () => Command> = {
    version: () => (require('./version') as typeof import('./version')).versionCommand,
    kernel: () => (require('./kernel') as typeof import('./kernel')).kernelCommand,
    phantom: () => (require('./phantom') as typeof import('./phantom')).phantomCommand,
    segment: () => (require('./segment') as typeof import('./segment')).segmentCommand,
    register: () => (require('./register') as typeof import('./register')).registerCommand,
    slurm: () => (require('./slurm') as typeof import('./slurm')).slurmCommand
  };
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    code => {
      if (code >= 0) {
        process.exitCode = code;
      }
    },
    error => {
      process.stderr.write(`mdlma: ${error?.message ?? error}\n`);
      process.exitCode = 1;
    }
  );
}
