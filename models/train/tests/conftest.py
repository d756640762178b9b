"""Tests of the training recipe (run them with `bash models/train/test.sh`, which prepares the venv).

The smoke training runs once per session (`smoke_model`); the phantoms it makes are cached in `phantom_cache` for
the other runs of train.py, which share the held-out phantom.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TRAIN = Path(__file__).resolve().parents[1]
REPO = TRAIN.parents[1]
SHIPPED = REPO / "models" / "sun-implant"
KERNEL_LIB = REPO / "packages" / "kernel-lib" / "lib" / "index.js"
THREADS = os.environ.get("MDLMA_TRAIN_THREADS", "2")

# One 40^3 held-out phantom, synthetic family: every run here evaluates on the same small volume.
TINY_HELDOUT = ["--heldout", "1", "--size", "40", "--no-real-bone"]
# The smoke run: two 40^3 training phantoms, 8 iterations of 4 tiles of 48x48.
SMOKE = ["--smoke", "--phantoms", "2", *TINY_HELDOUT, "--iters", "8", "--batch", "4", "--tile", "48",
         "--log-every", "4"]

sys.path.insert(0, str(TRAIN))  # sunlib, train, onnx_export: the recipe's own modules


@dataclass
class TrainedModel:
    """A model folder written by train.py, with its card and what the run printed."""
    folder: Path
    card: dict
    log: str


def run_train(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """train.py with the given options, as train.sh runs it (the venv's Python, MDLMA_TRAIN_THREADS threads)."""
    return subprocess.run([sys.executable, str(TRAIN / "train.py"), "--threads", THREADS, *args],
                          capture_output=True, text=True, timeout=timeout)


def trained(res: subprocess.CompletedProcess, folder: Path) -> TrainedModel:
    """The model of a train.py run that must have succeeded (else the test fails with the run's output)."""
    if res.returncode != 0:
        pytest.fail(f"train.py exited with {res.returncode}:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    return TrainedModel(folder, json.loads((folder / "model.json").read_text()), res.stdout)


@pytest.fixture(scope="session")
def phantom_cache(tmp_path_factory) -> Path:
    """train.py's --workdir for every run of the session."""
    return tmp_path_factory.mktemp("phantoms")


@pytest.fixture(scope="session")
def smoke_model(tmp_path_factory, phantom_cache) -> TrainedModel:
    """A model trained from scratch on tiny phantoms (the smoke run), once per session."""
    out = tmp_path_factory.mktemp("smoke") / "model"
    return trained(run_train(*SMOKE, "--out", str(out), "--workdir", str(phantom_cache)), out)
