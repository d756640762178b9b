#!/bin/bash
# MDLMA Lab: train-sun (models/train/train.sh, fine-tuning)
set -euo pipefail
echo "train-sun: job ${SLURM_JOB_ID:-?} on $(hostname), GPUs: ${CUDA_VISIBLE_DEVICES:-none}"
export MDLMA_TRAIN_THREADS="${SLURM_CPUS_PER_TASK:-2}"
bash {{@repo}}/models/train/train.sh --data {{data}} \
  {{#init}}--init {{init}}{{/init}}{{^init}}--init {{@repo}}/models/sun-implant/model.pt{{/init}} \
  --out {{out}} --phantoms 0 {{#iters}}--iters {{iters}}{{/iters}}
