#!/bin/bash
# MDLMA Lab: jupyterlab (a Jupyter server on the compute node; the token never appears on a command line)
set -euo pipefail
umask 077
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
token=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
host=$(hostname -f 2>/dev/null || hostname)
dir={{connection_dir}}
# Behind jupyter-server-proxy's /proxy/absolute/<host>:<port>/ the server must live under that very path.
base_url=/
{{#proxy_base}}base_url={{proxy_base}}"${host}:${port}/"{{/proxy_base}}
mkdir -p "$dir"
connection="$dir/app-${SLURM_JOB_ID}.json"
python3 - "$connection" "$host" "$port" "$token" "${SLURM_JOB_ID}" "$base_url" <<'PY'
import json, os, sys
path, host, port, token, job, base_url = sys.argv[1:]
info = {"host": host, "port": int(port), "token": token, "url": f"http://{host}:{port}{base_url}", "job_id": job,
        "base_url": base_url}
with open(path + ".tmp", "w") as f:
    json.dump(info, f)
os.replace(path + ".tmp", path)
PY
trap 'rm -f "$connection"' EXIT
echo "jupyterlab: job ${SLURM_JOB_ID} serving on ${host}:${port}"
extra=()
[[ $(id -u) -eq 0 ]] && extra+=(--allow-root)
JUPYTER_TOKEN="$token" {{jupyter}} {{app}} --no-browser --ip=0.0.0.0 --port="$port" \
  --ServerApp.root_dir={{root_dir}} --ServerApp.base_url="$base_url" "${extra[@]}"
