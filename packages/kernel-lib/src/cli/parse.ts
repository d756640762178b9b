/**
 * The one argument parser of the `mdlma` commands: `node:util` parseArgs in strict mode over a typed option table,
 * its errors turned into a UsageError that names the option and the value.
 *
 * @example
 * const OPTIONS = { out: { type: 'string' }, json: { type: 'boolean' } } as const satisfies OptionTable;
 * const { values, positionals } = parseCommandLine(['scan.nii', '--out', 'labels.nii'], OPTIONS);
 * values.out;   // 'labels.nii'
 * parseCommandLine(['--bogus'], OPTIONS);   // UsageError: --bogus is not an option of this command.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { UsageError } from '../errors';

/** The options a command takes, as parseArgs describes them (write the table `as const satisfies OptionTable`). */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** What `parseCommandLine` returns for the option table `T`: `values` typed by the table, `positionals`. */
export type ParsedCommandLine<T extends OptionTable> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: boolean }>>;

/** Parses `args` against `options`; throws UsageError for an unknown option, a missing or bad value, a stray word. */
export function parseCommandLine<T extends OptionTable>(args: readonly string[], options: T, settings: parseCommandLine.IOptions = {}): ParsedCommandLine<T> {
  const config = { args: Private.joinNegativeValues(args, options), options, strict: true as const, allowPositionals: settings.positionals ?? true };
  try {
    return parseArgs(config);
  } catch (error) {
    throw Private.explain(error, config.args, options);
  }
}

export namespace parseCommandLine {
  /** How the command line is read. */
  export interface IOptions {
    /** Whether the command takes positional arguments (default true). */
    positionals?: boolean;
  }
}

namespace Private {
  /** A negative number: parseArgs' strict mode takes "-1" after an option for an option of its own. */
  const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

  /**
   * `--halo -1` as `--halo=-1`, so that the option's own check refuses the value by its range (as it would refuse
   * "1e9") instead of parseArgs calling it ambiguous.
   */
  export function joinNegativeValues(args: readonly string[], options: OptionTable): string[] {
    const joined: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const word = args[i];
      if (word === '--') {
        joined.push(...args.slice(i));
        break;
      }
      const name = word.startsWith('--') && !word.includes('=') ? word.slice(2) : undefined;
      const next = args[i + 1];
      if (name !== undefined && Object.hasOwn(options, name) && options[name].type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
        joined.push(`${word}=${next}`);
        i++;
      } else {
        joined.push(word);
      }
    }
    return joined;
  }

  /** The UsageError for what parseArgs refused: the tokens of a lenient parse show which word it was. */
  export function explain(error: unknown, args: string[], options: OptionTable): unknown {
    // By its code: parseArgs' TypeError comes from Node's realm, which `instanceof` in a vm context (jest) does not see.
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) {
      return error;
    }
    const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
    for (const token of tokens) {
      if (token.kind === 'positional' && code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
        return new UsageError(`unexpected argument ${JSON.stringify(token.value)}: this command takes options only`);
      }
      if (token.kind !== 'option') {
        continue;
      }
      const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
      if (spec === undefined) {
        return new UsageError('is not an option of this command', token.rawName, token.value);
      }
      if (spec.type === 'boolean' && token.value !== undefined) {
        return new UsageError('takes no value', token.rawName, token.value);
      }
      if (spec.type === 'string' && token.value === undefined) {
        return new UsageError('needs a value', token.rawName);
      }
      if (spec.type === 'string' && !token.inlineValue && token.value !== undefined && token.value.length > 1 && token.value.startsWith('-')) {
        return new UsageError(`needs a value (write ${token.rawName}=<value> for one that starts with "-")`, token.rawName, token.value);
      }
    }
    return new UsageError((error as Error).message.replace(/\.$/, ''));
  }
}
