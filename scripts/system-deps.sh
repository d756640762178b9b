#!/usr/bin/env bash
# Debian packages MDLMA Lab needs beyond a stock machine; installs only what is missing.
#   system-deps.sh          what JupyterLab and the kernel need (nothing beyond Node, Python, make)
#   system-deps.sh --test   also what the tests need: Debian's Chromium (galata UI tests), and munge and
#                           Slurm (a real single-node cluster started by the cluster tests), and Debian's
#                           PyTorch (the training recipe's smoke run; never PyPI's torch, which pulls CUDA)
set -euo pipefail

packages=()
if [[ "${1:-}" == "--test" ]]; then
  command -v chromium >/dev/null || packages+=(chromium)
  for tool in munged:munge slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client; do
    command -v "${tool%%:*}" >/dev/null || packages+=("${tool#*:}")
  done
  /usr/bin/python3 -c "import torch" 2>/dev/null || packages+=(python3-torch)
  /usr/bin/python3 -c "import ensurepip" 2>/dev/null || packages+=(python3-venv)
fi
[[ ${#packages[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  apt_get=(sudo -n apt-get)
else
  echo "MDLMA Lab needs these Debian packages: ${packages[*]}" >&2
  echo "Install them as root: apt-get update && apt-get install -y ${packages[*]}" >&2
  exit 1
fi
echo "== installing Debian packages: ${packages[*]}"
"${apt_get[@]}" update -qq
DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
