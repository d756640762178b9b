#!/usr/bin/env bash
# Runs every test layer of MDLMA Lab after setting up what they need; one summary at the end: passed, failed and
# skipped per layer and in total (scripts/test_summary.py, from the runners' JUnit/JSON reports).
# Layers: unit (jest, and scripts/check-architecture.sh: one test per architecture rule), kernel (jupyter_client;
# with the real Slurm cluster tests), server (Jupyter server extension), models (pytest of the training recipe: smoke
# training, ONNX/torch parity, fine-tuning), notebooks (this runner's summary on sample reports, the SciCat contract
# against the SDK's DTOs, then examples/ executed, their results checked, exported to HTML),
# ui (galata in Debian's Chromium; ui-tests/run.sh starts a Slurm of its own for the job panel).
# The run fails on a failed test, a layer that crashed or ran no test, and a skip not listed with its reason in
# tests/allowed-skips.txt.
#   test.sh [layer ...]   only the named layers
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
LOGS=$REPO/.test-logs
ALLOWED_SKIPS=$REPO/tests/allowed-skips.txt
ORDER=(unit kernel server models notebooks ui)

# The layer's command; its reports go to $LOGS/<layer>*.xml or .json.
layer_command() {
  local junit="-o junit_family=xunit1 --junitxml"
  case $1 in
    unit) echo "(cd packages/kernel-lib && tsc -p tsconfig.test.json && NODE_OPTIONS=--experimental-vm-modules jest --json --outputFile=$LOGS/unit-kernel-lib.json); a=\$?;
                (cd packages/widgets && tsc -p tsconfig.test.json && jest --json --outputFile=$LOGS/unit-widgets.json); b=\$?;
                bash scripts/check-architecture.sh --junit $LOGS/unit-architecture.xml; c=\$?; exit \$((a || b || c))" ;;
    kernel) echo "python -m pytest -q -rs packages/kernel-lib/tests $junit=$LOGS/kernel.xml" ;;
    server) echo "python -m pytest -q -rs packages/labextension/tests $junit=$LOGS/server.xml" ;;
    models) echo "bash models/train/test.sh -rs $junit=$LOGS/models.xml" ;;
    notebooks) echo "python -m pytest -q -rs tests/runner tests/scicat tests/notebooks $junit=$LOGS/notebooks.xml" ;;
    ui) echo "MDLMA_JUNIT_FILE=$LOGS/ui.xml bash ui-tests/run.sh" ;;
  esac
}

[[ $# -gt 0 ]] && ORDER=("$@")
for layer in "${ORDER[@]}"; do
  if [[ -z $(layer_command "$layer") ]]; then
    echo "test.sh: unknown layer '$layer' (layers: unit kernel server models notebooks ui)" >&2
    exit 2
  fi
done

bash scripts/setup.sh --test || { echo "test.sh: the set-up failed (see above); no test ran" >&2; exit 1; }
export PATH="$REPO/.venv/bin:$REPO/node_modules/.bin:$PATH"
mkdir -p "$LOGS"

for layer in "${ORDER[@]}"; do
  echo "== test layer: $layer"
  rm -f "$LOGS/$layer".* "$LOGS/$layer"-*
  started=$(date +%s)
  bash -c "$(layer_command "$layer")" 2>&1 | tee "$LOGS/$layer.log"
  echo "${PIPESTATUS[0]} $(( $(date +%s) - started ))" >"$LOGS/$layer.rc"
done

python3 scripts/test_summary.py "$LOGS" "$ALLOWED_SKIPS" "${ORDER[@]}"
