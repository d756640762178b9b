/**
 * Sets one version on every workspace package (they are released together), on the ranges by which they depend on
 * each other, and on the Python package of the extension; then refreshes package-lock.json. What `lerna version` did
 * for this repository, without lerna; committing and tagging stay with the releaser.
 *
 * @example
 * npm run set-version -- 0.2.0
 *
 * MDLMA Lab, BSD-3-Clause.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The Python distribution of the labextension, whose version follows the npm packages'. */
const PYPROJECT = 'packages/labextension/pyproject.toml';
/** Semantic version: x.y.z with an optional pre-release (0.2.0, 1.0.0-rc.1). */
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** The manifest sections whose entries may name a workspace package. */
const DEPENDENCY_SECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

/** Sets `version` (the first argument) everywhere listed above. */
function main(version) {
  if (!version || !SEMVER.test(version)) {
    console.error('usage: npm run set-version -- <x.y.z>');
    process.exitCode = 2;
    return;
  }

  const manifests = Private.readJson('package.json').workspaces.map(folder => {
    const file = join(folder, 'package.json');
    return { file, manifest: Private.readJson(file) };
  });
  const names = new Set(manifests.map(({ manifest }) => manifest.name));
  for (const { file, manifest } of manifests) {
    manifest.version = version;
    for (const section of DEPENDENCY_SECTIONS) {
      for (const name of Object.keys(manifest[section] ?? {})) {
        if (names.has(name)) {
          manifest[section][name] = `^${version}`;
        }
      }
    }
    writeFileSync(join(ROOT, file), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`${file}: ${manifest.name} ${version}`);
  }

  const pyproject = readFileSync(join(ROOT, PYPROJECT), 'utf8');
  const projectVersion = /^(\[project\][^[]*?^version = )"[^"]*"/m;
  if (!projectVersion.test(pyproject)) {
    console.error(`${PYPROJECT}: no version in its [project] table`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(join(ROOT, PYPROJECT), pyproject.replace(projectVersion, `$1"${version}"`));
  console.log(`${PYPROJECT}: mdlma_lab ${version}`);

  // The lock records each workspace's version; --package-lock-only leaves node_modules alone.
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: 'inherit'
  });
  console.log(`set-version: ${version}; review, then commit and tag (git tag v${version})`);
}

/** File helpers of this script. */
const Private = {
  /** A JSON file of the repository, parsed. */
  readJson: file => JSON.parse(readFileSync(join(ROOT, file), 'utf8'))
};

main(process.argv[2]);
