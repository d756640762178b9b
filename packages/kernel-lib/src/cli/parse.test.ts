// parseCommandLine: parseArgs in strict mode, whose refusals become a UsageError naming the option and the value.
import { UsageError } from '../errors';
import { parseCommandLine, type OptionTable } from './parse';

const OPTIONS = {
  out: { type: 'string' },
  halo: { type: 'string' },
  env: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const satisfies OptionTable;

/** The UsageError that parsing `args` raises. */
function refusal(args: string[], settings?: parseCommandLine.IOptions): UsageError {
  try {
    parseCommandLine(args, OPTIONS, settings);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`${args.join(' ')} parsed`);
}

describe('parseCommandLine', () => {
  it('reads values, inline values, repeated options, flags and positional words', () => {
    const { values, positionals } = parseCommandLine(['scan.nii', '--out', 'a.nii', '--out=b.nii', '--env', 'A=1', '--env', 'B=2', '--json', '-h'], OPTIONS);
    expect(values).toEqual({ out: 'b.nii', env: ['A=1', 'B=2'], json: true, help: true });
    expect(positionals).toEqual(['scan.nii']);
  });

  it('takes a negative number as the value of the option before it, for the option to judge', () => {
    expect(parseCommandLine(['--halo', '-1'], OPTIONS).values.halo).toBe('-1');
    expect(parseCommandLine(['--halo', '-.5'], OPTIONS).values.halo).toBe('-.5');
    expect(parseCommandLine(['--', '--halo', '-1'], OPTIONS).positionals).toEqual(['--halo', '-1']);
  });

  it.each([
    [['--bogus'], { option: '--bogus', value: undefined }, '--bogus is not an option of this command.'],
    [['-x'], { option: '-x', value: undefined }, '-x is not an option of this command.'],
    [['--out'], { option: '--out', value: undefined }, '--out needs a value.'],
    [['--out', '--json'], { option: '--out', value: '--json' }, '--out needs a value (write --out=<value> for one that starts with "-"); got "--json".'],
    [['--json=yes'], { option: '--json', value: 'yes' }, '--json takes no value; got "yes".']
  ])('%j: a UsageError naming the option', (args, fields, message) => {
    const error = refusal(args);
    expect(error).toMatchObject(fields);
    expect(error.message).toBe(message);
  });

  it('refuses positional words where a command takes options only', () => {
    expect(refusal(['--json', 'stray'], { positionals: false }).message).toBe('unexpected argument "stray": this command takes options only.');
  });
});
