"""A plain Python peer of our SUN inference pipeline, the one a Python user writes in an afternoon: the yardstick that
`npm run bench -- segment` times our TypeScript pipeline against.

It segments a volume the way the model card (models/sun-implant/model.json) and our pipeline say, with nothing but
numpy, scipy.ndimage.affine_transform (order 1: trilinear) and an onnxruntime InferenceSession on the CPU:

- cut the slice stack of each SUN axis (1: z; 3: z, y, x; 9: all, in our order) in the axis' rotated frame: plain
  index slices for z, y and x, trilinear samples for the six 45-degree axes;
- normalise every slice by its 1st/99th percentiles over its in-volume pixels, then give out-of-volume pixels the
  card's fill;
- pad whole slices up to the model's multiple, or cut slices larger than the tile into tiles overlapping by half,
  blended with a Gaussian importance map (nnU-Net); run the model on --batch (8) tiles per call, as many whole
  slices as fill one;
- sample each axis' per-slice probabilities back at every voxel (trilinear, the inverse of the stack's frame), sum
  them over the axes and label each voxel with the class of the largest sum (soft voting; the first class wins ties).

It is naive on purpose: whole stacks and whole slices, out-of-volume pixels included, as our pipeline did before it
cropped oblique slices to the volume; only the numbers it computes must be ours.

    source packages/kernel-lib/src/bench/peers/environment.sh    # .venv-bench: pinned onnxruntime, numpy, scipy
    "$bench_python" sun_pipeline.py --model models/sun-implant --input VOLUME.raw --axes 9 --threads 2 --batch 8 \
        --out LABELS.raw --json

Input and output are our raw format: X.raw (C order [z][y][x]) and its sidecar X.raw.json
({"shape", "dtype", "endianness", "spacing", "origin", "offset"}); labels are written as uint8 + sidecar, so that
our read() opens them. The JSON line (--json) says how long the segmentation took, without loading the model,
reading the volume and writing the labels.

MDLMA Lab, BSD-3-Clause.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
import scipy
from scipy import ndimage

# ---- the 9 SUN axes (packages/kernel-lib/src/volume/axes.ts)

SUN_AXES = ("z", "y", "x", "zy+", "zy-", "zx+", "zx-", "yx+", "yx-")
_H = math.sqrt(0.5)
# Normal, row and column directions in (z, y, x) index space; rows follow z wherever the plane contains it.
FRAMES = {
    "z": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "y": ((0, 1, 0), (1, 0, 0), (0, 0, 1)),
    "x": ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
    "zy+": ((_H, _H, 0), (_H, -_H, 0), (0, 0, 1)),
    "zy-": ((_H, -_H, 0), (_H, _H, 0), (0, 0, 1)),
    "zx+": ((_H, 0, _H), (_H, 0, -_H), (0, 1, 0)),
    "zx-": ((_H, 0, -_H), (_H, 0, _H), (0, 1, 0)),
    "yx+": ((0, _H, _H), (1, 0, 0), (0, _H, -_H)),
    "yx-": ((0, _H, -_H), (1, 0, 0), (0, _H, _H)),
}
# A sample further outside the grid than this is out of the volume (slicing.ts).
OUTSIDE_EPS = 1e-6


def axes_for(count: int) -> tuple[str, ...]:
    """The axes of a 1-, 3- or 9-axis SUN run."""
    if count not in (1, 3, 9):
        raise ValueError(f"SUN runs use 1, 3 or 9 axes, got {count}")
    return SUN_AXES[:count]


@dataclass
class Frame:
    """One axis' frame on one grid: stack (k, i, j) -> grid grid_centre + M @ ((k, i, j) - stack_centre)."""

    axis: str
    grid_shape: tuple[int, int, int]
    stack_shape: tuple[int, int, int]
    to_grid: np.ndarray  # M: columns normal, row, column
    grid_centre: np.ndarray
    stack_centre: np.ndarray

    @property
    def orthogonal(self) -> bool:
        return self.axis in ("z", "y", "x")


def frame_of(axis: str, grid_shape: tuple[int, int, int]) -> Frame:
    """The stack geometry of `axis`: unit steps along each direction, enough of them to cover every voxel centre."""
    directions = np.array(FRAMES[axis], dtype=np.float64)
    extent = np.abs(directions) @ (np.array(grid_shape, dtype=np.float64) - 1)
    stack_shape = tuple(int(math.ceil(e - 1e-9)) + 1 for e in extent)
    return Frame(
        axis=axis,
        grid_shape=grid_shape,
        stack_shape=stack_shape,
        to_grid=directions.T,
        grid_centre=(np.array(grid_shape, dtype=np.float64) - 1) / 2,
        stack_centre=(np.array(stack_shape, dtype=np.float64) - 1) / 2,
    )


# ---- our raw format (packages/kernel-lib/src/io/raw/raw.ts)

RAW_DTYPES = {"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64"}


def read_raw(path: Path) -> tuple[np.ndarray, dict]:
    """The volume of X.raw as float32 [z, y, x] (what our pipeline slices), and its sidecar X.raw.json."""
    sidecar = json.loads(Path(f"{path}.json").read_text())
    if sidecar["dtype"] not in RAW_DTYPES:
        raise ValueError(f"{path}: unsupported dtype {sidecar['dtype']!r}")
    order = "<" if sidecar.get("endianness", "little") == "little" else ">"
    dtype = np.dtype(sidecar["dtype"]).newbyteorder(order)
    shape = tuple(int(n) for n in sidecar["shape"])
    data = np.fromfile(path, dtype=dtype, count=math.prod(shape), offset=int(sidecar.get("offset", 0)))
    if data.size != math.prod(shape):
        raise ValueError(f"{path}: truncated, shape {list(shape)} of {sidecar['dtype']} needs more bytes")
    return data.reshape(shape).astype(np.float32), sidecar


def write_raw(path: Path, labels: np.ndarray, like: dict) -> None:
    """Labels as uint8 X.raw + sidecar, spacing and origin taken from the input's sidecar."""
    labels.astype(np.uint8).tofile(path)
    sidecar = {
        "shape": list(labels.shape),
        "dtype": "uint8",
        "endianness": "little",
        "spacing": like.get("spacing", [1, 1, 1]),
        "origin": like.get("origin", [0, 0, 0]),
    }
    Path(f"{path}.json").write_text(json.dumps(sidecar, indent=1) + "\n")


# ---- the model card (models/sun-implant/model.json)


@dataclass
class Card:
    input_name: str
    probs_name: str
    classes: int
    tile: tuple[int, int]
    multiple: int
    low: float
    high: float
    eps: float
    fill: float


def read_card(folder: Path) -> Card:
    """What the pipeline needs from the card; only percentile normalisation without clipping (what SUN models use)."""
    raw = json.loads((folder / "model.json").read_text())
    inp = raw["input"]
    norm = inp["normalisation"]
    if norm.get("kind") != "percentile" or norm.get("clip", False):
        raise ValueError("this peer implements percentile normalisation without clipping only")
    tile = inp["tile"]
    probs = raw.get("outputs", {}).get("probs", "probs")
    # The card's outputs.probs is the tensor's name, {"name": ...}, or a shape such as "[N,C,H,W]" (name "probs").
    if isinstance(probs, dict):
        probs_name = probs.get("name", "probs")
    else:
        probs_name = probs if isinstance(probs, str) and not probs.startswith("[") else "probs"
    fill = inp.get("fill", 0.0)
    return Card(
        input_name=inp.get("name", "image"),
        probs_name=probs_name,
        classes=len(raw["classes"]),
        tile=(tile, tile) if isinstance(tile, int) else (tile[-2], tile[-1]),
        multiple=int(inp.get("multiple", 16)),
        low=float(norm.get("low", 1)),
        high=float(norm.get("high", 99)),
        eps=float(norm.get("eps", 1e-6)),
        fill=float(fill["value"] if isinstance(fill, dict) else fill),
    )


# ---- slicing


def cut_stack(volume: np.ndarray, frame: Frame) -> np.ndarray:
    """The whole slice stack [n, h, w] of `frame`'s axis, float32; out-of-volume pixels hold clamped values."""
    if frame.axis == "z":
        return volume
    if frame.axis == "y":
        return volume.transpose(1, 0, 2)  # out[y][z][x]
    if frame.axis == "x":
        return volume.transpose(2, 0, 1)  # out[x][z][y]
    # mode='nearest', not 'constant' with cval NaN: 'constant' gives NaN to a sample a rounding error outside the
    # grid (a corner at 63.0000000001), which our pipeline clamps onto the border; in_volume() draws that line.
    offset = frame.grid_centre - frame.to_grid @ frame.stack_centre
    return ndimage.affine_transform(
        volume, frame.to_grid, offset=offset, output_shape=frame.stack_shape, order=1, mode="nearest", output=np.float32
    )


def in_volume(frame: Frame, k: int) -> np.ndarray | None:
    """Which pixels of slice k sample inside the grid (within OUTSIDE_EPS); None when all do (orthogonal axes)."""
    if frame.orthogonal:
        return None
    _, h, w = frame.stack_shape
    i = np.arange(h, dtype=np.float64)[:, None] - frame.stack_centre[1]
    j = np.arange(w, dtype=np.float64)[None, :] - frame.stack_centre[2]
    dk = k - frame.stack_centre[0]
    inside = np.ones((h, w), dtype=bool)
    for a in range(3):
        normal, row, column = frame.to_grid[a]
        coordinate = frame.grid_centre[a] + dk * normal + i * row + j * column
        inside &= (coordinate >= -OUTSIDE_EPS) & (coordinate <= frame.grid_shape[a] - 1 + OUTSIDE_EPS)
    return inside


def normalise_slice(image: np.ndarray, inside: np.ndarray | None, card: Card) -> np.ndarray:
    """(x - p_low) / max(p_high - p_low, eps), percentiles over the in-volume pixels (numpy's rule); fill elsewhere."""
    values = image if inside is None else image[inside]
    if values.size == 0:
        return np.full(image.shape, card.fill, dtype=np.float32)
    # In double, as our pipeline computes them.
    lo, hi = np.percentile(values.astype(np.float64), [card.low, card.high])
    out = ((image - lo) * (1.0 / max(hi - lo, card.eps))).astype(np.float32)
    if inside is not None:
        out[~inside] = card.fill
    return out


# ---- tiling (packages/kernel-lib/src/segment/tiling.ts)


def tile_origins(length: int, tile: int, multiple: int) -> tuple[list[int], int]:
    """Tile origins along one slice dimension and the tile length: one padded tile, or tiles overlapping by half."""
    if length <= tile:
        return [0], math.ceil(length / multiple) * multiple
    count = math.ceil((length - tile) / (tile * 0.5)) + 1
    last = length - tile
    # JavaScript's Math.round (halves up), not Python's round (halves to even).
    return [math.floor(q * last / (count - 1) + 0.5) for q in range(count)], tile


def gaussian_1d(n: int) -> np.ndarray:
    """nnU-Net's importance along one dimension: sigma n / 8, peak 1, floored at its smallest positive value."""
    sigma = n / 8
    g = np.exp(-((np.arange(n, dtype=np.float64) - (n - 1) / 2) ** 2) / (2 * sigma * sigma)).astype(np.float32)
    return np.maximum(g, g[g > 0].min())


@dataclass
class TilePlan:
    height: int
    width: int
    tile_height: int
    tile_width: int
    corners: list[tuple[int, int]]
    weights: np.ndarray | None  # [th, tw] importance when tiles overlap, else None


def plan_tiles(height: int, width: int, card: Card) -> TilePlan:
    """Where the tiles of an h x w slice go, and their Gaussian weights when there is more than one."""
    rows, th = tile_origins(height, card.tile[0], card.multiple)
    cols, tw = tile_origins(width, card.tile[1], card.multiple)
    corners = [(y, x) for y in rows for x in cols]
    weights = None
    if len(corners) > 1:
        # Only a dimension cut into several tiles is weighted.
        wy = gaussian_1d(th) if len(rows) > 1 else np.ones(th, dtype=np.float32)
        wx = gaussian_1d(tw) if len(cols) > 1 else np.ones(tw, dtype=np.float32)
        weights = np.outer(wy, wx).astype(np.float32)
    return TilePlan(height, width, th, tw, corners, weights)


def extract_tiles(image: np.ndarray, plan: TilePlan, fill: float) -> np.ndarray:
    """The tiles [T, th, tw] of one normalised slice, fill beyond its bottom and right edges."""
    # Corners are in order: the last tile reaches furthest down and right.
    bottom, right = plan.corners[-1][0] + plan.tile_height, plan.corners[-1][1] + plan.tile_width
    padded = np.full((max(plan.height, bottom), max(plan.width, right)), fill, dtype=np.float32)
    padded[: plan.height, : plan.width] = image
    return np.stack([padded[y : y + plan.tile_height, x : x + plan.tile_width] for y, x in plan.corners])


def blend_tiles(probs: np.ndarray, plan: TilePlan) -> np.ndarray:
    """One slice's probabilities [C, h, w] from its tiles' [T, C, th, tw]: copied for one tile, else a weighted mean."""
    h, w = plan.height, plan.width
    if plan.weights is None:
        return probs[0, :, :h, :w]
    total = np.zeros((probs.shape[1], h, w), dtype=np.float32)
    weight_sum = np.zeros((h, w), dtype=np.float32)
    for (y, x), p in zip(plan.corners, probs):
        rows, cols = min(plan.tile_height, h - y), min(plan.tile_width, w - x)
        total[:, y : y + rows, x : x + cols] += plan.weights[:rows, :cols] * p[:, :rows, :cols]
        weight_sum[y : y + rows, x : x + cols] += plan.weights[:rows, :cols]
    return total * (1 / weight_sum)


# ---- the model


class Model:
    """An onnxruntime CPU session that counts its calls, the pixels it was given and the time spent inside run()."""

    def __init__(self, folder: Path, threads: int):
        self.card = read_card(folder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # As our session (models/providers.ts): idle intra-op threads sleep, not spin, between runs.
        options.add_session_config_entry("session.intra_op.allow_spinning", os.environ.get("MDLMA_ORT_SPIN", "0"))
        self.session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.calls = 0
        self.pixels = 0
        self.seconds = 0.0

    def predict(self, tiles: np.ndarray) -> np.ndarray:
        """Probabilities [N, C, h, w] of tiles [N, h, w]."""
        n, h, w = tiles.shape
        self.calls += 1
        self.pixels += n * h * w
        t0 = time.perf_counter()
        (probs,) = self.session.run([self.card.probs_name], {self.card.input_name: tiles[:, None]})
        self.seconds += time.perf_counter() - t0
        return probs


# ---- one axis, all axes


def predict_stack(stack: np.ndarray, frame: Frame, model: Model, batch: int) -> np.ndarray:
    """Probabilities [C, n, h, w] of all slices: normalised, tiled, `batch` tiles per model call, blended."""
    card = model.card
    n, h, w = frame.stack_shape
    plan = plan_tiles(h, w, card)
    per_slice = len(plan.corners)
    # As many whole slices per group as their tiles fill a model call (at least one slice).
    group = max(1, batch // per_slice)
    out = np.empty((card.classes, n, h, w), dtype=np.float32)
    for k0 in range(0, n, group):
        ks = range(k0, min(n, k0 + group))
        images = [normalise_slice(stack[k], in_volume(frame, k), card) for k in ks]
        tiles = np.concatenate([extract_tiles(image, plan, card.fill) for image in images])
        probs = np.concatenate([model.predict(tiles[q : q + batch]) for q in range(0, len(tiles), batch)])
        for s, k in enumerate(ks):
            out[:, k] = blend_tiles(probs[s * per_slice : (s + 1) * per_slice], plan)
    return out


def back_project(probs: np.ndarray, frame: Frame) -> np.ndarray:
    """Per-slice probabilities [C, n, h, w] sampled at every voxel [C, z, y, x]: trilinear in the stack's frame."""
    if frame.axis == "z":
        return probs
    if frame.axis == "y":
        return probs.transpose(0, 2, 1, 3)  # [c][y][z][x] -> [c][z][y][x]
    if frame.axis == "x":
        return probs.transpose(0, 2, 3, 1)  # [c][x][z][y] -> [c][z][y][x]
    # The inverse frame: (k, i, j) = stack_centre + M^T (g - grid_centre); 'nearest' clamps like our cells at the ends.
    inverse = frame.to_grid.T
    offset = frame.stack_centre - inverse @ frame.grid_centre
    return np.stack([
        ndimage.affine_transform(
            p, inverse, offset=offset, output_shape=frame.grid_shape, order=1, mode="nearest", output=np.float32
        )
        for p in probs
    ])


def segment(volume: np.ndarray, model: Model, axes: tuple[str, ...], batch: int) -> np.ndarray:
    """Labels uint8 [z, y, x]: argmax over classes of the per-axis probabilities summed on the grid."""
    total = np.zeros((model.card.classes,) + volume.shape, dtype=np.float32)
    for axis in axes:
        frame = frame_of(axis, volume.shape)
        probs = predict_stack(cut_stack(volume, frame), frame, model, batch)
        total += back_project(probs, frame)
    # np.argmax keeps the first maximum: the lower class wins a tie, as in voting.ts.
    return np.argmax(total, axis=0).astype(np.uint8)


# ---- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="model folder with model.json and model.onnx")
    parser.add_argument("--input", type=Path, required=True, help="volume X.raw with its sidecar X.raw.json")
    parser.add_argument("--axes", type=int, choices=(1, 3, 9), default=9)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads (inter-op: 1)")
    parser.add_argument("--batch", type=int, default=8, help="tiles per model call")
    parser.add_argument("--out", type=Path, help="labels X.raw (uint8) + sidecar")
    parser.add_argument("--json", action="store_true", help="print one JSON line with timings and versions")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.batch < 1:
        parser.error("--threads and --batch must be at least 1")

    model = Model(args.model, args.threads)
    volume, sidecar = read_raw(args.input)
    t0 = time.perf_counter()
    labels = segment(volume, model, axes_for(args.axes), args.batch)
    seconds = time.perf_counter() - t0
    if args.out:
        write_raw(args.out, labels, sidecar)

    report = {
        "seconds": round(seconds, 3),
        "inference_seconds": round(model.seconds, 3),
        "model_calls": model.calls,
        "model_pixels": model.pixels,
        "threads": args.threads,
        "axes": args.axes,
        "shape": list(volume.shape),
        "onnxruntime": ort.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": sys.version.split()[0],
    }
    if args.json:
        print(json.dumps(report))
    else:
        shape = "x".join(map(str, volume.shape))
        print(f"{args.axes} axes on {shape}: {seconds:.2f} s ({model.seconds:.2f} s in {model.calls} model calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
