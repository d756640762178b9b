/**
 * Stamped benchmark results. Every benchmark saves through `saveBenchResult`, which writes
 * bench-results/<name>.json and .md (and the plots it is given as SVG) at the repository root,
 * each stamped with the git commit (and whether the tree held uncommitted changes), the date, the
 * machine and the exact command; then it rewrites bench-results/README.md, the index of the latest
 * headline figures of every benchmark. A part of a benchmark that was not run this time is saved as
 * `notRun(reason)`, never copied from an older result.
 *
 * @example
 * const stamp = benchStamp('segment');
 * ... measure ...
 * await saveBenchResult({ stamp, result, markdown, headlines: [{ label: 'DL Dice, 9 axes', value: '0.85' }] });
 */
import { execFileSync } from 'child_process';
import { promises as fs } from 'fs';
import { cpus, loadavg, release, totalmem } from 'os';
import { join, relative, resolve } from 'path';

import { writeAtomically } from '../files';

/** The repository root (this file is packages/kernel-lib/{src,lib}/bench/results). */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..', '..');
/** Where the results are written and committed. */
export const BENCH_RESULTS_DIR = join(REPOSITORY_ROOT, 'bench-results');

/** Who, what and where of one benchmark run. */
export interface BenchStamp {
  name: string;
  /** Full commit hash the run was made at, or "unknown" outside a git checkout. */
  commit: string;
  /** True when tracked files (outside bench-results/) differed from that commit. */
  dirty: boolean;
  /** ISO date and time when the run started. */
  date: string;
  /** The machine; its load average when the run started (other work on its cores slows timings). */
  machine: { cpu: string; cores: number; memoryGB: number; os: string; node: string; loadAverage: number[] };
  /** The command that reproduces the run, with the environment variables that steer it. */
  command: string;
}

/** One figure for the index of bench-results/README.md. */
export interface Headline {
  label: string;
  value: string;
}

/** A part of a benchmark that was not run this time, and why. */
export interface NotRun {
  notRun: string;
}

/** Marks a part as not run (instead of reusing an older run's figures). */
export function notRun(reason: string): NotRun {
  return { notRun: reason };
}

/** True for a part saved as `notRun`. */
export function isNotRun(part: unknown): part is NotRun {
  return typeof part === 'object' && part !== null && typeof (part as NotRun).notRun === 'string';
}

/** The stamp of a benchmark run starting now. */
export function benchStamp(name: string): BenchStamp {
  return {
    name,
    commit: Private.git(['rev-parse', 'HEAD']) ?? 'unknown',
    dirty: (Private.git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench-results']) ?? '') !== '',
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGB: +(totalmem() / 1e9).toFixed(1),
      os: `${process.platform} ${release()} ${process.arch}`,
      node: process.version,
      loadAverage: loadavg().map(l => +l.toFixed(2))
    },
    command: benchCommand(name)
  };
}

/**
 * The command of this run: the dispatcher passes it down in MDLMA_BENCH_COMMAND (children and the
 * browser benchmark inherit it); otherwise the benchmark's npm command with the MDLMA_* variables set.
 */
export function benchCommand(name: string): string {
  if (process.env.MDLMA_BENCH_COMMAND) return process.env.MDLMA_BENCH_COMMAND;
  const steering = Object.entries(process.env)
    .filter(([key]) => /^MDLMA_(BENCH_|CONVEXADAM)/.test(key) && key !== 'MDLMA_BENCH_COMMAND')
    .map(([key, value]) => `${key}=${value}`)
    .sort();
  return [...steering, 'npm run bench --', name].join(' ');
}

/** The stamp as one markdown paragraph. */
export function stampMarkdown(stamp: BenchStamp): string {
  const m = stamp.machine;
  return [
    `Commit \`${stamp.commit.slice(0, 12)}\`${stamp.dirty ? ' **with uncommitted changes**' : ''}, ${stamp.date}.`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, ${m.os}, Node ${m.node}; load average ${m.loadAverage.join(' / ')} (1 / 5 / 15 min) at the start.`,
    `Command: \`${stamp.command}\`.`
  ].join(' ');
}

/** What `saveBenchResult` writes. */
export interface SavedBench {
  stamp: BenchStamp;
  /** The figures (saved as JSON beside the stamp and the headlines). */
  result: object;
  /** The report; the stamp is put under its first line. */
  markdown: string;
  /** The figures bench-results/README.md lists for this benchmark. */
  headlines: Headline[];
  /** Plots: file name (e.g. "active.svg") to SVG text. */
  svgs?: Record<string, string>;
}

/** Writes bench-results/<name>.json, .md and the SVGs atomically, then rewrites the index README.md. */
export async function saveBenchResult(saved: SavedBench): Promise<void> {
  const { stamp, result, markdown, headlines, svgs = {} } = saved;
  const json = { stamp, headlines, ...result };
  const [title, ...rest] = markdown.replace(/\s+$/, '').split('\n');
  const md = [title, '', stampMarkdown(stamp), ...rest, ''].join('\n');
  await fs.mkdir(BENCH_RESULTS_DIR, { recursive: true });
  await Private.write(`${stamp.name}.json`, `${JSON.stringify(json, null, 2)}\n`);
  await Private.write(`${stamp.name}.md`, md);
  for (const [file, svg] of Object.entries(svgs)) await Private.write(file, svg);
  await writeResultsIndex();
  console.log(`${stamp.name}: wrote ${relative(process.cwd(), join(BENCH_RESULTS_DIR, `${stamp.name}.json`))} and .md`);
}

/** Rewrites bench-results/README.md from the stamps and headlines of every saved result. */
export async function writeResultsIndex(): Promise<void> {
  const files = (await fs.readdir(BENCH_RESULTS_DIR)).filter(file => file.endsWith('.json') && !file.endsWith('.vl.json'));
  const entries = (await Promise.all(files.map(async file => JSON.parse(await fs.readFile(join(BENCH_RESULTS_DIR, file), 'utf8')))))
    .filter(r => r.stamp && Array.isArray(r.headlines))
    .sort((a, b) => a.stamp.name.localeCompare(b.stamp.name));
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench -- <name>` (`make bench NAME=<name>`) and committed; each file carries the commit, date,',
    'machine and command of its run. Benchmarks are scripts, not tests: CI does not run them. This page is rewritten by',
    'every run from the results here.',
    ''
  ];
  for (const r of entries) {
    const s: BenchStamp = r.stamp;
    lines.push(
      `## [${s.name}](${s.name}.md)`,
      '',
      `Commit \`${s.commit.slice(0, 12)}\`${s.dirty ? ' (uncommitted changes)' : ''}, ${s.date.slice(0, 10)}, ${s.machine.cores} cores (${s.machine.cpu}); \`${s.command}\``,
      '',
      ...r.headlines.map((h: Headline) => `- ${h.label}: **${h.value}**`),
      ''
    );
  }
  await Private.write('README.md', lines.join('\n'));
}

namespace Private {
  export function git(args: string[]): string | undefined {
    try {
      return execFileSync('git', args, { cwd: REPOSITORY_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  }

  /** Write under bench-results/, atomically (a reader never sees half a file). */
  export function write(file: string, text: string): Promise<void> {
    return writeAtomically(join(BENCH_RESULTS_DIR, file), temporary => fs.writeFile(temporary, text));
  }
}
