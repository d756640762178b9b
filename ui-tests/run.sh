#!/usr/bin/env bash
# The UI test layer: a single-node Slurm of its own (scripts/slurm-cluster.sh, own folder and ports, so that
# a developer's cluster and the kernel tests' one are left alone) for the job panel's spec, then playwright.
# Without root (or passwordless sudo) or without Slurm installed the cluster is not started and the Slurm spec fails
# saying why.
#   ui-tests/run.sh [playwright args...]
set -uo pipefail
cd "$(dirname "$0")"
export MDLMA_SLURM_DIR=${MDLMA_UI_SLURM_DIR:-/tmp/mdlma-slurm-ui} MDLMA_SLURM_PORT=${MDLMA_UI_SLURM_PORT:-6837}
cluster=../scripts/slurm-cluster.sh
if { [[ $(id -u) -eq 0 ]] || sudo -n true 2>/dev/null; } && command -v slurmctld >/dev/null && command -v munged >/dev/null; then
  # Stop at exit only a cluster this run started: another run may be using one that was already up.
  started=1
  bash "$cluster" status >/dev/null 2>&1 && started=0
  if bash "$cluster" start; then
    export SLURM_CONF=$MDLMA_SLURM_DIR/slurm.conf MDLMA_UI_SLURM=1
    [[ $started == 1 ]] && trap 'bash "$cluster" stop >/dev/null 2>&1' EXIT
  else
    echo "ui-tests: the Slurm cluster did not start; the Slurm panel spec will fail" >&2
    export MDLMA_UI_SLURM=failed
  fi
fi
npx playwright test "$@"
