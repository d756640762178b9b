#!/usr/bin/env bash
# Adds ONNX Runtime's CUDA execution provider to onnxruntime-node (whose npm package ships only CPU and WebGPU).
#
# The provider libraries come from the onnxruntime-gpu wheel of the SAME version as onnxruntime-node (the ABI between
# libonnxruntime.so and its providers is not stable across versions). They are copied next to onnxruntime-node's
# binding, where ONNX Runtime looks for them; @mdlma/kernel then finds them (cudaProviderInstalled()) and
# `device: 'auto'` or `device: 'cuda'` uses them. CPU stays the default and keeps working without any of this.
#
# Needs: pip (any Python), an NVIDIA driver, and the CUDA 12 + cuDNN 9 runtime libraries on the loader path. Without
# a system CUDA, pass --with-cuda-runtime to also install NVIDIA's runtime wheels into a folder and print the
# LD_LIBRARY_PATH to export before starting Jupyter or the `mdlma` command.
#
# usage: scripts/install-onnxruntime-cuda.sh [--version 1.30.0] [--with-cuda-runtime] [--wheel path/to/onnxruntime_gpu.whl]
# undo:  rm <onnxruntime-node>/bin/napi-v6/linux/x64/libonnxruntime_providers_{cuda,shared}.so
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
version=""
wheel=""
runtime=0
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="$2"; shift 2 ;;
    --wheel) wheel="$2"; shift 2 ;;
    --with-cuda-runtime) runtime=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ort_dir="$(cd "$here/packages/kernel-lib" && node -p "require('path').dirname(require.resolve('onnxruntime-node/package.json'))")"
[ -n "$version" ] || version="$(node -p "require('$ort_dir/package.json').version")"
bin="$ort_dir/bin/napi-v6/linux/x64"
[ -d "$bin" ] || { echo "onnxruntime-node's binding folder $bin is missing; run npm install first" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "$wheel" ]; then
  echo "Downloading onnxruntime-gpu==$version (the wheel, without dependencies)..."
  python3 -m pip download --no-deps --only-binary=:all: --dest "$work" "onnxruntime-gpu==$version" >/dev/null
  wheel="$(ls "$work"/onnxruntime_gpu-*.whl)"
fi
echo "Extracting the CUDA provider from $(basename "$wheel")..."
python3 - "$wheel" "$work/x" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name.startswith("onnxruntime/capi/libonnxruntime_providers_") and name.endswith(".so"):
            z.extract(name, sys.argv[2])
PY
for lib in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so; do
  install -m 0644 "$work/x/onnxruntime/capi/$lib" "$bin/$lib"
  echo "  $bin/$lib"
done

if [ "$runtime" = 1 ]; then
  target="$here/.cuda-runtime"
  echo "Installing the CUDA 12 / cuDNN 9 runtime wheels into $target ..."
  python3 -m pip install --target "$target" --quiet nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12 \
    nvidia-curand-cu12 nvidia-cudnn-cu12
  paths="$(find "$target/nvidia" -maxdepth 2 -type d -name lib | tr '\n' ':')"
  echo "Before starting Jupyter or mdlma:  export LD_LIBRARY_PATH=${paths}\${LD_LIBRARY_PATH:-}"
fi

echo "Check: node -e \"require('@mdlma/kernel').SegmentationModel.load('sun-implant',{device:'cuda'}).then(m=>console.log(m.provider))\""
