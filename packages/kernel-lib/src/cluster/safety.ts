/**
 * What keeps user input inert on its way into a batch script: single-quote shell quoting. The checks that refuse
 * what cannot be made inert (newlines, NUL, "../" in paths, shell syntax in job names) are part of the job
 * contract: protocol/job-values.ts.
 *
 * @example
 * `mdlma segment ${shellQuote(input)}`   // input "a; rm -rf ~" stays one argument
 */

/** A string as one POSIX shell word: single quotes, embedded `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
