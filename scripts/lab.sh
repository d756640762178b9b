#!/usr/bin/env bash
# Sets everything up, then starts JupyterLab on examples/ (no browser; open the printed URL).
#   MDLMA_PORT (8888), MDLMA_IP (127.0.0.1), MDLMA_BASE_URL (/; e.g. /user/<name>/ as under JupyterHub)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"
args=(--no-browser --ServerApp.root_dir="$PWD/examples" --ip="${MDLMA_IP:-127.0.0.1}" --port="${MDLMA_PORT:-8888}"
  --ServerApp.base_url="${MDLMA_BASE_URL:-/}" --LabApp.default_url=/lab/tree/00-hello.ipynb)
[[ $(id -u) -eq 0 ]] && args+=(--allow-root)
echo "== starting JupyterLab on examples/ (the URL with its token follows)"
exec jupyter lab "${args[@]}"
