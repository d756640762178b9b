/**
 * Strict values for the options of the `mdlma` commands: counts are plain digits (no `1e9`, `0x10`, `1.0`, `-3` or
 * blanks, which `Number()` would take), measures are decimals, names come from a list; each is checked against its
 * range, and a bad value raises a UsageError naming the option and the value.
 *
 * @example
 * integerOption('--threads', '4', { min: 1, max: availableParallelism() });   // 4
 * realOption('--flux', 'inf', { min: 0, exclusive: true, infinity: true });  // Infinity
 * oneOf('--voting', 'soft', ['soft', 'hard'] as const);                      // 'soft'
 */
import { UsageError } from '../errors';

/** `text` as an integer in [min, max] written in decimal digits. */
export function integerOption(option: string, text: string, range: { min: number; max?: number }): number {
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(n) && n >= range.min && n <= max)) {
    throw new UsageError(`must be an integer in ${range.min}..${max}, written in digits`, option, text);
  }
  return n;
}

/** `text` as a decimal number (exponent allowed; `inf` only with `infinity`) in its range; `exclusive` excludes `min`. */
export function realOption(option: string, text: string, range: realOption.IRange): number {
  const { min = -Infinity, max = Infinity, exclusive = false, infinity = false } = range;
  const x = Private.DECIMAL.test(text) ? Number(text) : infinity && /^\+?inf(inity)?$/i.test(text) ? Infinity : NaN;
  const inRange = (exclusive ? x > min : x >= min) && x <= max && (Number.isFinite(x) || (infinity && x === Infinity));
  if (!inRange) {
    const bounds = [Number.isFinite(min) ? `${exclusive ? '>' : '>='} ${min}` : '', Number.isFinite(max) ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    throw new UsageError(`must be a number${bounds ? ` ${bounds}` : ''}${infinity ? ' (or inf)' : ''}`, option, text);
  }
  return x;
}

export namespace realOption {
  /** The range of a decimal option. */
  export interface IRange {
    min?: number;
    max?: number;
    /** Exclude `min` itself (a spacing must be > 0). */
    exclusive?: boolean;
    /** Accept `inf` (a noise-free flux). */
    infinity?: boolean;
  }
}

/** `value` when it is one of `allowed`, else a UsageError listing them. */
export function oneOf<T extends string | number>(option: string, value: string | number, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    const list = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : String(allowed[0]);
    throw new UsageError(`must be ${list}`, option, String(value));
  }
  return value as T;
}

namespace Private {
  export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
}
