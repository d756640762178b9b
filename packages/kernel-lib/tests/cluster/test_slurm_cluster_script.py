"""scripts/slurm-cluster.sh: idempotent start and stop, and no daemon left behind."""
import os
import subprocess
from pathlib import Path

import pytest

from slurm_fixture import SCRIPT, unavailable_reason


def test_start_and_stop_are_idempotent_and_leave_no_daemons():
    reason = unavailable_reason()
    if reason:
        pytest.fail(reason)
    # Not under pytest's tmp_path: its folders are private to root, and munged runs as the munge user.
    folder = Path("/tmp/mdlma-slurm-script-test")
    env = dict(os.environ, MDLMA_SLURM_DIR=str(folder), MDLMA_SLURM_PORT="6837", SLURM_CONF=str(folder / "slurm.conf"))
    run = lambda *args: subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60)
    try:
        first = run("start")
        assert first.returncode == 0 and "idle" in first.stdout, first.stderr
        pids = [int((folder / name).read_text()) for name in ("slurmctld.pid", "slurmd.pid", "munge/munged.pid")]
        again = run("start")
        assert again.returncode == 0 and "already running" in again.stdout
        assert [int((folder / name).read_text()) for name in ("slurmctld.pid", "slurmd.pid", "munge/munged.pid")] == pids
        assert run("status").returncode == 0
        conf = (folder / "slurm.conf").read_text()
        for line in ("ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "JobCompType=jobcomp/filetxt",
                     "AccountingStorageType=accounting_storage/none", "(127.0.0.1)"):
            assert line in conf
    finally:
        assert run("stop").returncode == 0
    assert run("stop").returncode == 0
    assert run("status").returncode == 1
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower(), pid


def test_a_folder_munged_cannot_reach_is_refused_clearly(tmp_path: Path):
    reason = unavailable_reason()
    if reason:
        pytest.fail(reason)
    tmp_path.chmod(0o700)
    folder = tmp_path / "cluster"
    env = dict(os.environ, MDLMA_SLURM_DIR=str(folder), MDLMA_SLURM_PORT="6847")
    done = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "munge user cannot reach" in done.stderr
    assert not (folder / "munge" / "munged.pid").exists()
