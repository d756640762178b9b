/**
 * The viewer benchmark (not a test): `cd ui-tests && CI=true npx playwright test --config bench/playwright.config.js`.
 * One JupyterLab at /, the same Chromium and SwiftShader as the UI tests; writes
 * bench-results/viewer.json and viewer.md at the repository root.
 */
const base = require('../playwright.config');

module.exports = {
  ...base,
  testDir: __dirname,
  testMatch: /viewer\.bench\.ts$/,
  timeout: 900000,
  projects: [base.projects[0]],
  webServer: [{ ...base.webServer[0], cwd: require('path').resolve(__dirname, '..') }]
};
