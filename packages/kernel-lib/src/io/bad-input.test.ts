import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { MdlmaError } from '../errors';
import { BadCase, makeBadCorpus } from './fixtures/make-bad-corpus';

describe('bad-input corpus: every case raises its typed error naming the file, and leaves nothing behind', () => {
  let dir: string;
  let cases: BadCase[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-io-bad-'));
    cases = await makeBadCorpus(dir);
  }, 60000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has at least 100 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  it('every case fails with its typed error class and a message naming the file', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      let error: unknown = null;
      try {
        await c.run();
      } catch (e) {
        error = e;
      }
      const message = (error as Error)?.message ?? '';
      if (!(error instanceof c.error) || !(error instanceof MdlmaError)) {
        failures.push(`${c.name}: expected ${c.error.name}, got ${error === null ? 'no error' : `${(error as Error)?.constructor?.name}: ${message}`}`);
      } else if (!message.includes(c.names)) {
        failures.push(`${c.name}: message does not name ${c.names}: ${message}`);
      } else if (c.emptyAfter && readdirSync(c.emptyAfter).length) {
        failures.push(`${c.name}: left ${readdirSync(c.emptyAfter).join(', ')} behind`);
      }
    }
    expect(failures).toEqual([]);
    // No temporary file or folder anywhere in the corpus folder.
    expect(readdirSync(dir).filter(name => name.endsWith('.tmp'))).toEqual([]);
  }, 60000);
});
