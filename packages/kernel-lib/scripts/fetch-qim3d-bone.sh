#!/usr/bin/env bash
# Fetch the real X-ray micro-CT bone scan that PyPI's qim3d (MIT licence) ships as
# qim3d/examples/bone_128x128x128.tif (uint8, 128^3), for the real-bone phantom family.
#
# usage: fetch-qim3d-bone.sh [target-folder]     (default: <repo>/examples/data/qim3d)
# env:   PIP         pip to use (default: <repo>/.venv/bin/pip)
#        QIM3D_WHEEL an already downloaded qim3d wheel (skips the download)
#
# Idempotent: does nothing when the file is already there. Writes atomically.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
target="${1:-$repo/examples/data/qim3d}"
member="qim3d/examples/bone_128x128x128.tif"
version="1.5.3"
out="$target/bone_128x128x128.tif"

if [ -s "$out" ]; then
  echo "qim3d bone scan already at $out"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

wheel="${QIM3D_WHEEL:-}"
if [ -z "$wheel" ]; then
  pip="${PIP:-$repo/.venv/bin/pip}"
  "$pip" download --quiet --no-deps --only-binary=:all: --dest "$tmp" "qim3d==$version"
  wheel="$(ls "$tmp"/qim3d-"$version"-*.whl | head -n 1)"
fi

# A wheel is a zip: take just the one member (python's zipfile, so unzip need not be installed).
python3 - "$wheel" "$member" "$tmp/bone.tif" <<'PY'
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out)
PY

mkdir -p "$target"
mv "$tmp/bone.tif" "$out.partial"
mv "$out.partial" "$out"
echo "qim3d bone scan written to $out (from qim3d $version, MIT licence)"
