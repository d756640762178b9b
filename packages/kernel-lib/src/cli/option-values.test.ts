// Option values: counts in digits, decimals in range, names from a list; anything else a UsageError with the value.
import { UsageError } from '../errors';
import { integerOption, oneOf, realOption } from './option-values';

describe('option values', () => {
  it('integerOption: plain digits within the range', () => {
    expect(integerOption('--threads', '4', { min: 1, max: 8 })).toBe(4);
    for (const text of ['1e3', '0x10', '1.0', '-3', ' 4', '', '9']) {
      expect(() => integerOption('--threads', text, { min: 1, max: 8 })).toThrow(
        new UsageError('must be an integer in 1..8, written in digits', '--threads', text)
      );
    }
  });

  it('realOption: decimals with an exponent, bounds, and inf where allowed', () => {
    expect(realOption('--stage', '1.5e1', { min: 0 })).toBe(15);
    expect(realOption('--flux', 'inf', { min: 0, exclusive: true, infinity: true })).toBe(Infinity);
    expect(() => realOption('--spacing', '0', { min: 0, exclusive: true })).toThrow('--spacing must be a number > 0; got "0".');
    expect(() => realOption('--fraction', '2', { min: 0, max: 1 })).toThrow('--fraction must be a number >= 0 and <= 1; got "2".');
    expect(() => realOption('--stage', 'inf', { min: 0 })).toThrow(UsageError);
  });

  it('oneOf: a value from the list, or the list in the message', () => {
    expect(oneOf('--voting', 'hard', ['soft', 'hard'] as const)).toBe('hard');
    expect(() => oneOf('--axes', 4, [1, 3, 9] as const)).toThrow('--axes must be 1, 3 or 9; got "4".');
  });
});
