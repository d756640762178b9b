#!/usr/bin/env bash
# The architecture checks of MDLMA Lab (docs/architecture-checks.md): the import rules of .dependency-cruiser.cjs over
# the three packages' sources and ui-tests/, no compiled `lib/` import paths where the cruiser does not look (notebooks,
# Python tests, scripts, docs), and the copy-paste detector (.jscpd.json) over packages/*/src. Fails on any violation.
# Needs node_modules (npm ci), no build. `make check` runs it alone; scripts/test.sh runs it in the `unit` layer.
#   check-architecture.sh [--junit FILE]   FILE: one JUnit test case per rule, for the test summary
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

junit=
if [[ ${1:-} == --junit && -n ${2:-} ]]; then
  junit=$2
elif [[ $# -gt 0 ]]; then
  echo "usage: check-architecture.sh [--junit FILE]" >&2
  exit 2
fi
if ! command -v depcruise >/dev/null || ! command -v jscpd >/dev/null; then
  echo "check-architecture.sh: dependency-cruiser or jscpd is missing: run 'npm ci' (or 'make setup') first" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Exit codes are not checked here: the report reads what each tool wrote and decides.
# The cruiser reads the sources, the packages' own config files (jest set-up, ...) and the UI tests.
shopt -s nullglob
depcruise --config .dependency-cruiser.cjs --output-type json --output-to "$work/depcruise.json" \
  packages/*/src packages/*/*.{js,cjs,mjs,ts} ui-tests
shopt -u nullglob
jscpd --silent --reporters json --output "$work/jscpd" . >/dev/null 2>"$work/jscpd.err" ||
  [[ -f $work/jscpd/jscpd-report.json ]] || cat "$work/jscpd.err" >&2
# An import or require of a compiled path in the files the cruiser does not read (.ipynb cells keep quotes escaped).
git grep --untracked -n -E \
  "(from|import|require)[[:space:]]*\(?[[:space:]]*\\\\?[\"'\`]@mdlma/[a-z-]+/lib/" \
  -- '*.ts' '*.tsx' '*.js' '*.mjs' '*.cjs' '*.ipynb' '*.py' '*.sh' '*.md' \
  ':!**/lib/**' ':!**/node_modules/**' ':!packages/*/src/**' ':!ui-tests/**' \
  >"$work/deep-lib.txt"

node scripts/architecture-report.mjs --depcruise "$work/depcruise.json" --jscpd "$work/jscpd/jscpd-report.json" \
  --deep-lib "$work/deep-lib.txt" ${junit:+--junit "$junit"}
