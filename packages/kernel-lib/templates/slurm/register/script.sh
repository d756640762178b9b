#!/bin/bash
# MDLMA Lab: register
set -euo pipefail
echo "register: job ${SLURM_JOB_ID:-?} on $(hostname)"
{{@mdlma}} register {{fixed}} {{moving}} --out {{output}} {{#field}}--field {{field}}{{/field}}
