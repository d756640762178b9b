// Architecture rules of MDLMA Lab (docs/architecture.md, "Packages and modules"), checked in CI by
// scripts/check-architecture.sh (the `unit` test layer; `make check` runs it alone).
//   depcruise --config .dependency-cruiser.cjs packages/*/src packages/*/*.js ui-tests
// Paths are relative to the repository root. The workspace packages resolve to their sources (tsconfig.depcruise.json),
// so the rules see the source graph and need no build. Circles between kernel-lib modules (folders) are found by
// scripts/module-cycles.mjs in this graph: a folder-scoped rule here would count tests, which may use higher modules.
const fs = require('node:fs');
const path = require('node:path');

const SRC = '^packages/kernel-lib/src/';
/** The kernel process and the command-line entry points: the top of the house, imported by nothing below. */
const KERNEL_PROCESS = `${SRC}(kernel|cli)(/|\\.ts$)`;
/** Tests, fixtures and benchmarks: they may import anything; nothing shipped imports them. */
const TEST_CODE = '\\.test\\.tsx?$|\\.fixture\\.[jt]s$|/fixtures/|/bench/|/__mocks__/';
/** The two kernel-lib faces the browser packages may import: `@mdlma/kernel/protocol` and `@mdlma/kernel/catalog`. */
const BROWSER_FACES = `${SRC}(protocol|catalog)/index\\.ts$`;

/**
 * A workspace package used without being declared in the importer's package.json works only while npm happens to
 * hoist it (the failure lerna's removal once exposed). npm's own check (npm-no-pkg) does not see workspace packages,
 * which resolve to their sources here, so these rules come from the manifests: one per undeclared pair.
 */
function undeclaredWorkspaceRules() {
  // The checked tree: the script runs from its root.
  const root = process.cwd();
  const workspaces = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces;
  const manifests = workspaces.map(folder => ({
    folder,
    manifest: JSON.parse(fs.readFileSync(path.join(root, folder, 'package.json'), 'utf8'))
  }));
  const rules = [];
  for (const importer of manifests) {
    const runtime = importer.manifest.dependencies ?? {};
    const dev = importer.manifest.devDependencies ?? {};
    for (const imported of manifests) {
      const name = imported.manifest.name;
      // A private package (ui-tests) ships nothing: its devDependencies cover all of it.
      if (imported === importer || name in runtime || (name in dev && importer.manifest.private)) {
        continue;
      }
      rules.push({
        name: 'workspace-dependency-declared',
        comment: "A workspace package imported but not declared in the importer's package.json (dependencies; " +
          'devDependencies cover tests only): it resolves only through the workspace links npm made for another package.',
        severity: 'error',
        from: name in dev ? { path: `^${importer.folder}/`, pathNot: TEST_CODE } : { path: `^${importer.folder}/` },
        to: { path: `^${imported.folder}/` }
      });
    }
  }
  return rules;
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle: the files in it cannot be understood, tested or loaded one without the others.',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'compute-not-to-kernel-process',
      comment: 'Compute modules (and the root index) sit below the kernel process and the CLIs: runtime/ has what they need.',
      severity: 'error',
      // The benchmarks are runners like the CLIs (shipped-not-to-test-code keeps them out of shipped code).
      from: { path: SRC, pathNot: `${KERNEL_PROCESS}|${SRC}bench/` },
      to: { path: KERNEL_PROCESS }
    },
    {
      name: 'protocol-self-contained',
      comment: 'protocol/ is browser-safe and shared by all three packages: it imports only protocol/ (no node builtins, no npm).',
      severity: 'error',
      from: { path: `${SRC}protocol/` },
      to: { pathNot: `${SRC}protocol/` }
    },
    {
      name: 'runtime-ground-floor',
      comment: 'runtime/ is the ground floor: of kernel-lib it imports only runtime/, protocol/, files/ (atomic writes, ' +
        'which sit under every module) and errors.ts.',
      severity: 'error',
      from: { path: `${SRC}runtime/` },
      to: { path: SRC, pathNot: `${SRC}(runtime/|protocol/|files/|errors\\.ts$)` }
    },
    {
      name: 'browser-packages-use-kernel-faces',
      comment: 'widgets/ and labextension/ import from @mdlma/kernel only `@mdlma/kernel/protocol` and `@mdlma/kernel/catalog` ' +
        '(and types from the root index).',
      severity: 'error',
      from: { path: '^packages/(widgets|labextension)/' },
      // Compiled lib/ paths are no-deep-lib-imports' to report; fixtures are test code's to import
      // (shipped-not-to-test-code keeps them out of shipped code).
      to: {
        path: '^packages/kernel-lib/',
        pathNot: `${BROWSER_FACES}|${SRC}index\\.ts$|^packages/kernel-lib/lib/|\\.fixture\\.[jt]s$`
      }
    },
    {
      name: 'browser-packages-root-types-only',
      comment: 'The root @mdlma/kernel index pulls in Node code; browser code may import only types from it (tests, ' +
        'which run in Node, may import values).',
      severity: 'error',
      from: { path: '^packages/(widgets|labextension)/', pathNot: TEST_CODE },
      to: { path: `${SRC}index\\.ts$`, dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'widgets-not-jupyterlab-application',
      comment: 'widgets/ know nothing of the JupyterLab application; labextension/ wires them into it.',
      severity: 'error',
      from: { path: '^packages/widgets/' },
      to: { path: '(^|/)node_modules/@jupyterlab/application/' }
    },
    {
      name: 'no-deep-lib-imports',
      comment: 'Compiled paths (`@mdlma/kernel/lib/...`) bypass the exports map; import a module by its name instead.',
      severity: 'error',
      from: {},
      to: { path: '^@mdlma/[^/]+/lib/|(^|/)node_modules/@mdlma/[^/]+/lib/|^packages/[^/]+/lib/' }
    },
    {
      name: 'shipped-not-to-test-code',
      comment: 'Shipped code does not import tests, fixtures or benchmarks (they stay out of lib/).',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: TEST_CODE },
      to: { path: TEST_CODE }
    },
    {
      name: 'no-non-package-json',
      comment: "An npm package imported but not declared in the importing package's package.json: it resolves only " +
        'because npm hoisted it for another package.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] }
    },
    {
      name: 'shipped-not-to-dev-dependency',
      comment: 'Shipped code imports an npm package declared only in devDependencies: users would not get it.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: '(^|/)node_modules/@types/' }
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing (a typo, a module folder without index, a path the exports map hides).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true }
    },
    {
      name: 'no-orphans',
      comment: 'A source file nothing imports and that imports nothing: dead, or an entry point to list here.',
      severity: 'error',
      from: { orphan: true, path: '^packages/[^/]+/src/', pathNot: `${TEST_CODE}|\\.d\\.ts$` },
      to: {}
    },
    ...undeclaredWorkspaceRules()
  ],
  options: {
    // Compiled output is not cruised, but an import that reaches it is kept, so no-deep-lib-imports sees it.
    doNotFollow: { path: '(^|/)node_modules/|^packages/[^/]+/lib/' },
    exclude: { path: '^ui-tests/(test-results|playwright-report|\\.jupyter-root)/' },
    // Type-only imports count: they are dependencies of the design even where the compiler erases them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types', 'typings']
    },
    reporterOptions: {
      text: { highlightFocused: true }
    }
  }
};
