/**
 * The viewer benchmark runs in a browser: this entry starts the Playwright script of ui-tests/bench
 * (a real JupyterLab in Debian's Chromium), which writes bench-results/viewer.json and .md.
 *
 * @example
 * npm run bench -- viewer
 */
import { execFileSync } from 'child_process';
import { join } from 'path';

/** Run the browser benchmark; its figures land in bench-results/viewer.{json,md}. */
export async function run(): Promise<object> {
  const uiTests = join(__dirname, '..', '..', '..', '..', 'ui-tests');
  execFileSync('npx', ['playwright', 'test', '--config', 'bench/playwright.config.js'], {
    cwd: uiTests,
    stdio: 'inherit',
    env: { ...process.env, CI: 'true' }
  });
  return { written: 'bench-results/viewer.json' };
}
