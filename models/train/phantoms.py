"""Training data for the sun-implant U-Net: which phantoms to make (training and held-out plans), making them with
the mdlma CLI, and loading them (or exported image/label pairs) as volumes.

MDLMA Lab, BSD-3-Clause.
"""
from __future__ import annotations

import glob
import os
import subprocess

import numpy as np

import sunlib as S

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
CLI = os.path.join(REPO, "packages", "kernel-lib", "lib", "cli", "mdlma.js")
BONE = os.path.join(REPO, "examples", "data", "qim3d", "bone_128x128x128.tif")

HELDOUT_FIRST_SEED = 1000


def train_plan(seed: int, size: int, real_bone_ok: bool) -> dict:
    """Acquisition / anatomy parameters of training phantom `seed` (deterministic in the seed)."""
    r = np.random.default_rng(10_000 + seed)
    p = {
        "seed": seed,
        "family": "real-bone" if (real_bone_ok and size == 128 and r.random() < 0.35) else "synthetic",
        "size": size,
        "stage": float(np.round(r.uniform(2, 12) * 2) / 2),
        "material": "Mg-5Gd" if r.random() < 0.5 else "Mg-10Gd",
        "flux": int(r.choice([2000, 4000, 7000, 10000, 10000, 20000, 50000])),
        "rings": float(r.choice([0, 0.002, 0.004, 0.004, 0.008, 0.012])),
        "phase": float(0.8 if r.random() < 0.3 else (0.4 if r.random() < 0.1 else 0)),
        "window": str(r.choice(["shepp-logan"] * 6 + ["ram-lak", "cosine", "hann"])),
    }
    return p


def heldout_plan(i: int, size: int, real_bone_ok: bool) -> dict:
    """Held-out phantoms: mostly the CLI's default acquisition, varied anatomy, both families."""
    seed = HELDOUT_FIRST_SEED + i
    stages = [8, 4, 12, 6, 10, 2, 8, 12]
    return {
        "seed": seed,
        "family": "real-bone" if (real_bone_ok and size == 128 and i % 3 == 2) else "synthetic",
        "size": size,
        "stage": float(stages[i % len(stages)]),
        "material": "Mg-10Gd" if i % 2 == 0 else "Mg-5Gd",
        "flux": [10000, 10000, 5000, 10000, 20000][i % 5],
        "rings": [0.004, 0.004, 0.004, 0.008, 0.0][i % 5],
        "phase": 0.8 if i % 4 == 3 else 0.0,
        "window": "shepp-logan",
    }


def phantom_name(p: dict) -> str:
    return (f"s{p['seed']}_{p['family']}_n{p['size']}_w{p['stage']:g}_{p['material']}_f{p['flux']}_r{p['rings']:g}"
            f"_p{p['phase']:g}_{p['window']}")


def generate(p: dict, folder: str) -> str:
    out = os.path.join(folder, phantom_name(p) + ".raw")
    if os.path.exists(out) and os.path.exists(out[:-4] + ".labels.raw.json"):
        return out
    cmd = ["nice", "-n", "10", "node", CLI, "phantom", "--size", str(p["size"]), "--seed", str(p["seed"]),
           "--stage", str(p["stage"]), "--material", p["material"], "--flux", str(p["flux"]),
           "--rings", str(p["rings"]), "--phase", str(p["phase"]), "--window", p["window"],
           "--family", p["family"], "--out", out, "--json"]
    if p["family"] == "real-bone":
        cmd += ["--bone", BONE]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"phantom generation failed ({' '.join(cmd)}):\n{res.stderr[-2000:]}")
    return out


def load_phantom(path: str, p: dict | None = None) -> S.Volume:
    lab_path = path[:-4] + ".labels.raw"
    return S.Volume(os.path.basename(path)[:-4], S.read_raw(path).astype(np.float32),
                    S.read_raw(lab_path).astype(np.uint8), p or {})


def load_pairs(folder: str) -> list[S.Volume]:
    """Image/label pairs: <name>.nii.gz (or .nii) with <name>.labels.nii.gz (the mdlma CLI's naming) or
    <name>_labels.nii.gz. Label 255 marks unlabelled voxels (partial annotations), ignored by the loss."""
    vols = []
    for img in sorted(glob.glob(os.path.join(folder, "*.nii*"))):
        base = os.path.basename(img)
        if ".labels." in base or "_labels." in base:
            continue
        stem = base[:-7] if base.endswith(".nii.gz") else base[:-4]
        ext = base[len(stem):]
        cands = [os.path.join(folder, stem + ".labels" + ext), os.path.join(folder, stem + "_labels" + ext)]
        lab = next((c for c in cands if os.path.exists(c)), None)
        if lab is None:
            print(f"  skipping {base}: no labels ({os.path.basename(cands[0])})", flush=True)
            continue
        im, lb = S.read_volume(img), S.read_volume(lab)
        if im.shape != lb.shape:
            raise SystemExit(f"{img}: image {im.shape} and labels {lb.shape} differ in shape")
        lb = lb.astype(np.int64)
        lb[(lb < 0) | (lb > 3)] = 255
        vols.append(S.Volume(stem, im.astype(np.float32), lb.astype(np.uint8), {"source": img}))
    if not vols:
        raise SystemExit(f"--data {folder}: no <name>.nii.gz + <name>.labels.nii.gz pairs found")
    return vols
