#!/usr/bin/env bash
# Tests of the training recipe (models/train/tests, pytest): a smoke training on tiny phantoms, ONNX/PyTorch parity
# of its export and of the shipped models/sun-implant, a fine-tuning on a set written by exportTrainingSet, and the
# errors a user meets. A few minutes on 2 cores.
#
#   bash models/train/test.sh               all of them (scripts/test.sh's models layer)
#   bash models/train/test.sh -k parity     pytest's options pass through
#
# Needs what train.sh needs (environment.sh) plus pytest, installed into the venv when missing.
# Env: MDLMA_TRAIN_VENV (default <repo>/.venv-train), MDLMA_TRAIN_THREADS (default 2), NICE (default 10).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/environment.sh"  # Debian's torch, the venv, the mdlma CLI; sets repo and venv
if ! "$venv/bin/python" -c "import pytest" 2>/dev/null; then
  echo "== pip install pytest into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check pytest
fi

threads="${MDLMA_TRAIN_THREADS:-2}"
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" MDLMA_TRAIN_THREADS="$threads"
cd "$repo"
exec nice -n "${NICE:-10}" "$venv/bin/python" -m pytest -q models/train/tests "$@"
