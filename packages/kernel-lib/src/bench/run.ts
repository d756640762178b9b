/**
 * Benchmark dispatcher: `node build/bench/run.js <name>` (or `npm run bench -- <name>` at the
 * repository root) runs one benchmark; with no name, all of them. Each benchmark module exports
 * `run()`, which saves bench-results/<name>.json and .md at the repository root through
 * `saveBenchResult` (results.ts), stamped with the commit, machine and the command set here.
 *
 * @example
 * node packages/kernel-lib/build/bench/run.js io
 */

import { parseCommandLine } from '../cli/parse';
import { UsageError } from '../errors';
import { benchCommand } from './results';

/** Benchmark names and their modules (loaded only when run). */
export const BENCHMARKS: Record<string, () => Promise<{ run(): Promise<object> }>> = {
  io: () => import('./io.js'),
  phantom: () => import('./phantom.js'),
  segment: () => import('./segment.js'),
  registration: () => import('./registration.js'),
  viewer: () => import('./viewer.js'),
  active: () => import('./active.js')
};

/** Run the benchmarks named in `args` (all when none are named); options are refused. */
export async function main(args: string[]): Promise<number> {
  let names: string[];
  try {
    names = parseCommandLine(args, {}).positionals;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}`);
    return 2;
  }
  const unknown = names.filter(name => !BENCHMARKS[name]);
  if (unknown.length) {
    console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    return 2;
  }
  for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
    console.log(`== bench ${name}`);
    const module = await BENCHMARKS[name]();
    // One command per result file, also when several benchmarks run in one call; children inherit it.
    delete process.env.MDLMA_BENCH_COMMAND;
    process.env.MDLMA_BENCH_COMMAND = benchCommand(name);
    await module.run();
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    code => (process.exitCode = code),
    error => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}
