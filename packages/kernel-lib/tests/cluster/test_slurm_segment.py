"""Array-job segmentation on the real Slurm: one slab per task into one Zarr store, then a merge job;
the result equals in-process segment() with the same settings voxel for voxel, and a failed task is
submitted again alone."""
import json
import subprocess
import time
from pathlib import Path

from slurm_fixture import CLI, KERNEL_LIB, Mdlma

SETTINGS = ["--axes", "3", "--slab-depth", "16", "--halo", "8", "--threads", "1"]


def node(code: str, cwd: Path, env: dict) -> dict:
    done = subprocess.run(["node", "-e", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare_with_in_process(tmp_path: Path, env: dict, results: list, precision: str = "auto") -> dict:
    """Segments scan.nii.gz in process with the same settings and counts voxels that differ from each result."""
    lib = json.dumps(str(KERNEL_LIB / "lib"))
    code = f"""
const io = require({lib} + '/io'); const {{ segment }} = require({lib} + '/segment');
(async () => {{
  const scan = await io.read('scan.nii.gz');
  const t = Date.now();
  const mine = await segment(scan, {{ axes: 3, slabDepth: 16, halo: 8, threads: 1, precision: {json.dumps(precision)}, progress: false }});
  const seconds = (Date.now() - t) / 1000;
  const out = {{ seconds, shape: mine.labels.shape, classes: [...new Set(mine.labels.data)].sort() }};
  for (const path of {json.dumps(results)}) {{
    const other = await io.read(path);
    let diff = 0;
    for (let i = 0; i < mine.labels.data.length; i++) if (other.data[i] !== mine.labels.data[i]) diff++;
    out[path] = {{ diff, shape: other.shape, dtype: other.dtype }};
  }}
  console.log(JSON.stringify(out));
}})();
"""
    return node(code, tmp_path, env)


def make_phantom(mdlma: Mdlma, tmp_path: Path):
    done = subprocess.run(["node", str(CLI), "phantom", "--size", "48", "--seed", "3",
                           "--out", "scan.nii.gz", "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_array_segmentation_equals_in_process(mdlma: Mdlma, tmp_path: Path):
    # float32, not the CPU default (int8): the tasks run the precision asked for, or the labels would differ.
    make_phantom(mdlma, tmp_path)
    started = time.time()
    run = mdlma.ok("segment", "scan.nii.gz", "--out", "labels.zarr", "--merge", "labels.nii.gz", *SETTINGS,
                   "--precision", "fp32", "--wait", timeout=300)
    cluster_seconds = time.time() - started
    assert run["tasks"] == 3 and run["merge"]["state"] == "COMPLETED"
    tasks = mdlma.ok("show", run["arrayJobId"])["job"]["tasks"]
    assert [t["state"] for t in tasks] == ["COMPLETED"] * 3
    assert "--precision 'fp32'" in run["taskScript"]
    result = compare_with_in_process(tmp_path, mdlma.env, ["labels.zarr", "labels.nii.gz"], precision="fp32")
    assert result["labels.zarr"] == {"diff": 0, "shape": [48, 48, 48], "dtype": "uint8"}
    assert result["labels.nii.gz"]["diff"] == 0
    int8 = compare_with_in_process(tmp_path, mdlma.env, ["labels.zarr"], precision="int8")
    assert int8["labels.zarr"]["diff"] > 0, "int8 labels differ somewhere: the equality above tells the precisions apart"
    # 48^3 at 100 µm is far coarser than the model's training data: ask only that it is not one class.
    assert len(result["classes"]) >= 2, "the phantom's segmentation should hold several classes"
    print(f"array segmentation {cluster_seconds:.1f} s (3 tasks, with scheduling) vs in-process {result['seconds']:.1f} s")


def test_a_failed_task_is_resubmitted_alone(mdlma: Mdlma, tmp_path: Path):
    make_phantom(mdlma, tmp_path)
    # Task 1 fails (exit 7, a message on stderr) until the "fixed" file exists: a node problem, then repaired.
    fault = tmp_path / "fault.js"
    fault.write_text("if (process.env.SLURM_ARRAY_TASK_ID === '1' && !require('fs').existsSync('fixed')) "
                     "{ console.error('scratch disk full on this node'); process.exit(7); }\n")
    run = mdlma.ok("segment", "scan.nii.gz", "--out", "labels.zarr", *SETTINGS, "--env", f"NODE_OPTIONS=--require={fault}")
    array, merge = run["arrayJobId"], run["mergeJobId"]
    code, out, _ = mdlma.run("wait", array, "--timeout", "120", timeout=180)
    assert code == 2 and out["error"]["type"] == "SlurmJobError" and out["error"]["state"] == "FAILED"
    assert out["error"]["exitCode"] == 7 and "scratch disk full" in out["error"]["stderrTail"]
    states = {t["id"]: t["state"] for t in mdlma.ok("show", array)["job"]["tasks"]}
    assert states == {f"{array}_0": "COMPLETED", f"{array}_1": "FAILED", f"{array}_2": "COMPLETED"}

    (tmp_path / "fixed").write_text("")

    again = mdlma.ok("segment-resubmit", "labels.zarr", "--tasks", "1", "--wait", timeout=300)
    assert again["merge"]["state"] == "COMPLETED"
    assert [t["id"] for t in mdlma.ok("show", again["arrayJobId"])["job"]["tasks"]] == [f"{again['arrayJobId']}_1"]
    assert mdlma.ok("show", merge)["job"]["state"] == "CANCELLED", "the merge that could never run is cancelled"
    assert compare_with_in_process(tmp_path, mdlma.env, ["labels.zarr"])["labels.zarr"]["diff"] == 0


def test_segment_on_cluster_waits_and_equals_in_process(mdlma: Mdlma, tmp_path: Path):
    make_phantom(mdlma, tmp_path)
    lib = json.dumps(str(KERNEL_LIB / "lib"))
    code = f"""
const io = require({lib} + '/io'); const {{ SlurmClient, segmentOnCluster }} = require({lib} + '/cluster');
(async () => {{
  let refused = null;
  try {{ await segmentOnCluster(await io.read('scan.nii.gz'), {{ out: 'x.nii.gz' }}); }}
  catch (e) {{ refused = {{ name: e.name, message: e.message }}; }}
  const source = await io.open('scan.nii.gz');
  const result = await segmentOnCluster(source, {{ axes: 3, slabDepth: 16, halo: 8, threads: 1, out: 'cluster.nii.gz',
    client: new SlurmClient({{ pollInterval: 300 }}), job: {{ cpus: 1 }} }});
  await source.close();
  console.log(JSON.stringify({{ refused, files: result.files, tasks: result.run.tasks, store: result.run.out, seconds: result.seconds }}));
}})();
"""
    out = node(code, tmp_path, mdlma.env)
    assert out["refused"]["name"] == "SegmentOptionError" and "opened from a file" in out["refused"]["message"]
    assert out["files"] == {"labels": "cluster.nii.gz"} and out["tasks"] == 3
    assert out["store"] == str(tmp_path / "cluster.nii.gz.zarr")
    assert not (tmp_path / "x.nii.gz").exists() and not (tmp_path / "x.nii.gz.zarr").exists()
    result = compare_with_in_process(tmp_path, mdlma.env, ["cluster.nii.gz"])
    assert result["cluster.nii.gz"] == {"diff": 0, "shape": [48, 48, 48], "dtype": "uint8"}
    print(f"segmentOnCluster(...) {out['seconds']:.1f} s (3 tasks, with scheduling) vs in-process {result['seconds']:.1f} s")
