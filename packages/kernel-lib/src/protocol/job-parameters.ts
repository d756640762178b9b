/**
 * The parameter schemas of job templates: a small JSON Schema subset (type, enum, minimum, maximum, pattern,
 * minLength, maxLength, format path | job-name | script, default, title, description) and the check of one value,
 * shared by the command line (`mdlma slurm`, which converts its string values to the declared type) and the job
 * panel's form, so that both refuse a value with the same reason.
 *
 * @example
 * checkParameter({ type: 'integer', minimum: 1 }, '3');      // { value: 3 }
 * checkParameter({ type: 'string', format: 'path' }, '../x'); // { problem: '"../x" contains ".."...' }
 */
import { jobNameProblem, pathProblem, textProblem } from './job-values';

/** One parameter of a template. */
export interface ParameterSchema {
  type: 'string' | 'integer' | 'number' | 'boolean';
  title?: string;
  /** Help text shown by `mdlma slurm templates <name>` and the composer. */
  description?: string;
  default?: string | number | boolean;
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /**
   * `path`: no newline, no ".." segment; `job-name`: letters, digits and `._+-`; `script`: the user's own
   * commands, newlines allowed (the only kind a template may insert unquoted, as `{{&name}}`).
   */
  format?: 'path' | 'job-name' | 'script';
}

/** The parameters of a template: a JSON Schema object. */
export interface ParametersSchema {
  type: 'object';
  properties: Record<string, ParameterSchema>;
  required?: string[];
}

/** A parameter value after validation. */
export type ParameterValue = string | number | boolean;

/**
 * One parameter's value checked against its schema: the converted value, or why it is refused
 * (the job panel's form shows the same reasons as the command line, field by field).
 */
export function checkParameter(spec: ParameterSchema, raw: unknown): { value: ParameterValue } | { problem: string } {
  const problem = Private.problem(spec, raw);
  return typeof problem === 'string' ? { problem } : problem;
}

namespace Private {
  /** The converted value, or why it is refused. */
  export function problem(spec: ParameterSchema, raw: unknown): string | { value: ParameterValue } {
    const value = convert(spec.type, raw);
    if (value === undefined) {
      return `must be ${spec.type === 'integer' ? 'a whole number' : `a ${spec.type}`}, not ${JSON.stringify(raw)}`;
    }
    if (spec.enum && !spec.enum.includes(value as string | number)) {
      return `must be one of ${spec.enum.join(', ')}, not ${JSON.stringify(value)}`;
    }
    if (typeof value === 'number') {
      if (spec.minimum !== undefined && value < spec.minimum) {
        return `must be at least ${spec.minimum}`;
      }
      if (spec.maximum !== undefined && value > spec.maximum) {
        return `must be at most ${spec.maximum}`;
      }
    }
    if (typeof value === 'string') {
      const unsafe =
        spec.format === 'path'
          ? pathProblem(value)
          : spec.format === 'job-name'
            ? jobNameProblem(value)
            : spec.format === 'script'
              ? value.includes('\0') ? 'holds a NUL character' : null
              : textProblem(value);
      if (unsafe) {
        return unsafe;
      }
      if (spec.minLength !== undefined && value.length < spec.minLength) {
        return `must have at least ${spec.minLength} characters`;
      }
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        return `must have at most ${spec.maxLength} characters`;
      }
      if (spec.pattern && !new RegExp(spec.pattern).test(value)) {
        return `${JSON.stringify(value)} does not match ${spec.pattern}`;
      }
    }
    return { value };
  }

  /** `raw` as the declared type (CLI strings "3", "true" included); undefined when it is not one. */
  export function convert(type: ParameterSchema['type'], raw: unknown): ParameterValue | undefined {
    switch (type) {
      case 'string':
        return typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : undefined;
      case 'boolean':
        return typeof raw === 'boolean' ? raw : raw === 'true' ? true : raw === 'false' ? false : undefined;
      case 'integer':
      case 'number': {
        const numeric = typeof raw === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw.trim());
        const value = typeof raw === 'number' ? raw : numeric ? Number(raw) : NaN;
        return Number.isFinite(value) && (type === 'number' || Number.isInteger(value)) ? value : undefined;
      }
    }
  }
}
