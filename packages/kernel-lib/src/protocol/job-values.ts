/**
 * What a job's values may hold: job names, text and paths (the `format`s of a template's parameters) and sbatch
 * option values. Each check says why a value is refused, in the same words on the command line and in the job
 * panel's form, or returns null for a value that stays inert in a batch script and on sbatch's command line.
 *
 * @example
 * pathProblem('../scan.nii');   // '"../scan.nii" contains "..": give the path without parent-folder steps'
 * jobNameProblem('segment-1');  // null
 */

/** Why `value` is not a safe job name, or null: letters, digits and `._+-`, at most 128 characters. */
export function jobNameProblem(value: string): string | null {
  if (!value) {
    return 'is empty';
  }
  if (value.length > 128) {
    return 'is longer than 128 characters';
  }
  return /^[A-Za-z0-9._+-]+$/.test(value)
    ? null
    : `"${Private.visible(value)}" may only hold letters, digits and . _ + - (no spaces, quotes, ; $ \` or newlines)`;
}

/** Why `value` is not a safe text value, or null: no newlines, carriage returns or NUL. */
export function textProblem(value: string): string | null {
  return /[\n\r\0]/.test(value) ? `"${Private.visible(value)}" holds a newline or NUL character` : null;
}

/** Why `value` is not a safe path, or null: a text value with no ".." segment. */
export function pathProblem(value: string): string | null {
  const text = textProblem(value);
  if (text) {
    return text;
  }
  if (!value) {
    return 'is empty';
  }
  return value.split('/').includes('..') ? `"${value}" contains "..": give the path without parent-folder steps` : null;
}

/** Why `value` is not a safe Slurm option value (partition, mem, time, gres, array, dependency), or null. */
export function optionProblem(value: string): string | null {
  return /^[A-Za-z0-9._:,=+%\-\[\]\/]+$/.test(value) && !value.startsWith('-')
    ? null
    : `"${Private.visible(value)}" may only hold letters, digits and . _ : , = + % - [ ] /`;
}

namespace Private {
  /** The value with control characters made visible for an error message. */
  export function visible(value: string): string {
    return JSON.stringify(value).slice(1, -1);
  }
}
