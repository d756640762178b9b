"""ONNX export of the sun-implant U-Net (inputs and outputs as the model card says), its validation against
PyTorch with onnxruntime, and the file checksum the card records.

MDLMA Lab, BSD-3-Clause.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np
import torch

import sunlib as S


def export_onnx(net, path, opset):
    net.eval()
    wrapper = S.ExportWrapper(net).eval()
    dummy = torch.zeros(1, 1, 128, 128)
    tmp = path + ".tmp"
    torch.onnx.export(wrapper, dummy, tmp, opset_version=opset, input_names=["image"],
                      output_names=["probs", "features"],
                      dynamic_axes={"image": {0: "N", 2: "H", 3: "W"}, "probs": {0: "N", 2: "H", 3: "W"},
                                    "features": {0: "N", 2: "H", 3: "W"}},
                      do_constant_folding=True)
    os.replace(tmp, path)


def validate_onnx(net, path, vols, multiple, rng):
    """Compare onnxruntime with PyTorch on real normalised slices (orthogonal and oblique, two shapes)."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    net.eval()
    worst_p = worst_f = 0.0
    n = 0
    for v in vols[:2]:
        shape = np.array(v.image.shape)
        for k, a in enumerate([S.AXES9[0], S.AXES9[2], S.AXES9[3], S.AXES9[8]]):
            nrm, u, w = S.axis_frame(a)
            h = -(-int(shape[1] * (1.42 if k >= 2 else 1)) // multiple) * multiple
            wd = -(-int(shape[2]) // multiple) * multiple
            xs = []
            for _ in range(2):
                c = (shape - 1) / 2 + rng.uniform(-0.3, 0.3, 3) * shape
                pts = S.plane_grid(shape, c, u, w, h, wd)
                img, inside = S.sample_points(v.img_t, pts, "bilinear")
                xs.append(S.normalise_slice(img, inside))
            x = np.stack(xs)[:, None].astype(np.float32)
            with torch.no_grad():
                lg, ft = net(torch.from_numpy(x))
                pt = torch.softmax(lg, 1).numpy()
                ft = ft.numpy()
            po, fo = sess.run(["probs", "features"], {"image": x})
            assert po.shape == pt.shape and fo.shape == ft.shape, (po.shape, pt.shape, fo.shape, ft.shape)
            worst_p = max(worst_p, float(np.abs(po - pt).max()))
            worst_f = max(worst_f, float(np.abs(fo - ft).max()))
            n += len(x)
    return {"slices": n, "max_abs_diff_probs": worst_p, "max_abs_diff_features": worst_f,
            "onnxruntime": ort.__version__, "features": int(fo.shape[1])}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
