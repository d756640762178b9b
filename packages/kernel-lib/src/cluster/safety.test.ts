// What keeps user input inert in a batch script: quoting (the value checks: protocol/job-values.test.ts).
import { execFileSync } from 'child_process';

import { shellQuote } from './safety';

describe('shellQuote', () => {
  it.each(["plain", "a b", "it's", "$(id)", "`id`", "a;b", "'\"'", "\\", ""])('%j reaches the program unchanged', value => {
    const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });
});
