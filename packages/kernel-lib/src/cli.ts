#!/usr/bin/env node
/**
 * The `mdlma` command: what batch jobs and the server extension run.
 *
 * @example
 * mdlma kernel install --prefix .venv
 * mdlma version --json
 */
import { installKernelspec } from './kernel';

const USAGE = `usage: mdlma <command> [options]

commands:
  version [--json]                    print the package version
  kernel install --prefix <dir>       install the "TypeScript (MDLMA)" kernelspec into <dir>/share/jupyter/kernels
  kernel start --connection-file <f>  start the kernel (what Jupyter runs)
  phantom --out <file> [options]      synthetic SRµCT implant phantom with exact labels (mdlma phantom --help)
  segment <in> --out <labels> [...]   SUN segmentation, any io/ format (mdlma segment --help)
  register <fixed> <moving> --out <f> rigid, affine or convexAdam registration (mdlma register --help)
  slurm <command> [options]           Slurm jobs, templates, array segmentation (mdlma slurm --help)

Every command accepts --help; --json prints machine-readable output.`;

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  const json = argv.includes('--json');
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (command === 'phantom') {
    return require('./phantom').phantomCommand(argv.slice(1));
  }
  if (command === 'segment') {
    return require('./segment').segmentCommand(argv.slice(1));
  }
  if (command === 'register') {
    return require('./register/cli').registerCommand(argv.slice(1));
  }
  if (command === 'slurm') {
    return require('./cluster/cli').slurmCommand(argv.slice(1));
  }
  if (!command || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === 'version') {
    const version = require('../package.json').version as string;
    process.stdout.write(json ? `${JSON.stringify({ name: '@mdlma/kernel', version })}\n` : `${version}\n`);
    return 0;
  }
  if (command === 'kernel' && sub === 'install') {
    const prefix = option('--prefix');
    if (!prefix) {
      process.stderr.write('mdlma kernel install: --prefix <dir> is required (e.g. the virtualenv)\n');
      return 2;
    }
    const dir = installKernelspec({ prefix });
    process.stdout.write(json ? `${JSON.stringify({ installed: dir })}\n` : `Installed kernelspec in ${dir}\n`);
    return 0;
  }
  if (command === 'kernel' && sub === 'start') {
    const connectionFile = option('--connection-file');
    if (!connectionFile) {
      process.stderr.write('mdlma kernel start: --connection-file <file> is required\n');
      return 2;
    }
    await require('./kernel').startKernel({ connectionFile });
    return -1; // keep serving
  }
  process.stderr.write(`mdlma: unknown command "${argv.join(' ')}"\n\n${USAGE}\n`);
  return 2;
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
