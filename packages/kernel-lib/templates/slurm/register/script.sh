#!/bin/bash
# MDLMA Lab: register
set -euo pipefail
echo "register: job ${SLURM_JOB_ID:-?} on $(hostname)"
{{@mdlma}} register {{fixed}} {{moving}} --out {{output}} --method {{method}} --metric {{metric}} \
  {{#field}}--field {{field}}{{/field}} {{#transform}}--transform {{transform}}{{/transform}} \
  {{#labels}}--labels {{labels}}{{/labels}} {{#labels_output}}--labels-out {{labels_output}}{{/labels_output}}
