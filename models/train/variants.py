"""Reduced-precision variants of a SUN model (int8 for CPUs, fp16 for GPUs), each measured on the held-out plan
and recorded in the model card.

    python variants.py [--model models/sun-implant] [--calibration-phantoms 8] [--slices 96]

- int8: ONNX Runtime's static quantisation (QDQ format, uint8 activations, int8 per-channel weights) calibrated on
  normalised slices of training phantoms (seeds 1..n, never the held-out ones), drawn the way training draws them
  (orthogonal, 45-degree oblique and random planes). Inputs and outputs stay float32. The calibration method and
  which layers stay float32 are chosen among RECIPES on validation phantoms (seeds 900.., drawn like the training
  ones, never trained on and not held out): the fastest recipe that loses at most 0.005 Dice per class there (3-axis
  soft voting), else the one that loses least on its worst class. The held-out phantoms only score the choice.
- fp16: weights and activations in float16, inputs and outputs kept float32 (Cast nodes at the edges), for the
  CUDA and WebGPU providers (scored here through the CPU provider).

Each variant is scored with 9-axis soft voting on the held-out phantoms (seeds 1000..) through ONNX Runtime, next
to the float32 model scored the same way, and the card gets `variants.<precision>`: file, sha256, bytes, how it was
made, Dice per class and its change against float32, and `default_on`: the providers on which `precision: 'auto'`
picks it. int8 is the CPU default only if it loses at most 0.005 Dice on every class; fp16 is never a default,
because its speed on the providers it is for is measured only where they exist (scripts/gpu-check.js).

Written for MDLMA Lab (BSD-3-Clause).
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process
from onnxruntime.transformers.float16 import convert_float_to_float16

import sunlib as S
from phantoms import BONE, generate, heldout_plan, load_phantom, train_plan

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

# The largest Dice loss per class for which int8 may be the CPU default (issue #23).
INT8_DEFAULT_MAX_LOSS = 0.005
FIRST_VALIDATION_SEED = 900

# int8 recipes: calibration method and the nodes kept in float32. Every recipe keeps the nodes that make the graph's
# outputs in float32 ("outputs": the head convolution, the softmax, the features' activation), so that probabilities
# and features are not rounded to 256 levels. "edges" adds the first convolution, which sees the raw grey values,
# and the transposed convolutions, which upsample what the skip connections meet.
EDGES = ["outputs", "first", "ConvTranspose"]
RECIPES = {
    "minmax": {"method": CalibrationMethod.MinMax, "float32": ["outputs"]},
    "percentile": {"method": CalibrationMethod.Percentile, "float32": ["outputs"]},
    "entropy": {"method": CalibrationMethod.Entropy, "float32": ["outputs"]},
    "minmax, fp32 edges": {"method": CalibrationMethod.MinMax, "float32": EDGES},
    "percentile, fp32 edges": {"method": CalibrationMethod.Percentile, "float32": EDGES},
}


class OnnxNet:
    """An ONNX Runtime session in the shape sunlib's evaluation expects of a network: called on [n,1,h,w] it returns
    (log-probabilities, None), so that the softmax sunlib applies gives back the model's probabilities."""

    def __init__(self, path: str, threads: int):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    def eval(self):
        return self

    def __call__(self, x: torch.Tensor):
        (probs,) = self.session.run(["probs"], {"image": x.numpy()})
        return torch.from_numpy(np.log(np.maximum(probs, 1e-30))), None


class SliceReader(CalibrationDataReader):
    """Calibration batches: normalised training-style slices of the calibration phantoms."""

    def __init__(self, vols: list[S.Volume], slices: int, tile: int, batch: int, seed: int):
        rng = np.random.default_rng(seed)
        xs = [S.sample_slice(vols[i % len(vols)], rng, tile)[0] for i in range(slices)]
        self.batches = [np.stack(xs[i:i + batch])[:, None].astype(np.float32) for i in range(0, slices, batch)]

    def get_next(self):
        return {"image": self.batches.pop(0)} if self.batches else None


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def float32_nodes(model: onnx.ModelProto, kinds: list[str]) -> list[str]:
    """Names of the nodes a recipe keeps in float32: 'outputs' (the nodes that make a graph output, and the head
    convolution before the softmax), the 'first' convolution, or every node of an op type."""
    convs = [n.name for n in model.graph.node if n.op_type == "Conv"]
    outputs = {o.name for o in model.graph.output}
    names = []
    for kind in kinds:
        if kind == "first":
            names.append(convs[0])
        elif kind == "outputs":
            names += [n.name for n in model.graph.node if outputs & set(n.output)] + [convs[-1]]
        else:
            names += [n.name for n in model.graph.node if n.op_type == kind]
    return names


def quantise(prepared: str, out: str, recipe: dict, reader: CalibrationDataReader):
    quantize_static(prepared, out, reader, quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8, per_channel=True, calibrate_method=recipe["method"],
                    nodes_to_exclude=float32_nodes(onnx.load(prepared), recipe["float32"]))


def ms_per_megapixel(path: str, threads: int) -> float:
    """Best of 3 runs of one batch of 8 256x256 slices."""
    net = OnnxNet(path, threads)
    x = np.random.default_rng(0).normal(0.4, 0.3, (8, 1, 256, 256)).astype(np.float32)
    net.session.run(["probs"], {"image": x})
    best = min(_timed(lambda: net.session.run(["probs"], {"image": x})) for _ in range(3))
    return 1000 * best / (8 * 256 * 256 / 1e6)


def _timed(f) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def soft_dice(path: str, vols: list[S.Volume], threads: int, log, axes=S.AXES9) -> list[list[float | None]]:
    """Soft-voting Dice per class on each volume over `axes` (default the 9), through ONNX Runtime."""
    net = OnnxNet(path, threads)
    out = []
    for v in vols:
        t0 = time.time()
        probs = sum(S.axis_probs(net, v.image, a, 16) for a in axes)
        d = S.dice_per_class(probs.argmax(0), v.labels)
        out.append(d)
        log(f"  {os.path.basename(path)} {v.name}: " + " ".join("-" if x is None else f"{x:.4f}" for x in d)
            + f" ({time.time() - t0:.0f}s)")
    return out


def mean_per_class(rows: list[list[float | None]]) -> list[float | None]:
    return [round(float(np.mean(vals)), 4) if (vals := [r[c] for r in rows if r[c] is not None]) else None
            for c in range(S.NUM_CLASSES)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(REPO, "models", "sun-implant"), help="model folder (card + model.onnx)")
    ap.add_argument("--workdir", default=os.path.join(HERE, ".data"), help="generated phantoms (cache)")
    ap.add_argument("--calibration-phantoms", type=int, default=8, help="training phantoms (seeds 1..n) to calibrate on")
    ap.add_argument("--slices", type=int, default=96, help="calibration slices")
    ap.add_argument("--tile", type=int, default=128, help="calibration slice side")
    ap.add_argument("--validation-phantoms", type=int, default=2, help="phantoms (seeds 900..) to choose the int8 recipe on")
    ap.add_argument("--heldout", type=int, default=6, help="held-out phantoms (seeds 1000..) to score on")
    ap.add_argument("--size", type=int, default=128, help="phantom cube side")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    log = lambda msg: print(msg, flush=True)  # noqa: E731

    card_path = os.path.join(args.model, "model.json")
    with open(card_path) as f:
        card = json.load(f)
    fp32 = os.path.join(args.model, card.get("file", "model.onnx"))
    if sha256(fp32) != card["sha256"]:
        raise SystemExit(f"{fp32}: sha256 differs from {card_path}; variants are made from the model the card describes")

    real_bone_ok = os.path.exists(BONE)
    os.makedirs(args.workdir, exist_ok=True)
    cplans = [train_plan(s, args.size, real_bone_ok) for s in range(1, args.calibration_phantoms + 1)]
    vplans = [train_plan(s, args.size, real_bone_ok)
              for s in range(FIRST_VALIDATION_SEED, FIRST_VALIDATION_SEED + args.validation_phantoms)]
    hplans = [heldout_plan(i, args.size, real_bone_ok) for i in range(args.heldout)]
    seeds = [{p["seed"] for p in plans} for plans in (cplans, vplans, hplans)]
    assert not (seeds[0] & seeds[1] or seeds[0] & seeds[2] or seeds[1] & seeds[2])
    cvols = [load_phantom(generate(p, args.workdir), p) for p in cplans]
    vvols = [load_phantom(generate(p, args.workdir), p) for p in vplans]
    hvols = [load_phantom(generate(p, args.workdir), p) for p in hplans]
    log(f"{len(cvols)} calibration, {len(vvols)} validation, {len(hvols)} held-out phantoms ({args.workdir})")

    # ---- int8: static quantisation, calibrated on training slices; the recipe chosen on the validation phantoms
    int8 = os.path.join(args.model, "model.int8.onnx")
    prepared = os.path.join(args.workdir, "model.prepared.onnx")
    quant_pre_process(fp32, prepared, skip_symbolic_shape=True)
    axes3 = S.AXES9[:3]
    reference = mean_per_class(soft_dice(fp32, vvols, args.threads, log, axes3))
    trials = []
    for name, recipe in RECIPES.items():
        candidate = os.path.join(args.workdir, "model.int8.candidate.onnx")
        quantise(prepared, candidate, recipe, SliceReader(cvols, args.slices, args.tile, 8, args.seed))
        dice = mean_per_class(soft_dice(candidate, vvols, args.threads, log, axes3))
        loss = max(a - b for a, b in zip(reference, dice) if a is not None and b is not None)
        trials.append({"recipe": name, "validation_soft3_dice": dice, "worst_class_loss": round(loss, 4),
                       "ms_per_mpixel": round(ms_per_megapixel(candidate, args.threads))})
        log(f"int8 recipe {name}: validation Dice {dice}, worst loss {loss:.4f}, {trials[-1]['ms_per_mpixel']} ms/Mpixel")
    good = [t for t in trials if t["worst_class_loss"] <= INT8_DEFAULT_MAX_LOSS]
    chosen = min(good, key=lambda t: t["ms_per_mpixel"]) if good else min(trials, key=lambda t: t["worst_class_loss"])
    quantise(prepared, int8, RECIPES[chosen["recipe"]], SliceReader(cvols, args.slices, args.tile, 8, args.seed))
    fp32_speed = round(ms_per_megapixel(fp32, args.threads))
    log(f"int8: {int8}, recipe {chosen['recipe']} (float32 {fp32_speed} ms/Mpixel)")

    # ---- fp16: float16 inside, float32 at the edges
    fp16 = os.path.join(args.model, "model.fp16.onnx")
    onnx.save(convert_float_to_float16(onnx.load(fp32), keep_io_types=True), fp16)
    log(f"fp16: {fp16}")

    # ---- scores on the held-out plan
    base = soft_dice(fp32, hvols, args.threads, log)
    base_mean = mean_per_class(base)
    variants = {}
    made = {
        "int8": {"providers": ["cpu"],
                 "how": {"tool": f"onnxruntime {ort.__version__} quantize_static", "format": "QDQ",
                         "activations": "uint8", "weights": "int8 per channel", "recipe": chosen["recipe"],
                         "calibration_data": f"{args.slices} normalised {args.tile}x{args.tile} slices (orthogonal, "
                                             f"oblique, random planes) of training phantoms, seeds 1-{args.calibration_phantoms}",
                         "recipe_choice": {"rule": "fastest recipe losing at most "
                                                   f"{INT8_DEFAULT_MAX_LOSS} Dice per class on the validation phantoms, "
                                                   "else the smallest worst-class loss",
                                           "validation_phantoms": f"seeds {vplans[0]['seed']}-{vplans[-1]['seed']} "
                                                                  "(training distribution, never trained on), 3-axis soft",
                                           "float32_validation_soft3_dice": reference,
                                           "float32_ms_per_mpixel": fp32_speed,
                                           "trials": trials}}},
        "fp16": {"providers": ["cuda", "webgpu"],
                 "how": {"tool": f"onnxruntime {ort.__version__} transformers.float16.convert_float_to_float16",
                         "io": "float32 (Cast nodes at input and outputs)"}},
    }
    for precision, path in (("int8", int8), ("fp16", fp16)):
        try:
            scores = soft_dice(path, hvols, args.threads, log)
            mean = mean_per_class(scores)
            change = [None if a is None or b is None else round(b - a, 4) for a, b in zip(base_mean, mean)]
            scored = {"heldout_soft9_dice": mean, "dice_change_vs_fp32": change,
                      "scored_on": "onnxruntime CPU provider"}
        except Exception as error:  # fp16 kernels missing on this CPU: recorded, not guessed
            change = None
            scored = {"heldout_soft9_dice": None, "dice_change_vs_fp32": None,
                      "scored_on": f"not scored here: {str(error).splitlines()[0][:200]}"}
        default_on = []
        if precision == "int8" and change and all(c is not None and c >= -INT8_DEFAULT_MAX_LOSS for c in change):
            default_on = ["cpu"]
        variants[precision] = {"file": os.path.basename(path), "sha256": sha256(path), "bytes": os.path.getsize(path),
                               **made[precision], **scored, "default_on": default_on}
        log(f"{precision}: Dice {scored['heldout_soft9_dice']} change {change} default on {default_on}")

    card["variants"] = {
        "what": "reduced-precision copies of model.onnx; `precision: 'auto'` picks one where `default_on` names the "
                f"provider (int8 only if it loses at most {INT8_DEFAULT_MAX_LOSS} Dice per class against float32)",
        "heldout_plan": f"9-axis soft voting on {len(hvols)} held-out phantoms (seeds {hplans[0]['seed']}-"
                        f"{hplans[-1]['seed']}, {args.size}^3), float32 scored the same way: {base_mean}",
        "made": datetime.datetime.now().isoformat(timespec="seconds"),
        "recipe": "bash models/train/variants.sh",
        **variants,
    }
    with open(card_path, "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    log(f"card: {card_path}")


if __name__ == "__main__":
    main()
