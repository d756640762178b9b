#!/bin/bash
# MDLMA Lab: segment-volume
set -euo pipefail
echo "segment-volume: job ${SLURM_JOB_ID:-?} on $(hostname)"
{{@mdlma}} segment {{input}} --out {{output}} --model {{model}} --axes {{axes}} --voting {{voting}} \
  --device {{device}} --threads "${SLURM_CPUS_PER_TASK:-1}" {{#confidence}}--confidence {{confidence}}{{/confidence}}
