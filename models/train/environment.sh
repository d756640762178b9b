# What the training recipe needs, checked (and installed where we may) by train.sh and test.sh; source it:
#
#   source "$here/environment.sh"    # then "$venv/bin/python" runs with torch, onnxruntime, nibabel and onnx
#
# Debian's python3-torch (installed with apt-get when missing and running as root or with passwordless sudo), the
# virtual environment $venv (system site packages + pip onnxruntime, nibabel, onnx) and the built mdlma CLI
# (packages/kernel-lib/lib/cli/mdlma.js, which makes the phantoms).
# Env: MDLMA_TRAIN_VENV (default <repo>/.venv-train). Sets: repo, venv.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${MDLMA_TRAIN_VENV:-$repo/.venv-train}"

# ---- Debian's PyTorch (never the PyPI wheels: they pull CUDA)
if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then apt_get=(apt-get)
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then apt_get=(sudo -n apt-get)
  else
    echo "models/train needs Debian's PyTorch: as root, apt-get update && apt-get install -y python3-torch" >&2
    exit 1
  fi
  echo "== installing python3-torch (Debian)"
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends python3-torch python3-venv \
    >/dev/null 2>&1 || {
    "${apt_get[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends python3-torch python3-venv >/dev/null
  }
fi

# ---- venv with the pip extras; numpy stays Debian's (torch 1.13 is built against numpy 1.x), hence nibabel < 5.3
if [[ ! -x "$venv/bin/python" ]]; then
  echo "== creating $venv"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -c "import onnxruntime, nibabel, onnx" 2>/dev/null; then
  echo "== pip install onnxruntime nibabel onnx into $venv"
  # onnx: graph edits of variants.py (quantisation and float16 conversion). numpy is held at Debian's version:
  # Debian's torch is built against numpy 1.x, and onnx alone would pull numpy 2 into the venv.
  system_numpy="$(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')"
  "$venv/bin/pip" install -q --disable-pip-version-check onnxruntime "nibabel<5.3" "onnx<1.24" "numpy==$system_numpy"
fi

# ---- the mdlma CLI (phantom generator)
if [[ ! -f "$repo/packages/kernel-lib/lib/cli/mdlma.js" ]]; then
  echo "models/train needs the built mdlma CLI (packages/kernel-lib/lib/cli/mdlma.js): run npm run build first" >&2
  exit 1
fi
