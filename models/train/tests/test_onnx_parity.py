"""The ONNX file computes what the PyTorch checkpoint computes: the kernel runs model.onnx, fine-tuning and MC dropout
start from model.pt, so the two must agree (to 1e-3, the recipe's own export check)."""
import json

import numpy as np
import onnxruntime as ort
import pytest
import torch

import sunlib
from conftest import SHIPPED, THREADS

TOLERANCE = 1e-3


def onnx_and_torch(folder, slices: np.ndarray):
    """(probs, features) of model.onnx (onnxruntime) and of model.pt (sunlib.load_checkpoint) on slices [N,1,H,W]."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(THREADS)
    sess = ort.InferenceSession(str(folder / "model.onnx"), so, providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["image"]
    assert [o.name for o in sess.get_outputs()] == ["probs", "features"]
    onnx_out = sess.run(["probs", "features"], {"image": slices})
    net = sunlib.load_checkpoint(str(folder / "model.pt")).eval()
    with torch.no_grad():
        logits, features = net(torch.from_numpy(slices))
    return onnx_out, [torch.softmax(logits, 1).numpy(), features.numpy()]


def random_slices(n: int, h: int, w: int, seed: int) -> np.ndarray:
    """Normalised-looking slices (the card's normalisation puts tissue in about 0..1)."""
    return np.random.default_rng(seed).normal(0.5, 0.4, (n, 1, h, w)).astype(np.float32)


def assert_parity(folder, slices):
    card = json.loads((folder / "model.json").read_text())
    (po, fo), (pt, ft) = onnx_and_torch(folder, slices)
    n, _, h, w = slices.shape
    assert po.shape == pt.shape == (n, len(card["classes"]), h, w)
    assert fo.shape == ft.shape == (n, card["outputs"]["F"], h, w)
    np.testing.assert_allclose(po.sum(1), 1, atol=1e-5)
    assert np.abs(po - pt).max() < TOLERANCE
    assert np.abs(fo - ft).max() < TOLERANCE


def test_smoke_export_matches_its_checkpoint(smoke_model):
    # two shapes: the export's dynamic axes must hold for any multiple of the card's `multiple`
    m = smoke_model.card["input"]["multiple"]
    assert_parity(smoke_model.folder, random_slices(3, 3 * m, 4 * m, seed=1))
    assert_parity(smoke_model.folder, random_slices(1, 2 * m, 2 * m, seed=2))
    recorded = smoke_model.card["validation"]["onnxruntime_vs_torch"]
    assert recorded["max_abs_diff_probs"] < TOLERANCE and recorded["max_abs_diff_features"] < TOLERANCE


# Known defect of the recipe: train.py exports and validates the ONNX file from the in-memory float32 network, but
# sunlib.save_checkpoint stores the weights as float16, so the shipped model.pt is a rounded copy of what model.onnx
# computes (max abs difference about 2e-3 in probs and 3e-3 in features, on noise and on phantom slices alike; the
# card's 1e-5 compares ONNX with the float32 network, not with model.pt). The fix: export and validate from the
# network as reloaded from model.pt, then re-export models/sun-implant from its model.pt. Strict: once fixed, this
# test passes and the marker must go.
@pytest.mark.xfail(strict=True, reason="model.pt stores float16 weights; model.onnx was exported from float32 ones")
def test_shipped_model_onnx_matches_its_checkpoint():
    assert_parity(SHIPPED, random_slices(2, 64, 64, seed=3))
