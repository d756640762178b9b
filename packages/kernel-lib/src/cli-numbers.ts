/**
 * Strict numbers for the options of the `mdlma` commands: counts are plain digits (no `1e9`, `0x10`, `1.0`, `-3` or
 * blanks, which `Number()` would take), measures are decimals; each is checked against its range, and a bad value
 * raises the command's typed error naming the option.
 *
 * @example
 * integerOption('--threads', '4', { min: 1, max: availableParallelism() }, SegmentOptionError);   // 4
 * realOption('--flux', 'inf', { min: 0, exclusive: true, infinity: true }, PhantomOptionError);  // Infinity
 */

/** The typed error of a command's options: (option, reason). */
export type OptionErrorClass = new (option: string, reason: string) => Error;

/** `text` as an integer in [min, max] written in decimal digits. */
export function integerOption(option: string, text: string, range: { min: number; max?: number }, error: OptionErrorClass): number {
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(n) && n >= range.min && n <= max)) {
    throw new error(option, `must be an integer in ${range.min}..${max}, written in digits; got ${JSON.stringify(text)}`);
  }
  return n;
}

/** `text` as a decimal number (exponent allowed; `inf` only with `infinity`) in its range; `exclusive` excludes `min`. */
export function realOption(
  option: string,
  text: string,
  range: { min?: number; max?: number; exclusive?: boolean; infinity?: boolean },
  error: OptionErrorClass
): number {
  const { min = -Infinity, max = Infinity, exclusive = false, infinity = false } = range;
  const x = Private.DECIMAL.test(text) ? Number(text) : infinity && /^\+?inf(inity)?$/i.test(text) ? Infinity : NaN;
  const inRange = (exclusive ? x > min : x >= min) && x <= max && (Number.isFinite(x) || (infinity && x === Infinity));
  if (!inRange) {
    const bounds = [Number.isFinite(min) ? `${exclusive ? '>' : '>='} ${min}` : '', Number.isFinite(max) ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    throw new error(option, `must be a number${bounds ? ` ${bounds}` : ''}${infinity ? ' (or inf)' : ''}; got ${JSON.stringify(text)}`);
  }
  return x;
}

namespace Private {
  export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
}
