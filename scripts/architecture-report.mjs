/**
 * Reads what the architecture checks wrote (scripts/check-architecture.sh) and prints one verdict per check: each
 * dependency-cruiser rule, the circles between kernel-lib modules, the compiled-path search, the copy-paste detector;
 * exits 1 when any check fails.
 *
 * @example
 * node scripts/architecture-report.mjs --depcruise d.json --jscpd jscpd-report.json --deep-lib hits.txt --junit out.xml
 *
 * MDLMA Lab, BSD-3-Clause.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { moduleCycles } from './module-cycles.mjs';

/** Runs the report on the command line's files; returns the exit code. */
function main() {
  const { values } = parseArgs({
    options: {
      depcruise: { type: 'string' },
      jscpd: { type: 'string' },
      'deep-lib': { type: 'string' },
      junit: { type: 'string' }
    }
  });
  const checks = [...dependencyChecks(values.depcruise), deepLibCheck(values['deep-lib']), copyPasteCheck(values.jscpd)];
  for (const check of checks) {
    console.log(`${check.problems.length ? 'FAIL' : 'ok  '} ${check.name}${check.note ? `: ${check.note}` : ''}`);
    for (const problem of check.problems) {
      console.log(`       ${problem}`);
    }
  }
  const failed = checks.filter(check => check.problems.length);
  console.log(`architecture: ${checks.length - failed.length} of ${checks.length} checks passed`);
  if (values.junit) {
    writeFileSync(values.junit, Private.junit(checks));
  }
  return failed.length ? 1 : 0;
}

/** One check per dependency-cruiser rule name, listing its violations (`from → to`, as written in the import). */
function dependencyChecks(file) {
  const result = Private.readJson(file, 'dependency-cruiser');
  if (result.error) {
    return [{ name: 'dependency-cruiser', problems: [result.error] }];
  }
  const { summary } = result.json;
  const rules = new Map();
  for (const rule of summary.ruleSetUsed.forbidden) {
    rules.set(rule.name, rules.get(rule.name) ?? { name: `dependency-cruiser ${rule.name}`, note: rule.comment, problems: [] });
  }
  for (const violation of summary.violations) {
    const { problems } = rules.get(violation.rule.name);
    const problem = Private.describeViolation(violation);
    // A cycle is reported once per edge in it; one line is enough.
    if (!problems.includes(problem)) {
      problems.push(problem);
    }
  }
  const checks = [...rules.values()].map(check => (check.problems.length ? check : { ...check, note: undefined }));
  const cycles = moduleCycles(result.json.modules);
  const note = 'two kernel-lib modules (folders) import each other in shipped code: one of them must sit below the other';
  checks.splice(1, 0, { name: 'dependency-cruiser no-circular-modules', note: cycles.length ? note : undefined, problems: cycles });
  return checks;
}

/** The compiled-path search: each hit is a notebook, test, script or doc that imports `@mdlma/<package>/lib/...`. */
function deepLibCheck(file) {
  const name = 'no @mdlma/<package>/lib/ imports in notebooks, Python tests, scripts and docs';
  if (!file || !existsSync(file)) {
    return { name, problems: ['the search left no result'] };
  }
  const hits = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return { name, problems: hits.map(hit => (hit.length > 200 ? `${hit.slice(0, 200)}…` : hit)) };
}

/** The copy-paste detector: every clone outside the allow-list fails; the duplicated share is reported either way. */
function copyPasteCheck(file) {
  const result = Private.readJson(file, 'jscpd');
  if (result.error) {
    return { name: 'jscpd copy-paste', problems: [result.error] };
  }
  const { duplicates, statistics } = result.json;
  const total = statistics.total;
  const share = `${total.duplicatedLines} of ${total.lines} lines (${total.percentage.toFixed(2)}%) in ${total.sources} files`;
  if (!total.sources) {
    return { name: 'jscpd copy-paste over packages/*/src', problems: ['no file scanned: check the pattern of .jscpd.json'] };
  }
  const problems = duplicates.map(
    clone => `${clone.lines} lines, ${clone.tokens} tokens: ${Private.place(clone.firstFile)} = ${Private.place(clone.secondFile)}`
  );
  return { name: 'jscpd copy-paste over packages/*/src', note: `duplicated: ${share}`, problems };
}

/** Formatting and parsing helpers of this report. */
const Private = {
  /** The parsed JSON of a tool's report, or an error saying that the tool wrote none. */
  readJson: (file, tool) => {
    if (!file || !existsSync(file)) {
      return { error: `${tool} wrote no report (it failed before checking: see its message above)` };
    }
    try {
      return { json: JSON.parse(readFileSync(file, 'utf8')) };
    } catch (error) {
      return { error: `${tool}'s report is not JSON: ${error.message}` };
    }
  },

  /** `from → to` of a dependency, with the import as written; a cycle as its path from its first name in sort order. */
  describeViolation: violation => {
    if (violation.cycle?.length) {
      const names = violation.cycle.map(step => step.name);
      const start = names.indexOf([...names].sort()[0]);
      const path = [...names.slice(start), ...names.slice(0, start)];
      return [...path, path[0]].join(' → ');
    }
    const written = violation.unresolvedTo && violation.unresolvedTo !== violation.to ? ` ('${violation.unresolvedTo}')` : '';
    return violation.type === 'module' ? violation.from : `${violation.from} → ${violation.to}${written}`;
  },

  /** `file:start-end` of one side of a clone. */
  place: side => `${side.name}:${side.start}-${side.end}`,

  /** JUnit XML: one test case per check, a failure listing its problems. */
  junit: checks => {
    const escape = text =>
      String(text).replace(/[<>&"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
    const cases = checks.map(check => {
      const open = `  <testcase classname="scripts/check-architecture.sh" name="${escape(check.name)}"`;
      if (!check.problems.length) {
        return `${open}/>`;
      }
      const message = `${check.problems.length} violation(s)${check.note ? `: ${check.note}` : ''}`;
      const failure = `<failure message="${escape(message)}">${escape(check.problems.join('\n'))}</failure>`;
      return `${open}>\n    ${failure}\n  </testcase>`;
    });
    const failures = checks.filter(check => check.problems.length).length;
    const suite = `<testsuite name="architecture" tests="${checks.length}" failures="${failures}">`;
    return `<?xml version="1.0" encoding="UTF-8"?>\n${suite}\n${cases.join('\n')}\n</testsuite>\n`;
  }
};

process.exitCode = main();
