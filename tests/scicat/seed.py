"""Beamline-like catalog content for the SciCat contract server: raw P05/P07 tomograms of Mg-xGd, Ti and PEEK
implants at 4/8/12 weeks, some derived segmentations, thumbnails, file lists, and a few datasets whose files exist
on disk (small phantoms made with the `mdlma phantom` command) so that opening a dataset works end to end.
"""
from __future__ import annotations

import math
import random
import struct
import subprocess
import uuid
import zlib
from base64 import b64encode
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PID_PREFIX = "20.500.12269"
# Where beamline data live at DESY; the client maps this prefix to a local folder (its path mapping).
BEAMLINE_ROOT = "/asap3/petra3/gpfs"
GROUPS = ["p05-11012345", "p05-11014567", "p07-11016789"]
MATERIALS = ["Mg-5Gd", "Mg-10Gd", "Ti", "PEEK"]
WEEKS = [4, 8, 12]
# Datasets whose files the server writes with `mdlma phantom` (64³: about a second each; weeks 4, 8, 12).
ON_DISK = [(4, 11), (8, 12), (12, 13)]
XSS_NAME = '<img src=x onerror="window.__mdlmaXss=1"> <script>window.__mdlmaXss=2</script> P05 XSS probe'


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def png_data_uri(size: int, radius: float, ring: float) -> str:
    """A small grey PNG: an implant cross-section (bright disc) with a darker degradation ring."""
    rows = bytearray()
    c = (size - 1) / 2
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            r = math.hypot(x - c, y - c)
            rows.append(230 if r < radius else 140 if r < radius + ring else 60 + (x * 7 + y * 3) % 20)
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")
    return "data:image/png;base64," + b64encode(png).decode()


def _audit(t: datetime, user: str) -> dict:
    return {"createdBy": user, "updatedBy": user, "createdAt": iso(t), "updatedAt": iso(t)}


def _phantom(out: Path, weeks: int, seed: int) -> int:
    """Writes a 64³ phantom with the mdlma command unless it is there; returns the image's size in bytes."""
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        cli = REPO / "packages" / "kernel-lib" / "lib" / "cli" / "mdlma.js"
        subprocess.run(["node", str(cli), "phantom", "--out", str(out), "--size", "64", "--seed", str(seed),
                        "--stage", str(weeks), "--material", "Mg-10Gd"], check=True, capture_output=True)
    return out.stat().st_size


def generate(count: int = 300, seed: int = 8, data_root: Path | None = None) -> tuple[list, list, list]:
    """(datasets in the current (v4) schema, origdatablocks, attachments); deterministic for a seed."""
    rng = random.Random(seed)
    start = datetime(2023, 3, 1, 8, 0, tzinfo=timezone.utc)
    datasets, blocks, attachments = [], [], []
    raw = []
    for i in range(count):
        pid = f"{PID_PREFIX}/{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        material = MATERIALS[i % 4] if i % 5 else "Mg-10Gd"
        weeks = WEEKS[i % 3]
        animal = "rat" if i % 4 else "sheep"
        beamline = "P05" if i % 7 else "P07"
        group = GROUPS[2] if beamline == "P07" else GROUPS[i % 2]
        proposal = group.split("-")[1]
        sample = f"{animal[0].upper()}{100 + i // 3:03d}"
        t = start + timedelta(hours=31 * i + rng.randint(0, 20))
        year = t.year
        folder = f"{BEAMLINE_ROOT}/{beamline.lower()}/{year}/data/{proposal}/processed/{sample}_{weeks:02d}w"
        energy = 30 if beamline == "P05" else 60
        voxel = rng.choice([1.2, 2.4, 2.4, 3.6])
        files = [("reco/volume.nii.gz", rng.randint(2, 40) * 2**30), ("reco/labels.nii.gz", rng.randint(1, 5) * 2**28),
                 ("scan_log.txt", rng.randint(2000, 9000))]
        on_disk = [k for k, (w, s) in enumerate(ON_DISK) if i == s]
        if on_disk and data_root is not None:
            w, s = ON_DISK[on_disk[0]]
            weeks, material, beamline, group, animal = w, "Mg-10Gd", "P05", GROUPS[0], "rat"
            proposal, sample = group.split("-")[1], f"R9{s:02d}"
            folder = f"{BEAMLINE_ROOT}/p05/{year}/data/{proposal}/processed/{sample}_{weeks:02d}w"
            local = data_root / folder[len(BEAMLINE_ROOT) + 1:]
            size = _phantom(local / "reco" / "volume.nii.gz", weeks, 100 + s)
            labels = (local / "reco" / "volume.labels.nii.gz").stat().st_size
            files = [("reco/volume.nii.gz", size), ("reco/volume.labels.nii.gz", labels)]
            voxel = 75.0  # 4800 µm field of view over 64 voxels (the phantom default)
        name = f"{beamline} {material} {animal} {sample} {weeks:02d} weeks SRµCT"
        description = f"{material} screw in {animal} bone, {weeks} weeks after implantation; {energy} keV, binned"
        if i == 17:
            name, description = XSS_NAME, "<script>window.__mdlmaXss=3</script> metadata with markup"
        ds = {
            "pid": pid, "type": "raw", "datasetName": name, "description": description,
            "owner": rng.choice(["Julian Moosmann", "Berit Zeller-Plumhoff", "Diana Krüger", "Imke Greving"]),
            "ownerEmail": "mdlma@example.org", "contactEmail": "mdlma@example.org",
            "ownerGroup": group, "accessGroups": ["hereon-mdlma"], "sourceFolder": folder, "sourceFolderHost": "asap3.desy.de",
            "creationTime": iso(t), "startTime": iso(t - timedelta(minutes=40)), "endTime": iso(t),
            "creationLocation": f"/DESY/PETRA III/{beamline}", "principalInvestigators": ["regine.willumeit@hereon.de"],
            "proposalIds": [proposal], "sampleIds": [sample], "instrumentIds": [f"{PID_PREFIX}/{beamline.lower()}"],
            "dataFormat": "NIfTI-1", "isPublished": i % 10 == 0, "keywords": ["SRµCT", "implant", material, f"{weeks} weeks"],
            "size": sum(s for _, s in files), "numberOfFiles": len(files), "packedSize": 0, "numberOfFilesArchived": 0,
            "scientificMetadata": {
                "material": material, "animal": animal, "sample": sample,
                "healingTime": {"value": weeks, "unit": "weeks"},
                "energy": {"value": energy, "unit": "keV"},
                "voxelSize": {"value": voxel, "unit": "µm"},
                "binning": 1 if voxel < 2 else 2,
                "xss": "<img src=x onerror=\"window.__mdlmaXss=4\">" if i == 17 else "",
            },
            "inputDatasets": [], "usedSoftware": [], "version": "v3", **_audit(t, "ingestor"),
        }
        datasets.append(ds)
        raw.append(ds)
        blocks.append({
            "_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "datasetId": pid, "ownerGroup": group,
            "accessGroups": ["hereon-mdlma"], "size": ds["size"], "chkAlg": "sha1", "isPublished": ds["isPublished"],
            "dataFileList": [{"path": p, "size": s, "time": iso(t)} for p, s in files], "version": "v3", **_audit(t, "ingestor"),
        })
        attachments.append({  # the current (v4) Attachment schema; v3 answers show it as {id, datasetId, ...}
            "aid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "ownerGroup": group, "accessGroups": ["hereon-mdlma"],
            "isPublished": ds["isPublished"], "relationships": [{"targetId": pid, "targetType": "dataset", "relationType": "is attached to"}],
            "caption": f"Central slice, {sample}, {weeks} weeks",
            "thumbnail": png_data_uri(24, 5 + 4 * (1 - weeks / 16), 1 + weeks / 4), **_audit(t, "ingestor"),
        })
    # Derived segmentations of every fifth raw dataset, registered by an earlier analysis.
    for k, parent in enumerate(raw[::5][: count // 10]):
        t = datetime.fromisoformat(parent["creationTime"].replace("Z", "+00:00")) + timedelta(days=3)
        datasets.append({
            **{k2: parent[k2] for k2 in ("owner", "ownerEmail", "contactEmail", "ownerGroup", "accessGroups", "keywords",
                                         "isPublished", "sourceFolderHost")},
            "pid": f"{PID_PREFIX}/{uuid.UUID(int=rng.getrandbits(128), version=4)}", "type": "derived",
            "datasetName": f"SUN segmentation of {parent['datasetName']}", "description": "9-axis SUN, soft voting",
            "sourceFolder": parent["sourceFolder"] + "/analysis", "creationTime": iso(t),
            "principalInvestigators": ["berit.zeller-plumhoff@hereon.de"], "inputDatasets": [parent["pid"]],
            "usedSoftware": ["https://github.com/mdlma/mdlma-lab@0.1.0"], "jobParameters": {"axes": 9, "voting": "soft"},
            "scientificMetadata": {**parent["scientificMetadata"], "model": {"name": "sun-implant", "version": "1"}},
            "size": 0, "numberOfFiles": 0, "packedSize": 0, "numberOfFilesArchived": 0, "version": "v3",
            "proposalIds": [], "sampleIds": [], "instrumentIds": [], **_audit(t, "analysis"),
        })
    return datasets, blocks, attachments
