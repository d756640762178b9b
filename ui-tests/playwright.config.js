/**
 * Galata against a real JupyterLab with the installed mdlma_lab, in Debian's Chromium with
 * SwiftShader WebGL. Two servers: one at /, one under a JupyterHub-style base URL.
 */
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const venvBin = path.resolve(__dirname, '..', '.venv', 'bin');
const nodeBin = path.resolve(__dirname, '..', 'node_modules', '.bin');
// Kernels read the SciCat token from this file (catalog-sidebar.spec.ts writes it, mode 0600), never from a cell;
// the developer's own SciCat settings stay out of the tests.
process.env.MDLMA_CATALOG_CONFIG = path.join(require('os').tmpdir(), 'mdlma-ui-tests', 'catalog.json');
for (const name of ['SCICAT_URL', 'SCICAT_TOKEN', 'SCICAT_PATH_MAP']) delete process.env[name];
const env = { ...process.env, PATH: `${venvBin}:${nodeBin}:${process.env.PATH}` };
const lab = (port, baseUrl) =>
  `${venvBin}/jupyter lab --config jupyter_server_test_config.py --port ${port} --ServerApp.base_url=${baseUrl}`;

module.exports = {
  ...baseConfig,
  // scripts/test.sh reads the JUnit report to count passed, failed and skipped tests.
  reporter: [[process.env.CI ? 'line' : 'list'], ...(process.env.MDLMA_JUNIT_FILE ? [['junit', { outputFile: process.env.MDLMA_JUNIT_FILE }]] : [])],
  retries: 0,
  workers: 1,
  timeout: 120000,
  expect: { timeout: 30000 },
  use: {
    ...baseConfig.use,
    video: 'off', // Playwright's video needs its own downloaded ffmpeg
    trace: 'off',
    launchOptions: {
      executablePath: process.env.MDLMA_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  projects: [
    { name: 'root', use: { baseURL: 'http://127.0.0.1:8888' } },
    // Tests titled @root-only do not depend on the base URL (each says why); running them twice would only cost time.
    { name: 'hub-base-url', use: { baseURL: 'http://127.0.0.1:8889/user/test' }, grepInvert: /@root-only/ }
  ],
  webServer: [
    { command: lab(8888, '/'), url: 'http://127.0.0.1:8888/api/status', env, reuseExistingServer: false, timeout: 120000, gracefulShutdown: { signal: 'SIGTERM', timeout: 15000 } },
    { command: lab(8889, '/user/test/'), url: 'http://127.0.0.1:8889/user/test/api/status', env, reuseExistingServer: false, timeout: 120000, gracefulShutdown: { signal: 'SIGTERM', timeout: 15000 } }
  ]
};
