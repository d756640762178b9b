/**
 * `mdlma kernel`: install the "TypeScript (MDLMA)" kernelspec, or start the kernel as Jupyter does.
 *
 * @example
 * mdlma kernel install --prefix .venv --json
 * mdlma kernel start --connection-file /run/user/1000/jupyter/kernel-1.json
 */
import { installKernelspec, startKernel } from '../kernel';
import { UsageError } from '../errors';
import { runCommand } from './command';
import { exitStatusHelp } from './exit-status';
import { oneOf } from './option-values';
import { parseCommandLine, type OptionTable } from './parse';

/** Help text of `mdlma kernel`. */
export const KERNEL_USAGE = `usage: mdlma kernel install --prefix <dir> [--json]
       mdlma kernel start --connection-file <file>

commands:
  install                     install the "TypeScript (MDLMA)" kernelspec into <dir>/share/jupyter/kernels
  start                       start the kernel (what Jupyter runs); it serves until Jupyter shuts it down

options:
  --prefix <dir>              the environment to install into (e.g. the virtualenv)
  --connection-file <file>    the connection file Jupyter wrote
  --json                      print {"installed": <folder>} after install
  --help                      this text

${exitStatusHelp({ 0: 'installed', 1: 'the kernelspec could not be written, or the kernel failed' })}`;

/** What `kernelCommand` returns while the kernel serves: the process must not exit. */
export const KEEP_SERVING = -1;

/** Runs `mdlma kernel` with `argv` (the words after "kernel", or including it); returns the exit code or KEEP_SERVING. */
export function kernelCommand(argv: string[]): Promise<number> {
  return runCommand(argv, { name: 'kernel', usage: KERNEL_USAGE, parse: parseKernelArgs, run: Private.execute });
}

/** The command line of `mdlma kernel`, read. */
export type KernelCommandLine = { command: 'install'; prefix: string; json: boolean } | { command: 'start'; connectionFile: string };

/** Parses the words after "kernel"; throws UsageError naming the option and the value. */
export function parseKernelArgs(args: string[]): KernelCommandLine {
  const { values, positionals } = parseCommandLine(args, Private.OPTIONS);
  if (positionals.length !== 1) throw new UsageError(`one command expected (install or start), got ${positionals.join(' ') || 'none'}`);
  const command = oneOf('<command>', positionals[0], ['install', 'start'] as const);
  if (command === 'install') {
    if (!values.prefix) throw new UsageError('is required: the environment to install into (e.g. the virtualenv)', '--prefix');
    return { command, prefix: values.prefix, json: values.json ?? false };
  }
  if (!values['connection-file']) throw new UsageError('is required: the connection file Jupyter wrote', '--connection-file');
  return { command, connectionFile: values['connection-file'] };
}

namespace Private {
  /** Installs the kernelspec, or starts the kernel and keeps serving. */
  export async function execute(line: KernelCommandLine): Promise<number> {
    if (line.command === 'install') {
      const dir = installKernelspec({ prefix: line.prefix });
      process.stdout.write(line.json ? `${JSON.stringify({ installed: dir })}\n` : `Installed kernelspec in ${dir}\n`);
      return 0;
    }
    await startKernel({ connectionFile: line.connectionFile });
    return KEEP_SERVING;
  }

  /** The options of `mdlma kernel`. */
  export const OPTIONS = {
    prefix: { type: 'string' },
    'connection-file': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  } as const satisfies OptionTable;
}
