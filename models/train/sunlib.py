"""Shared pieces of the sun-implant training recipe: the 2D U-Net, the per-slice normalisation of the model card,
plane sampling (orthogonal, 45-degree oblique, random) from a volume, volume I/O and the 9-axis SUN evaluation.

Written for MDLMA Lab (BSD-3-Clause). Arrays are C-order [z, y, x] as everywhere in the project.
"""
from __future__ import annotations

import gzip
import json
import math
import os
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = [
    {"value": 0, "name": "background"},
    {"value": 1, "name": "bone"},
    {"value": 2, "name": "degradation layer"},
    {"value": 3, "name": "residual material"},
]
NUM_CLASSES = 4

# The normalisation rule of the model card. The TypeScript pipeline implements exactly this.
NORM = {"kind": "percentile", "low": 1, "high": 99, "clip": False, "eps": 1e-6,
        "interpolation": "linear", "over": "in-volume pixels of the slice"}
FILL = 0.0


# ----------------------------------------------------------------------------------------------------------------
# The network
# ----------------------------------------------------------------------------------------------------------------

class DoubleConv(nn.Sequential):
    def __init__(self, cin: int, cout: int, dropout: float = 0.0):
        layers: list[nn.Module] = [
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.01, inplace=True),
        ]
        if dropout > 0:
            layers.append(nn.Dropout2d(dropout))
        layers += [nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                   nn.LeakyReLU(0.01, inplace=True)]
        super().__init__(*layers)


class UNet2D(nn.Module):
    """Encoder-decoder with skips. widths[i] features at level i (level 0 full resolution); len(widths) - 1
    poolings, so H and W must be multiples of 2 ** (len(widths) - 1). Returns (logits, features) where features is
    the last decoder layer before the 1x1 classifier."""

    def __init__(self, widths=(16, 32, 64, 128, 128), classes: int = NUM_CLASSES, dropout: float = 0.1):
        super().__init__()
        self.widths = tuple(widths)
        self.dropout = dropout
        self.enc = nn.ModuleList()
        cin = 1
        for i, w in enumerate(widths):
            # dropout only in the two deepest levels (MC-dropout capable, cheap)
            self.enc.append(DoubleConv(cin, w, dropout if i >= len(widths) - 2 else 0.0))
            cin = w
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for i in range(len(widths) - 1, 0, -1):
            self.up.append(nn.ConvTranspose2d(widths[i], widths[i - 1], 2, stride=2))
            self.dec.append(DoubleConv(2 * widths[i - 1], widths[i - 1]))
        self.head = nn.Conv2d(widths[0], classes, 1)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.enc):
            if i > 0:
                x = F.max_pool2d(x, 2)
            x = block(x)
            skips.append(x)
        x = skips.pop()
        for up, dec in zip(self.up, self.dec):
            x = up(x)
            x = dec(torch.cat([skips.pop(), x], dim=1))
        return self.head(x), x

    @property
    def multiple(self) -> int:
        return 2 ** (len(self.widths) - 1)


class ExportWrapper(nn.Module):
    """What the ONNX file computes: image [N,1,H,W] -> probs [N,4,H,W] (softmax), features [N,F,H,W]."""

    def __init__(self, net: UNet2D):
        super().__init__()
        self.net = net

    def forward(self, image):
        logits, feats = self.net(image)
        return torch.softmax(logits, dim=1), feats


def build_model(cfg: dict) -> UNet2D:
    return UNet2D(widths=tuple(cfg.get("widths", (16, 32, 64, 128, 128))), dropout=cfg.get("dropout", 0.1))


def save_checkpoint(path: str, net: UNet2D, extra: dict):
    tmp = path + ".tmp"
    torch.save({"format": "mdlma-sun-unet2d/1", "widths": list(net.widths), "dropout": net.dropout,
                "classes": CLASSES, "normalisation": NORM, "fill": FILL,
                # weight tensors stored as float16 to keep the committed file small; buffers and small tensors fp32
                "state_dict": {k: (t.half() if t.is_floating_point() and t.numel() > 1024 else t)
                               for k, t in net.state_dict().items()},
                **extra}, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str) -> UNet2D:
    ck = torch.load(path, map_location="cpu")
    net = UNet2D(widths=tuple(ck["widths"]), dropout=ck.get("dropout", 0.1))
    net.load_state_dict({k: (t.float() if t.is_floating_point() else t) for k, t in ck["state_dict"].items()})
    return net


def resolve_init(path: str) -> str:
    """--init accepts a .pt checkpoint or a model.onnx that has its checkpoint (model.pt) next to it (the ONNX graph
    has BatchNorm folded into the convolutions, so training restarts from the checkpoint)."""
    if path.endswith(".onnx"):
        pt = os.path.join(os.path.dirname(path) or ".", "model.pt")
        alt = path[:-5] + ".pt"
        for c in (alt, pt):
            if os.path.exists(c):
                return c
        raise SystemExit(f"--init {path}: no PyTorch checkpoint ({alt} or {pt}) next to the ONNX file; the recipe "
                         "fine-tunes from the .pt shipped with every model")
    return path


# ----------------------------------------------------------------------------------------------------------------
# Normalisation (the card's rule)
# ----------------------------------------------------------------------------------------------------------------

def normalise_slice(img: np.ndarray, inside: np.ndarray | None = None) -> np.ndarray:
    """(x - p1) / max(p99 - p1, eps) with numpy's default (linear) percentile over the in-volume pixels; no
    clipping; out-of-volume pixels set to FILL after normalisation."""
    vals = img[inside] if inside is not None else img.ravel()
    if vals.size == 0:
        return np.full(img.shape, FILL, np.float32)
    lo, hi = np.percentile(vals.astype(np.float64), [NORM["low"], NORM["high"]])
    out = ((img.astype(np.float64) - lo) / max(hi - lo, NORM["eps"])).astype(np.float32)
    if inside is not None:
        out[~inside] = FILL
    return out


# ----------------------------------------------------------------------------------------------------------------
# Volumes
# ----------------------------------------------------------------------------------------------------------------

def read_raw(path: str) -> np.ndarray:
    with open(path + ".json") as f:
        meta = json.load(f)
    dt = np.dtype(meta["dtype"]).newbyteorder("<" if meta.get("endianness", "little") == "little" else ">")
    return np.fromfile(path, dtype=dt).reshape(meta["shape"]).astype(dt.newbyteorder("="))


def read_nifti(path: str) -> np.ndarray:
    """NIfTI -> [z,y,x] array (NIfTI stores x fastest, nibabel returns [x,y,z])."""
    import nibabel as nib
    img = nib.load(path)
    arr = np.asanyarray(img.dataobj)
    while arr.ndim > 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        raise SystemExit(f"{path}: expected a 3D volume, got shape {arr.shape}")
    return np.ascontiguousarray(arr.transpose(2, 1, 0))


def read_volume(path: str) -> np.ndarray:
    if path.endswith(".raw"):
        return read_raw(path)
    if path.endswith(".nii") or path.endswith(".nii.gz"):
        return read_nifti(path)
    raise SystemExit(f"{path}: unsupported format (use .raw + .raw.json, .nii or .nii.gz)")


# ----------------------------------------------------------------------------------------------------------------
# Plane sampling
# ----------------------------------------------------------------------------------------------------------------

AXES9 = [  # slice-plane normals in (z, y, x), DESIGN.md "The 9 SUN axes"
    (1, 0, 0), (0, 1, 0), (0, 0, 1),
    (1, 1, 0), (1, -1, 0), (1, 0, 1), (1, 0, -1), (0, 1, 1), (0, 1, -1),
]


def axis_frame(normal) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orthonormal (n, u, v) for one of the 9 axes, in (z, y, x): u, v span the slice plane. For the orthogonal
    axes u, v are the remaining principal axes in array order; for an oblique axis (rotation about principal axis a)
    u is the rotated in-plane direction (a 45-degree diagonal) and v is a."""
    n = np.asarray(normal, np.float64)
    n /= np.linalg.norm(n)
    nz = [i for i in range(3) if normal[i] != 0]
    if len(nz) == 1:
        rest = [i for i in range(3) if i != nz[0]]
        u = np.eye(3)[rest[0]]
        v = np.eye(3)[rest[1]]
    else:
        a = [i for i in range(3) if normal[i] == 0][0]  # rotation axis
        v = np.eye(3)[a]
        u = np.cross(v, n)
        u /= np.linalg.norm(u)
    return n, u, v


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    a, b, c, d = q
    return np.array([
        [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
        [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
        [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d],
    ])


def plane_grid(shape, center, u, v, h: int, w: int, step: float = 1.0) -> np.ndarray:
    """Sampling points [h, w, 3] (z, y, x) of a plane through center spanned by u (rows) and v (columns)."""
    ii = (np.arange(h) - (h - 1) / 2.0) * step
    jj = (np.arange(w) - (w - 1) / 2.0) * step
    return (np.asarray(center)[None, None, :] + ii[:, None, None] * np.asarray(u)[None, None, :]
            + jj[None, :, None] * np.asarray(v)[None, None, :])


def sample_points(vol_t: torch.Tensor, pts: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Trilinear ('bilinear' in torch's 5D naming) or nearest sampling of vol_t [1,1,D,H,W] at pts [..., 3] (z,y,x
    voxel coordinates). Returns values and the in-volume mask."""
    D, H, W = vol_t.shape[2:]
    shp = pts.shape[:-1]
    p = pts.reshape(-1, 3)
    eps = 1e-6
    inside = ((p[:, 0] >= -eps) & (p[:, 0] <= D - 1 + eps) & (p[:, 1] >= -eps) & (p[:, 1] <= H - 1 + eps)
              & (p[:, 2] >= -eps) & (p[:, 2] <= W - 1 + eps))
    g = np.stack([2 * p[:, 2] / max(W - 1, 1) - 1, 2 * p[:, 1] / max(H - 1, 1) - 1,
                  2 * p[:, 0] / max(D - 1, 1) - 1], axis=-1)
    g_t = torch.from_numpy(g.astype(np.float32)).view(1, 1, 1, -1, 3)
    out = F.grid_sample(vol_t, g_t, mode=mode, padding_mode="zeros", align_corners=True)
    return out.view(*shp).numpy(), inside.reshape(shp)


@dataclass
class Volume:
    name: str
    image: np.ndarray          # float32 [z,y,x]
    labels: np.ndarray         # uint8 [z,y,x], 255 = unlabelled (ignored)
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        self.img_t = torch.from_numpy(np.ascontiguousarray(self.image, dtype=np.float32))[None, None]
        self.lab_t = torch.from_numpy(np.ascontiguousarray(self.labels).astype(np.float32))[None, None]
        self.implant = np.flatnonzero(((self.labels == 2) | (self.labels == 3)).ravel())
        self.labelled_z = np.flatnonzero((self.labels != 255).reshape(self.labels.shape[0], -1).any(axis=1))


def sample_slice(vol: Volume, rng: np.random.Generator, tile: int, p_orth=0.4, p_obl=0.3,
                 p_implant=0.5, scale_range=(0.85, 1.2)):
    """One training sample (image [tile,tile] normalised, labels [tile,tile] int64 with 255 = ignore)."""
    shape = np.array(vol.image.shape)
    r = rng.random()
    # centre: on the implant half of the time, else anywhere in the (labelled part of the) volume
    if vol.implant.size and rng.random() < p_implant:
        c = np.array(np.unravel_index(vol.implant[rng.integers(vol.implant.size)], vol.image.shape), np.float64)
    else:
        c = rng.random(3) * (shape - 1)
        if vol.labelled_z.size and vol.labelled_z.size < shape[0]:
            c[0] = vol.labelled_z[rng.integers(vol.labelled_z.size)]
    c = c + rng.uniform(-tile / 4, tile / 4, 3)
    c = np.clip(c, 0, shape - 1)
    step = 1.0
    if r < p_orth:
        k = rng.integers(3)
        n, u, v = axis_frame(AXES9[k])
        c = np.round(c)  # exact voxels, as the pipeline's orthogonal slices
        if tile % 2 == 0:  # even tile: centre between voxels in-plane so that samples fall on voxels
            c = c + 0.5 * (u + v)
    elif r < p_orth + p_obl:
        k = 3 + rng.integers(6)
        n, u, v = axis_frame(AXES9[k])
    else:
        R = random_rotation(rng)
        n, u, v = R[:, 0], R[:, 1], R[:, 2]
        step = float(np.exp(rng.uniform(np.log(scale_range[0]), np.log(scale_range[1]))))
    # random in-plane flips / transposes (the pipeline may orient slices either way)
    if rng.random() < 0.5:
        u = -u
    if rng.random() < 0.5:
        v = -v
    if rng.random() < 0.5:
        u, v = v, u
    if r >= p_orth + p_obl:
        pass
    elif rng.random() < 0.25 and r >= p_orth:
        # occasionally an arbitrary in-plane rotation of the oblique planes too
        a = rng.uniform(0, 2 * math.pi)
        u, v = math.cos(a) * u + math.sin(a) * v, -math.sin(a) * u + math.cos(a) * v
    pts = plane_grid(shape, c, u, v, tile, tile, step)
    img, inside = sample_points(vol.img_t, pts, "bilinear")
    lab, _ = sample_points(vol.lab_t, pts, "nearest")
    lab = np.rint(lab).astype(np.int64)
    lab[~inside] = 0  # outside the volume: background (the pipeline fills it and never maps it back)
    x = normalise_slice(img, inside)
    return x, lab


# ----------------------------------------------------------------------------------------------------------------
# Inference and evaluation
# ----------------------------------------------------------------------------------------------------------------

def pad_to(x: np.ndarray, m: int, value: float) -> tuple[np.ndarray, tuple[int, int]]:
    h, w = x.shape[-2:]
    H, W = -(-h // m) * m, -(-w // m) * m
    if (H, W) == (h, w):
        return x, (h, w)
    out = np.full(x.shape[:-2] + (H, W), value, x.dtype)
    out[..., :h, :w] = x
    return out, (h, w)


@torch.no_grad()
def predict_slices(net: nn.Module, slices: np.ndarray, multiple: int, batch: int = 32) -> np.ndarray:
    """slices [S,h,w] already normalised -> probs [S,4,h,w] (float32)."""
    net.eval()
    xs, (h, w) = pad_to(slices.astype(np.float32), multiple, FILL)
    out = np.empty((len(slices), NUM_CLASSES, h, w), np.float32)
    for i in range(0, len(xs), batch):
        logits, _ = net(torch.from_numpy(xs[i:i + batch, None]))
        out[i:i + batch] = torch.softmax(logits, 1)[:, :, :h, :w].numpy()
    return out


def axis_probs(net: nn.Module, image: np.ndarray, normal, multiple: int) -> np.ndarray:
    """Probabilities [4,z,y,x] on the original grid from the slices along one SUN axis (our Python reference of
    the pipeline: oblique slices sampled trilinearly from the volume rotated by 45 degrees, probabilities mapped back
    trilinearly)."""
    shape = np.array(image.shape)
    n, u, v = axis_frame(normal)
    if sum(1 for a in normal if a != 0) == 1:
        k = int(np.argmax(np.abs(n)))
        vol = np.moveaxis(image, k, 0)
        sl = np.stack([normalise_slice(s) for s in vol])
        p = predict_slices(net, sl, multiple)          # [S,4,h,w]
        return np.moveaxis(p, 0, k + 1) if k > 0 else p.transpose(1, 0, 2, 3)
    center = (shape - 1) / 2.0
    # extents of the rotated grid: the volume's projection on n, u, v
    corners = np.array([[a, b, c] for a in (0, shape[0] - 1) for b in (0, shape[1] - 1) for c in (0, shape[2] - 1)])
    rel = corners - center
    ext = [int(math.ceil(np.abs(rel @ d).max() * 2 + 1e-6)) + 1 for d in (n, u, v)]
    K, I, J = ext
    img_t = torch.from_numpy(np.ascontiguousarray(image, np.float32))[None, None]
    sl = np.empty((K, I, J), np.float32)
    for kk in range(K):
        c = center + (kk - (K - 1) / 2.0) * n
        pts = plane_grid(shape, c, u, v, I, J)
        img, inside = sample_points(img_t, pts, "bilinear")
        sl[kk] = normalise_slice(img, inside) if inside.any() else FILL
    p = predict_slices(net, sl, multiple)               # [K,4,I,J]
    P = torch.from_numpy(np.ascontiguousarray(p.transpose(1, 0, 2, 3)))[None]  # [1,4,K,I,J]
    zz, yy, xx = np.meshgrid(*[np.arange(s, dtype=np.float64) for s in shape], indexing="ij")
    rel = np.stack([zz, yy, xx], -1) - center
    kc = rel @ n + (K - 1) / 2.0
    ic = rel @ u + (I - 1) / 2.0
    jc = rel @ v + (J - 1) / 2.0
    g = np.stack([2 * jc / (J - 1) - 1, 2 * ic / (I - 1) - 1, 2 * kc / (K - 1) - 1], -1).astype(np.float32)
    out = F.grid_sample(P, torch.from_numpy(g)[None], mode="bilinear", padding_mode="border", align_corners=True)
    return out[0].numpy()


def dice_per_class(pred: np.ndarray, gt: np.ndarray) -> list[float | None]:
    res = []
    for c in range(NUM_CLASSES):
        a, b = pred == c, gt == c
        s = a.sum() + b.sum()
        res.append(None if s == 0 else float(2 * (a & b).sum() / s))
    return res


class Confusion:
    def __init__(self):
        self.m = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)

    def add(self, pred, gt):
        keep = gt != 255
        self.m += np.bincount(gt[keep].astype(np.int64) * NUM_CLASSES + pred[keep].astype(np.int64),
                              minlength=NUM_CLASSES ** 2).reshape(NUM_CLASSES, NUM_CLASSES)

    def dice(self):
        tp = np.diag(self.m).astype(np.float64)
        s = self.m.sum(0) + self.m.sum(1)
        return [float(2 * t / q) if q else None for t, q in zip(tp, s)]
