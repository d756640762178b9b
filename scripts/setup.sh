#!/usr/bin/env bash
# Sets up MDLMA Lab in this checkout; each step runs only when its inputs changed, so a second
# run takes seconds. Steps: Debian packages, npm packages, the Python venv, the TypeScript build,
# the prebuilt JupyterLab extension installed into the venv, the kernelspec, the sample data.
#   setup.sh           for JupyterLab (make lab)
#   setup.sh --test    also what the tests need (make test)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
STAMPS=$REPO/.setup-stamps
mkdir -p "$STAMPS"
export PATH="$REPO/.venv/bin:$REPO/node_modules/.bin:$PATH"

step() { echo "== $*"; }
# changed NAME FILES...: true when the content hash of FILES differs from the last recorded one.
changed() {
  local name=$1; shift
  local hash
  hash=$( (cat "$@" 2>/dev/null; echo "$*") | sha256sum | cut -c1-16)
  if [[ -f "$STAMPS/$name" && $(cat "$STAMPS/$name") == "$hash" ]]; then return 1; fi
  echo "$hash" > "$STAMPS/$name.pending"
}
done_step() { mv "$STAMPS/$1.pending" "$STAMPS/$1"; }

bash scripts/system-deps.sh "$@"

if changed npm package-lock.json package.json packages/*/package.json ui-tests/package.json || [[ ! -d node_modules ]]; then
  step "npm packages"
  # A fresh clone installs exactly the lock file; later runs only add or remove what changed.
  [[ -d node_modules ]] && npm_command=install || npm_command=ci
  # onnxruntime-node's postinstall downloads CUDA libraries, which this network cannot reach.
  ONNXRUNTIME_NODE_INSTALL=skip flock /tmp/mdlma-npm.lock npm "$npm_command" --no-audit --no-fund --loglevel=error
  [[ -f "$STAMPS/npm.pending" ]] && done_step npm
fi

if changed venv requirements-dev.txt || [[ ! -x .venv/bin/python ]]; then
  step "Python venv (.venv)"
  [[ -x .venv/bin/python ]] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  [[ -f "$STAMPS/venv.pending" ]] && done_step venv
fi

step "TypeScript build"
npx tsc -b packages/kernel-lib packages/widgets packages/labextension
# npm links a workspace's bin only if it existed at install time; on a fresh clone it did not yet.
chmod +x packages/kernel-lib/lib/cli/mdlma.js
# Always (re)linked: a link of an older layout (lib/cli.js) would run stale code or dangle.
ln -sfn ../@mdlma/kernel/lib/cli/mdlma.js node_modules/.bin/mdlma

labext_inputs=$(find packages/labextension/src packages/labextension/style packages/labextension/schema packages/widgets/src packages/widgets/style \
  packages/labextension/package.json packages/labextension/pyproject.toml packages/labextension/mdlma_lab -type f \
  -not -path '*/labextension/mdlma_lab/labextension/*' -not -name '*.pyc' | sort)
# shellcheck disable=SC2086
if changed labextension $labext_inputs || ! .venv/bin/python -c 'import mdlma_lab' 2>/dev/null; then
  step "JupyterLab extension (build, pip install into .venv)"
  (cd packages/labextension && jupyter-builder build .)
  .venv/bin/pip install -q --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps ./packages/labextension
  [[ -f "$STAMPS/labextension.pending" ]] && done_step labextension
fi

step "kernelspec \"TypeScript (MDLMA)\""
node packages/kernel-lib/lib/cli/mdlma.js kernel install --prefix .venv >/dev/null

mkdir -p examples/data
if [[ ! -f examples/data/implant-128.nii.gz ]]; then
  step "sample data: 128^3 implant phantom (examples/data/implant-128.nii.gz)"
  node packages/kernel-lib/lib/cli/mdlma.js phantom --size 128 --seed 7 --stage 8 --out examples/data/implant-128.nii.gz
fi
if [[ ! -f examples/data/qim3d/bone_128x128x128.tif ]]; then
  step "sample data: real bone micro-CT from the qim3d wheel"
  if ! bash packages/kernel-lib/scripts/fetch-qim3d-bone.sh; then
    # The tests need the real-bone family (phantoms, held-out set); JupyterLab alone can do without it.
    [[ " $* " == *" --test "* ]] && { echo "setup: the qim3d wheel (real bone scan) could not be fetched from PyPI; the tests need it" >&2; exit 1; }
    echo "   (skipped: the qim3d wheel could not be fetched; the real-bone examples will say so)"
  fi
fi
step "set-up complete"
