#!/usr/bin/env bash
# Runs every test layer of MDLMA Lab after setting up what they need; one summary at the end.
# Layers: unit (jest), kernel (jupyter_client; with the real Slurm cluster tests), server (Jupyter server
# extension), models (the training recipe's smoke run), notebooks (the SciCat contract against the SDK's DTOs, then
# examples/ executed and exported to HTML),
# ui (galata in Debian's Chromium; ui-tests/run.sh starts a Slurm of its own for the job panel).
#   test.sh [layer ...]   only the named layers
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
bash scripts/setup.sh --test || exit 1
export PATH="$REPO/.venv/bin:$REPO/node_modules/.bin:$PATH"
LOGS=$REPO/.test-logs
mkdir -p "$LOGS"

declare -A COMMANDS=(
  [unit]="npm run --silent test:unit"
  [kernel]="python -m pytest -q packages/kernel-lib/tests"
  [server]="python -m pytest -q packages/labextension/tests"
  [models]="bash models/train/train.sh --smoke && echo '1 passed, 0 failed'"
  [notebooks]="python -m pytest -q tests/scicat tests/notebooks"
  [ui]="bash ui-tests/run.sh"
)
ORDER=(unit kernel server models notebooks ui)
[[ $# -gt 0 ]] && ORDER=("$@")

# count LOG: "passed failed" from the runner's closing lines (jest, pytest, playwright).
count() {
  python3 - "$1" <<'PY'
import re, sys
text = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1], errors="replace").read())
passed = failed = 0
for line in text.splitlines():
    if line.startswith("Tests:"):  # jest, one line per package
        passed += sum(int(n) for n in re.findall(r"(\d+) passed", line))
        failed += sum(int(n) for n in re.findall(r"(\d+) failed", line))
    elif re.match(r"^=*\s*(\d+ (passed|failed|error|errors|skipped)[, ]*)+", line.strip()) or re.match(r"^\s*\d+ (passed|failed|flaky)( \(|$)", line):
        passed += sum(int(n) for n in re.findall(r"(\d+) passed", line))
        failed += sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)\b", line))
print(passed, failed)
PY
}

total_passed=0; total_failed=0; status=0; summary=()
for layer in "${ORDER[@]}"; do
  echo "== test layer: $layer"
  started=$(date +%s)
  bash -c "${COMMANDS[$layer]}" 2>&1 | tee "$LOGS/$layer.log"
  code=${PIPESTATUS[0]}
  read -r passed failed < <(count "$LOGS/$layer.log")
  if [[ $code -ne 0 && $failed -eq 0 ]]; then failed=1; fi  # a crash before any test ran
  [[ $code -ne 0 ]] && status=1
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed))
  summary+=("$(printf '%-10s %4d passed %3d failed  %4ds' "$layer" "$passed" "$failed" $(( $(date +%s) - started )))")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
exit $status
