#!/usr/bin/env bash
# Reproduce models/sun-implant (2D U-Net for the SUN pipeline) from synthetic phantoms, or fine-tune it.
#
#   bash models/train/train.sh                 the shipped model: phantoms -> train (2 stages) -> ONNX -> validate -> card
#                                              into models/sun-implant (about 2 h on 2 cores)
#   bash models/train/train.sh [options]       one training run with train.py's options (defaults: 4000 iterations or
#                                              40 min, lr 3e-3, into models/sun-implant)
#   bash models/train/test.sh                  the recipe's tests (smoke training, ONNX parity, fine-tuning; pytest)
#   bash models/train/train.sh --data DIR --init models/sun-implant/model.pt --out OUT [--phantoms 0] [--iters N]
#                                              fine-tune on exported image/label pairs (NIfTI)
#   bash models/train/train.sh --help          all options of train.py
#
# Needs: Node (the mdlma CLI built: packages/kernel-lib/lib/cli/mdlma.js), Debian's python3-torch (installed with apt-get when
# missing and we may), and a virtual environment .venv-train (system site packages + pip onnxruntime, nibabel): see
# environment.sh.
# Env: MDLMA_TRAIN_VENV (default <repo>/.venv-train), MDLMA_TRAIN_THREADS (default 2), NICE (default 10).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${MDLMA_TRAIN_THREADS:-2}"
nice_level="${NICE:-10}"
source "$here/environment.sh"  # Debian's torch, the venv, the mdlma CLI; sets repo and venv

export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
py=(nice -n "$nice_level" "$venv/bin/python" "$here/train.py" --threads "$threads")

if [[ $# -eq 0 ]]; then
  # The shipped model, three stages on the same phantoms and held-out split (the card keeps every stage's provenance):
  #   1. 40 min budget, lr 3e-3, into .data/stage1;
  #   2. 15 min, lr 1e-3, from stage 1, into .data/stage2;
  #   3. 4500 iterations, lr 2e-3, one torch thread (it ran pinned to one core beside other work), 65 % of the slices
  #      centred on the implant, from stage 2, into models/sun-implant.
  "${py[@]}" --out "$here/.data/stage1" --iters 4000 --minutes 40 --lr 3e-3 --nine-axis-volumes 0 --version 1.0.0 \
    --note "stage 1 of 3"
  "${py[@]}" --init "$here/.data/stage1/model.pt" --out "$here/.data/stage2" --iters 4000 --minutes 15 \
    --lr 1e-3 --warmup 10 --nine-axis-volumes 0 --version 1.0.0 \
    --note "stage 2 of 3: continues stage 1 (init_training) on the same phantoms with a lower learning rate"
  exec nice -n "$nice_level" "$venv/bin/python" "$here/train.py" --threads 1 --init "$here/.data/stage2/model.pt" \
    --out "$repo/models/sun-implant" --iters 4500 --minutes 0 --lr 2e-3 --warmup 50 --p-implant 0.65 --seed 3 \
    --nine-axis-volumes 0 --version 1.1.0 \
    --note "stage 3 of 3: continues stage 2 on the same phantoms, one core, more slices through the implant"
fi
exec "${py[@]}" "$@"
