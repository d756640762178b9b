/**
 * What `mdlma slurm submit` and `render` are given: the template, its parameters, the job options, the job's
 * variables and its origin, from the command line and from a request file (`--request-file <file>`, `-` for stdin),
 * which carries what a command line cannot: scripts past Linux's 128 KiB per argument (MAX_ARG_STRLEN), and values
 * that must not show in `ps`. The command line wins over the file. Wrong JSON types are a `UsageError` naming the field.
 *
 * @example
 * // request.json: {"template": "custom", "params": {"script": "#!/bin/bash\necho hi\n"}, "job": {"cpus": 2}, "env": {"A": "1"}}
 * mdlma slurm submit --request-file request.json --json
 */
import { promises as fs } from 'fs';

import type { SubmitOptions } from '../protocol';
import { UsageError } from '../errors';
import type { SlurmCommandLine } from './slurm-args';

/** The inputs of submit and render. */
export interface SubmitInput {
  /** The template name (--template, else the file's "template"); undefined: a script file. */
  template?: string;
  /** Template parameters: the file's "params", then --params-json, then --param name=value. */
  params: Record<string, unknown>;
  /** Job options: the file's "job", "workdir", "env" and "hold", then the command line's. */
  job: Omit<SubmitOptions, 'script'>;
  /** --origin-json, else the file's "origin". */
  origin?: SubmitOptions['origin'];
}

/** Reads the inputs of submit and render from the command line and its request file. */
export async function submitInput(line: SlurmCommandLine): Promise<SubmitInput> {
  const { values } = line;
  const file = values['request-file'];
  const request = file === undefined ? {} : await Private.readRequest(file);
  const template = values.template ?? Private.optionalString(request, 'template');
  const params = { ...Private.object(request, 'params') };
  for (const text of values['params-json'] ?? []) {
    Object.assign(params, Private.parseObject('--params-json', text));
  }
  for (const pair of values.param ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError('must be written name=value', '--param', pair);
    }
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const job = { ...Private.requestJob(request), ...Private.commandLineJob(line) };
  const env = { ...(request.env === undefined ? {} : Private.stringMap(request, 'env')), ...Private.commandLineEnv(line) };
  if (Object.keys(env).length > 0) {
    job.env = env;
  }
  const originText = values['origin-json'];
  const originValue = originText !== undefined ? Private.parseObject('--origin-json', originText) : request.origin;
  const origin = originValue === undefined ? undefined : Private.origin(originValue);
  return { template, params, job, origin };
}

namespace Private {
  /** Job options that are text; `cpus` is a number. */
  const TEXT_OPTIONS = ['name', 'partition', 'mem', 'time', 'gres', 'array', 'dependency', 'output', 'error', 'workdir'] as const;

  /** The request file (or stdin), parsed: a JSON object. */
  export async function readRequest(file: string): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = file === '-' ? await readStdin() : await fs.readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot be read: ${(error as Error).message}`, '--request-file', file);
    }
    return parseObject('--request-file', text, file);
  }

  /** `text` (the value of `option`, or the file it names) as a JSON object, or a UsageError naming the option. */
  export function parseObject(option: string, text: string, file?: string): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`is not JSON: ${(error as Error).message}`, option, file ?? text.slice(0, 200));
    }
    if (!isObject(value)) {
      throw new UsageError('must be a JSON object', option, file ?? text.slice(0, 200));
    }
    return value;
  }

  export function isObject(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === 'object' && !Array.isArray(value);
  }

  /** The request's `key`, an object when present. */
  export function object(request: Record<string, unknown>, key: string): Record<string, unknown> {
    const value = request[key];
    if (value === undefined || value === null) {
      return {};
    }
    if (!isObject(value)) {
      throw new UsageError(`the request's "${key}" must be a JSON object, not ${typeName(value)}`);
    }
    return value;
  }

  /** The request's `key`, a string when present. */
  export function optionalString(request: Record<string, unknown>, key: string): string | undefined {
    const value = request[key];
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value !== 'string') {
      throw new UsageError(`the request's "${key}" must be a string, not ${typeName(value)}`);
    }
    return value;
  }

  /** The request's `key`, an object of strings. */
  export function stringMap(request: Record<string, unknown>, key: string): Record<string, string> {
    const value = object(request, key);
    for (const [name, item] of Object.entries(value)) {
      if (typeof item !== 'string') {
        throw new UsageError(`the request's "${key}.${name}" must be a string, not ${typeName(item)}`);
      }
    }
    return value as Record<string, string>;
  }

  /** Job options of the request file: its "job" plus the top-level "workdir" and "hold"; numbers of text options become text. */
  export function requestJob(request: Record<string, unknown>): Omit<SubmitOptions, 'script'> {
    const given = object(request, 'job');
    const job: Omit<SubmitOptions, 'script'> = {};
    for (const key of TEXT_OPTIONS) {
      const value = key === 'workdir' ? request.workdir : given[key];
      if (value === undefined || value === null || value === '') {
        continue;
      }
      // A number is text for the job options (mem 500 is 500 MB to Slurm), never for the folder.
      if (typeof value !== 'string' && (typeof value !== 'number' || key === 'workdir')) {
        throw new UsageError(`the request's "${key === 'workdir' ? 'workdir' : `job.${key}`}" must be a string, not ${typeName(value)}`);
      }
      job[key] = String(value);
    }
    if (given.cpus !== undefined && given.cpus !== null && given.cpus !== '') {
      job.cpus = cpusOf(given.cpus);
    }
    if (request.hold !== undefined && request.hold !== null) {
      if (typeof request.hold !== 'boolean') {
        throw new UsageError(`the request's "hold" must be true or false, not ${typeName(request.hold)}`);
      }
      job.hold = request.hold || undefined;
    }
    return job;
  }

  /** Job options from the command line. */
  export function commandLineJob({ values }: SlurmCommandLine): Omit<SubmitOptions, 'script'> {
    const options: Omit<SubmitOptions, 'script'> = {};
    for (const key of TEXT_OPTIONS) {
      const value = values[key];
      if (value !== undefined) {
        options[key] = value;
      }
    }
    if (values.cpus !== undefined) {
      options.cpus = cpusOf(values.cpus);
    }
    if (values.hold) {
      options.hold = true;
    }
    return options;
  }

  /** CPUs as a number when written in digits; anything else stays as given, for sbatchArguments to refuse by its value. */
  function cpusOf(value: unknown): number {
    return (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value) as number;
  }

  /** --env NAME=value pairs. */
  export function commandLineEnv({ values }: SlurmCommandLine): Record<string, string> {
    const env: Record<string, string> = {};
    for (const pair of values.env ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UsageError('must be written NAME=value', '--env', pair);
      }
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return env;
  }

  /** What a submission was made from ({template, params, edited}). */
  export function origin(value: unknown): SubmitOptions['origin'] {
    if (!isObject(value)) {
      throw new UsageError(`the origin must be a JSON object, not ${typeName(value)}`);
    }
    const params = isObject(value.params) ? value.params : undefined;
    return { template: typeof value.template === 'string' ? value.template : undefined, params, edited: value.edited === true };
  }

  /** A JSON value's type, for messages. */
  export function typeName(value: unknown): string {
    return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 80);
  }

  /** All of stdin, as text. */
  async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
