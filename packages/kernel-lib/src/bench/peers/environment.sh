# What the Python peer of the SUN pipeline (sun_pipeline.py beside this file) needs, installed when missing; source it:
#
#   source packages/kernel-lib/src/bench/peers/environment.sh    # then "$bench_python" sun_pipeline.py ...
#
# A virtual environment of its own (no system site packages, so Debian's numpy never leaks in) with PyPI's
# onnxruntime pinned to the engine of our onnxruntime-node, and numpy and scipy pinned so that timings stay
# comparable from run to run.
# Env: MDLMA_BENCH_VENV (default <repo>/.venv-bench). Sets: repo, bench_venv, bench_python.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../../.." && pwd)"
bench_venv="${MDLMA_BENCH_VENV:-$repo/.venv-bench}"
bench_python="$bench_venv/bin/python"

# onnxruntime 1.30.0: the same engine as onnxruntime-node 1.30.0 in packages/kernel-lib/package.json; numpy and scipy: wheels for Python 3.11.
bench_requirements=(onnxruntime==1.30.0 numpy==2.4.6 scipy==1.17.1)

if [[ ! -x "$bench_python" ]]; then
  echo "== creating $bench_venv" >&2
  /usr/bin/python3 -m venv "$bench_venv" || { echo "cannot create $bench_venv (Debian: apt-get install python3-venv)" >&2; return 1 2>/dev/null || exit 1; }
fi
# Installs only when an import fails or a version differs from the pins.
if ! "$bench_python" - "${bench_requirements[@]}" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(any(version(name) != pinned for name, pinned in (r.split("==") for r in sys.argv[1:])))
PY
then
  echo "== pip install ${bench_requirements[*]} into $bench_venv" >&2
  "$bench_venv/bin/pip" install -q --disable-pip-version-check "${bench_requirements[@]}" >&2 ||
    { echo "pip install into $bench_venv failed" >&2; return 1 2>/dev/null || exit 1; }
fi
