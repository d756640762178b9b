#!/usr/bin/env bash
# Reduced-precision variants of models/sun-implant (int8 for CPUs, fp16 for GPUs), scored on the held-out plan and
# recorded in its card (variants.py says how). About 15 min on 2 cores.
#
#   bash models/train/variants.sh [variants.py options]     e.g. --model OUT to make them for a fine-tuned model
#
# Needs what train.sh needs (environment.sh). Env: MDLMA_TRAIN_THREADS (default 2), NICE (default 10).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${MDLMA_TRAIN_THREADS:-2}"
source "$here/environment.sh"  # Debian's torch, the venv, the mdlma CLI; sets repo and venv

export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
cd "$here"
exec nice -n "${NICE:-10}" "$venv/bin/python" "$here/variants.py" --threads "$threads" "$@"
