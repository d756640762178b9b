"""Train the sun-implant 2D U-Net on synthetic SRµCT phantoms (and/or exported image/label pairs), export it to ONNX,
validate the export with onnxruntime, measure held-out Dice and write the model card.

Run through train.sh (which checks the dependencies); `python3 train.py --help` lists the options.
MDLMA Lab, BSD-3-Clause.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime
import json
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import sunlib as S

from onnx_export import export_onnx, sha256, validate_onnx
from phantoms import (BONE, HELDOUT_FIRST_SEED, HERE, REPO, generate, heldout_plan, load_pairs, load_phantom,
                      phantom_name, train_plan)


# ----------------------------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------------------------

def dice_ce_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """nnU-Net style: cross-entropy + (1 - soft Dice), Dice computed over the whole batch per class and averaged
    over the classes present; label 255 ignored."""
    ce = F.cross_entropy(logits, target, ignore_index=255)
    valid = (target != 255).unsqueeze(1).float()
    t = target.clone()
    t[t == 255] = 0
    onehot = F.one_hot(t, S.NUM_CLASSES).permute(0, 3, 1, 2).float() * valid
    p = torch.softmax(logits, 1) * valid
    inter = (p * onehot).sum((0, 2, 3))
    denom = p.sum((0, 2, 3)) + onehot.sum((0, 2, 3))
    dice = (2 * inter + 1e-5) / (denom + 1e-5)
    present = onehot.sum((0, 2, 3)) > 0
    dl = 1 - (dice[present].mean() if present.any() else dice.mean())
    return ce + dl


def make_batch(vols, rng, batch, tile, weights, p_implant=0.5):
    xs, ys = [], []
    idx = rng.choice(len(vols), size=batch, p=weights)
    for i in idx:
        x, y = S.sample_slice(vols[i], rng, tile, p_implant=p_implant)
        if rng.random() < 0.3:  # mild intensity augmentation on top of the normalisation
            x = x * rng.uniform(0.9, 1.1) + rng.uniform(-0.05, 0.05)
        xs.append(x)
        ys.append(y)
    return torch.from_numpy(np.stack(xs)[:, None].astype(np.float32)), torch.from_numpy(np.stack(ys))


def train(net, vols, args, log):
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sizes = np.array([v.image.size for v in vols], np.float64)
    weights = sizes / sizes.sum()
    t0 = time.time()
    hist = []
    net.train()
    pool = cf.ThreadPoolExecutor(1)  # prepare the next batch while the current one trains
    fut = pool.submit(make_batch, vols, np.random.default_rng(rng.integers(1 << 31)), args.batch, args.tile, weights, args.p_implant)
    it = 0
    run = 0.0
    budget = args.minutes * 60 if args.minutes else None
    stop_reason = "iterations"
    for it in range(1, args.iters + 1):
        x, y = fut.result()
        # progress drives the poly schedule: iterations, or wall time when --minutes is given and runs out first
        prog = (it - 1) / args.iters
        if budget:
            prog = max(prog, (time.time() - t0) / budget)
        last = it == args.iters or prog >= 1.0 - 1e-9 or (budget and (time.time() - t0) / budget > 0.999)
        if not last:
            fut = pool.submit(make_batch, vols, np.random.default_rng(rng.integers(1 << 31)), args.batch, args.tile,
                              weights, args.p_implant)
        warm = min(1.0, it / max(1, args.warmup))
        lr = args.lr * warm * max(0.0, 1 - prog) ** 0.9 + 1e-6  # poly decay (nnU-Net)
        for g in opt.param_groups:
            g["lr"] = lr
        logits, _ = net(x)
        loss = dice_ce_loss(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 12.0)
        opt.step()
        run = loss.item() if it == 1 else 0.95 * run + 0.05 * loss.item()
        if it % args.log_every == 0 or it == args.iters:
            el = time.time() - t0
            log(f"  iter {it}/{args.iters}  loss {run:.4f}  lr {lr:.2e}  {el:.0f}s  ({el / it:.2f}s/iter)")
            hist.append({"iter": it, "loss": round(run, 5), "seconds": round(el, 1)})
        if args.checkpoint and it % 200 == 0:
            S.save_checkpoint(args.checkpoint, net, {"iter": it})
        if last:
            if it < args.iters:
                stop_reason = f"time budget ({args.minutes} min)"
                log(f"  iter {it}: time budget reached  loss {run:.4f}")
                hist.append({"iter": it, "loss": round(run, 5), "seconds": round(time.time() - t0, 1)})
            break
    pool.shutdown()
    return {"iterations": it, "seconds": round(time.time() - t0, 1), "history": hist, "stopped_by": stop_reason}


# ----------------------------------------------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------------------------------------------

def evaluate(net, vols, multiple, axes9: bool, log, nine_axis_volumes: int | None = None):
    """Held-out metrics: (a) 2D slice Dice: every slice along each of the 9 axes predicted on its own, pooled over
    all voxels of all held-out volumes (per-axis argmax); (b) 1/3/9-axis soft-voting Dice (Python reference of the
    SUN pipeline), per volume and mean."""
    net.eval()
    conf2d_orth, conf2d_obl = S.Confusion(), S.Confusion()
    per_vol = []
    for vi, v in enumerate(vols):
        t0 = time.time()
        gt = v.labels
        probs = []
        axes = S.AXES9 if (axes9 and (nine_axis_volumes is None or vi < nine_axis_volumes)) else S.AXES9[:3]
        for k, a in enumerate(axes):
            p = S.axis_probs(net, v.image, a, multiple)
            probs.append(p)
            (conf2d_orth if k < 3 else conf2d_obl).add(p.argmax(0), gt)
        r = {"name": v.name, "axis1": S.dice_per_class(probs[0].argmax(0), gt)}
        s3 = probs[0] + probs[1] + probs[2]
        r["soft3"] = S.dice_per_class(s3.argmax(0), gt)
        if len(probs) == 9:
            s9 = s3 + sum(probs[3:])
            r["soft9"] = S.dice_per_class(s9.argmax(0), gt)
        r["seconds"] = round(time.time() - t0, 1)
        per_vol.append(r)
        log(f"  {v.name}: " + "  ".join(f"{k} " + " ".join("-" if d is None else f"{d:.3f}" for d in r[k])
                                          for k in ("axis1", "soft3", "soft9") if k in r) + f"  ({r['seconds']}s)")

    def mean(key):
        rows = [r[key] for r in per_vol if key in r]
        if not rows:
            return None
        out = []
        for c in range(S.NUM_CLASSES):
            vals = [row[c] for row in rows if row[c] is not None]
            out.append(round(float(np.mean(vals)), 4) if vals else None)
        return out

    def rnd(lst):
        return [None if d is None else round(d, 4) for d in lst]

    def mean_where(key, keep):
        rows = [r[key] for r in per_vol if key in r and keep(r["name"])]
        return [round(float(np.mean([row[c] for row in rows if row[c] is not None])), 4)
                if any(row[c] is not None for row in rows) else None for c in range(S.NUM_CLASSES)] if rows else None

    no_phase = lambda name: "_p0_" in name  # noqa: E731  (phase-contrast phantoms are named _p0.8_ / _p0.4_)
    return {
        "absorption_only": {"what": "the same means over the held-out phantoms without phase contrast",
                            "volume_mean_axis1": mean_where("axis1", no_phase),
                            "volume_mean_soft3": mean_where("soft3", no_phase),
                            "volume_mean_soft9": mean_where("soft9", no_phase)},
        "slice2d_orthogonal": rnd(conf2d_orth.dice()),
        "slice2d_oblique": rnd(conf2d_obl.dice()) if conf2d_obl.m.sum() else None,
        "volume_mean_axis1": mean("axis1"),
        "volume_mean_soft3": mean("soft3"),
        "volume_mean_soft9": mean("soft9"),
        "per_volume": per_vol,
    }


# ----------------------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "models", "sun-implant"), help="model folder to write")
    ap.add_argument("--workdir", default=os.path.join(HERE, ".data"), help="generated phantoms (cache)")
    ap.add_argument("--data", help="folder of exported image/label pairs (NIfTI) to train on")
    ap.add_argument("--init", help="start from a .pt checkpoint (or a model.onnx with its model.pt beside it)")
    ap.add_argument("--phantoms", type=int, default=48, help="training phantoms (seeds 1..n); 0 with --data")
    ap.add_argument("--heldout", type=int, default=6, help="held-out phantoms (seeds 1000..)")
    ap.add_argument("--nine-axis-volumes", type=int, default=4,
                    help="evaluate 9-axis soft voting on the first k held-out volumes only (others: 1 and 3 axes)")
    ap.add_argument("--size", type=int, default=128, help="phantom cube side")
    ap.add_argument("--no-real-bone", action="store_true", help="synthetic family only")
    ap.add_argument("--iters", type=int, default=4000)
    ap.add_argument("--minutes", type=float, default=40,
                    help="wall-time budget of the training loop: the poly schedule follows max(iteration, time) "
                         "progress and training stops when either runs out (the card records the iterations done); "
                         "0 = iterations only (exactly reproducible schedule)")
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--p-implant", type=float, default=0.5,
                    help="share of training slices centred on an implant voxel (DL/RM boundaries are the hard part)")
    ap.add_argument("--tile", type=int, default=128, help="training tile (multiple of 16)")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--widths", default="16,32,64,128,128")
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--name", default="sun-implant", help="model name in the card")
    ap.add_argument("--note", default="", help="free text for the card")
    ap.add_argument("--smoke", action="store_true", help="CI: tiny phantoms, a few iterations, output in --out")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    t_start = time.time()
    logf = None
    os.makedirs(args.out, exist_ok=True)

    def log(msg):
        print(msg, flush=True)
        if logf:
            logf.write(msg + "\n")
            logf.flush()

    log_path = os.path.join(args.out, "train.log")
    logf = open(log_path + ".partial", "w")  # renamed to train.log when the model files are written
    log(f"sun-implant training  {datetime.datetime.now().isoformat(timespec='seconds')}  torch {torch.__version__}"
        f"  threads {args.threads}  args {vars(args)}")
    real_bone_ok = (not args.no_real_bone) and os.path.exists(BONE)
    if not args.no_real_bone and not real_bone_ok:
        log(f"  note: {BONE} missing (bash packages/kernel-lib/scripts/fetch-qim3d-bone.sh): synthetic family only")

    # ---- data
    os.makedirs(args.workdir, exist_ok=True)
    tplans = [train_plan(s, args.size, real_bone_ok) for s in range(1, args.phantoms + 1)]
    hplans = [heldout_plan(i, args.size, real_bone_ok) for i in range(args.heldout)]
    assert not ({p["seed"] for p in tplans} & {p["seed"] for p in hplans})
    t0 = time.time()
    with cf.ThreadPoolExecutor(2) as ex:
        tpaths = list(ex.map(lambda p: generate(p, args.workdir), tplans))
        hpaths = list(ex.map(lambda p: generate(p, args.workdir), hplans))
    log(f"data: {len(tplans)} training + {len(hplans)} held-out phantoms in {args.workdir} "
        f"({time.time() - t0:.0f}s)")
    vols = [load_phantom(pth, p) for pth, p in zip(tpaths, tplans)]
    if args.data:
        extra = load_pairs(args.data)
        log(f"  + {len(extra)} image/label pairs from {args.data}")
        vols += extra
    if not vols:
        raise SystemExit("no training data (--phantoms 0 without --data)")
    held = [load_phantom(pth, p) for pth, p in zip(hpaths, hplans)]

    # ---- model
    widths = tuple(int(w) for w in args.widths.split(","))
    init_training = None
    if args.init:
        ck = S.resolve_init(args.init)
        net = S.load_checkpoint(ck)
        log(f"init from {ck}")
        prev = os.path.join(os.path.dirname(ck) or ".", "model.json")
        if os.path.exists(prev):  # keep the provenance of the model we start from
            with open(prev) as f:
                pc = json.load(f)
            pt = pc.get("training", {})
            init_training = {k: pt.get(k) for k in ("command", "iterations", "seconds", "batch", "optimiser",
                                                    "init", "init_training")}
            init_training["version"] = pc.get("version")
            init_training["sha256"] = pc.get("sha256")
    else:
        net = S.UNet2D(widths=widths, dropout=args.dropout)
    if args.tile % net.multiple:
        raise SystemExit(f"--tile must be a multiple of {net.multiple}")
    nparams = sum(p.numel() for p in net.parameters())
    log(f"model: UNet2D widths {net.widths}, {nparams} parameters, dropout {net.dropout}")

    ck_path = os.path.join(args.out, "model.pt")
    args.checkpoint = None if args.smoke else ck_path + ".partial"
    tr = train(net, vols, args, log)
    if args.checkpoint and os.path.exists(args.checkpoint):
        os.remove(args.checkpoint)
    net.eval()
    S.save_checkpoint(ck_path + ".new", net, {"iter": tr["iterations"]})

    # ---- export + validation
    onnx_path = os.path.join(args.out, "model.onnx")
    # staged as *.new: the shipped files are replaced together with the card at the very end
    export_onnx(net, onnx_path + ".new", args.opset)
    val = validate_onnx(net, onnx_path + ".new", held, net.multiple, np.random.default_rng(1))
    log(f"onnx: {os.path.getsize(onnx_path + '.new') / 1e6:.2f} MB, max |onnxruntime - torch| probs "
        f"{val['max_abs_diff_probs']:.2e} features {val['max_abs_diff_features']:.2e} over {val['slices']} slices")

    # ---- held-out metrics
    t0 = time.time()
    ev = evaluate(net, held, net.multiple, axes9=True, log=log, nine_axis_volumes=args.nine_axis_volumes)
    log(f"held-out ({time.time() - t0:.0f}s): 2D slice Dice orthogonal {ev['slice2d_orthogonal']}, oblique "
        f"{ev['slice2d_oblique']}; volume mean 1-axis {ev['volume_mean_axis1']} 3-axis soft {ev['volume_mean_soft3']}"
        f" 9-axis soft {ev['volume_mean_soft9']}")

    # ---- card
    def summarise(plans):
        return {
            "count": len(plans),
            "seeds": [p["seed"] for p in plans],
            "families": sorted({p["family"] for p in plans}),
            "family_counts": {f: sum(p["family"] == f for p in plans) for f in sorted({p["family"] for p in plans})},
            "size": args.size,
            "stages_weeks": sorted({p["stage"] for p in plans}),
            "materials": sorted({p["material"] for p in plans}),
            "flux": sorted({p["flux"] for p in plans}),
            "rings": sorted({p["rings"] for p in plans}),
            "phase": sorted({p["phase"] for p in plans}),
            "windows": sorted({p["window"] for p in plans}),
            "phantoms": [phantom_name(p) for p in plans],
        }

    card = {
        "name": args.name if not args.smoke else "sun-implant-smoke",
        "version": args.version,
        "description": "2D U-Net for the SUN pipeline (slices along 1, 3 or 9 axes, soft voting): 4-class "
                       "segmentation of SRµCT tomograms of degrading Mg implants in bone.",
        "file": "model.onnx",
        "sha256": sha256(onnx_path + ".new"),
        "bytes": os.path.getsize(onnx_path + ".new"),
        "checkpoint": {"file": "model.pt", "sha256": sha256(ck_path + ".new"), "format": "mdlma-sun-unet2d/1",
                       "note": "PyTorch state_dict + architecture; start fine-tuning from it (train.sh --init)"},
        "framework": {"onnx_opset": args.opset, "exported_with": f"torch {torch.__version__}"},
        "classes": S.CLASSES,
        "input": {
            "name": "image",
            "shape": "[N,1,H,W]",
            "dtype": "float32",
            "channels": 1,
            "tile": 256,
            "multiple": net.multiple,
            "normalisation": {"kind": "percentile", "low": 1, "high": 99, "clip": False,
                              "eps": S.NORM["eps"],
                              "rule": "per 2D slice: x' = (x - p_low) / max(p_high - p_low, eps); percentiles over "
                                      "the slice's in-volume pixels only (for oblique slices: pixels whose sampling "
                                      "point lies inside the volume), linear interpolation between closest ranks "
                                      "(numpy.percentile default: rank = q/100 * (n-1)); no clipping"},
            "fill": S.FILL,
            "fill_rule": "value given to out-of-volume pixels of oblique slices (and to padding up to the multiple or "
                         "tile), set after normalisation and excluded from the percentiles",
            "orientation": "any: trained on orthogonal, 45-degree oblique and randomly rotated planes with random "
                           "in-plane flips and transposes",
            "pixel_spacing": "1 voxel (trained with 0.85-1.2 voxel sampling steps on random planes)",
        },
        "outputs": {
            "probs": "[N,C,H,W]", "classes": S.NUM_CLASSES, "softmax": True,
            "features": "[N,F,H,W]", "F": val["features"],
            "features_note": "last decoder layer (after BatchNorm + LeakyReLU) before the 1x1 classifier conv",
        },
        "architecture": {
            "kind": "2D U-Net", "widths": list(net.widths), "levels": len(net.widths),
            "convs_per_level": 2, "norm": "BatchNorm (folded at export)", "activation": "LeakyReLU(0.01)",
            "down": "max-pool 2x2", "up": "transposed conv 2x2 stride 2", "parameters": nparams,
            "dropout": {"p": net.dropout, "where": "Dropout2d inside the first conv pair of the two deepest levels"},
        },
        "stochastic_inference": {
            "mc_dropout": "not in the ONNX file (exported in eval mode: dropout is the identity)",
            "how": "PyTorch: load model.pt with models/train/sunlib.py load_checkpoint(), call net.eval() then set "
                   "every torch.nn.Dropout2d module to .train() and run T passes; probs = mean of softmaxes, "
                   "BALD = H(mean) - mean H",
        },
        "training": {
            "data": {
                "generator": "mdlma phantom (packages/kernel-lib, SRµCT phantom with exact labels)",
                "train": summarise(tplans),
                "heldout": summarise(hplans),
                "heldout_rule": f"seeds >= {HELDOUT_FIRST_SEED} are never used for training",
                "extra_pairs": args.data or None,
            },
            "sampling": {
                "tile": args.tile,
                "planes": "40% orthogonal (exact voxels), 30% one of the 6 oblique SUN axes (trilinear), 30% uniformly "
                          "random orientation with sampling step 0.85-1.2 voxels; random flips/transposes; 25% of the "
                          "oblique planes rotated in-plane by a random angle; centre on the implant (DL/RM voxel) "
                          f"in {args.p_implant:.0%} of the tiles",
                "labels": "nearest neighbour at the sampling points; outside the volume: background",
                "intensity": "30% of the tiles: x * U(0.9, 1.1) + U(-0.05, 0.05) after normalisation",
            },
            "iterations": tr["iterations"],
            "max_iterations": args.iters,
            "minutes_budget": args.minutes,
            "stopped_by": tr["stopped_by"],
            "batch": args.batch,
            "optimiser": {"kind": "AdamW", "lr": args.lr, "weight_decay": args.weight_decay,
                          "schedule": f"linear warm-up {args.warmup} iterations, then poly (1 - t)^0.9",
                          "grad_clip": 12.0},
            "loss": "cross-entropy + (1 - soft Dice), Dice per class over the batch, mean over present classes "
                    "(nnU-Net style); label 255 ignored",
            "seed": args.seed,
            "seconds": tr["seconds"],
            "loss_history": tr["history"][-10:],
            "machine": f"{platform.machine()} {os.cpu_count()} cpus, {args.threads} torch threads, "
                       f"{platform.platform()}",
            "torch": torch.__version__,
            "python": platform.python_version(),
            "command": " ".join(["bash models/train/train.sh"] + [a for a in sys.argv[1:]
                                                                  if a not in ("--threads", str(args.threads))]),
            "init": args.init,
            "init_training": init_training,
            "note": args.note,
        },
        "validation": {"onnxruntime_vs_torch": val},
        "metrics": {
            "heldout": {
                "what": "Python evaluation on the held-out phantoms. slice2d_*: Dice per class (background, bone, DL, "
                        "RM) of single-axis 2D slice predictions pooled over all voxels (orthogonal axes, and the 6 "
                        "oblique axes mapped back to the grid); volume_mean_*: mean over volumes of per-volume Dice "
                        "with 1 axis (z), 3-axis and 9-axis soft voting (Python reference of the SUN pipeline).",
                "class_order": [c["name"] for c in S.CLASSES],
                **{k: ev[k] for k in ("slice2d_orthogonal", "slice2d_oblique", "volume_mean_axis1",
                                      "volume_mean_soft3", "volume_mean_soft9", "absorption_only")},
                "per_volume": ev["per_volume"],
            },
            "pipeline": None,
        },
        "licence": "BSD-3-Clause",
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    os.replace(onnx_path + ".new", onnx_path)
    os.replace(ck_path + ".new", ck_path)
    tmp = os.path.join(args.out, "model.json.tmp")
    with open(tmp, "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    os.replace(tmp, os.path.join(args.out, "model.json"))
    log(f"wrote {args.out}/model.onnx ({card['bytes'] / 1e6:.2f} MB, sha256 {card['sha256'][:16]}...), model.pt, "
        f"model.json; total {time.time() - t_start:.0f}s")
    logf.close()
    os.replace(log_path + ".partial", log_path)
    if val["max_abs_diff_probs"] > 1e-3:
        raise SystemExit(f"ONNX export differs from PyTorch by {val['max_abs_diff_probs']:.2e} (> 1e-3)")


if __name__ == "__main__":
    main()
