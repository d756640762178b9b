"""A real single-node Slurm for tests (scripts/slurm-cluster.sh), and the `mdlma slurm` command.

Shared by the cluster tests of kernel-lib and the server-extension tests of mdlma_lab: the cluster
runs in its own folder and ports, so that a developer's cluster started by hand is left alone.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
SCRIPT = REPO / "scripts" / "slurm-cluster.sh"
KERNEL_LIB = REPO / "packages" / "kernel-lib"
CLI = KERNEL_LIB / "lib" / "cli" / "mdlma.js"
TEST_DIR = Path(os.environ.get("MDLMA_SLURM_TEST_DIR", "/tmp/mdlma-slurm-test"))
TEST_PORT = os.environ.get("MDLMA_SLURM_TEST_PORT", "6827")


def cluster_env() -> dict:
    """Environment of the test cluster's script and clients."""
    return dict(os.environ, MDLMA_SLURM_DIR=str(TEST_DIR), MDLMA_SLURM_PORT=TEST_PORT, SLURM_CONF=str(TEST_DIR / "slurm.conf"))


def root_or_sudo() -> bool:
    """True as root, or for a user whom sudo lets in without a password (slurm-cluster.sh then runs through it)."""
    if os.geteuid() == 0:
        return True
    return shutil.which("sudo") is not None and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0


def unavailable_reason() -> str | None:
    """Why a real Slurm cannot run here, or None; the tests then fail with it (a missing cluster is no pass)."""
    if not root_or_sudo():
        return "the single-node Slurm of the tests needs root or passwordless sudo (its daemons run as root)"
    missing = [c for c in ("munged", "slurmctld", "slurmd", "sbatch") if not shutil.which(c)]
    if missing:
        return f"Slurm is not installed ({', '.join(missing)}): apt-get install -y munge slurmctld slurmd slurm-client"
    if not CLI.exists():
        return "kernel-lib is not built (cd packages/kernel-lib && npx tsc -b)"
    return None


def start_cluster() -> dict:
    """Starts the test cluster (wiping earlier state) and returns the clients' environment."""
    env = cluster_env()
    subprocess.run(["bash", str(SCRIPT), "stop"], env=env, check=True, capture_output=True, timeout=60)
    done = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=90)
    if done.returncode != 0:
        raise RuntimeError(f"slurm-cluster.sh start failed:\n{done.stdout}\n{done.stderr}")
    return env


def stop_cluster() -> None:
    """Stops the test cluster; asserts no daemon of it is left."""
    subprocess.run(["bash", str(SCRIPT), "stop"], env=cluster_env(), check=True, capture_output=True, timeout=60)


def mdlma_command() -> list:
    """How to run `mdlma` (its `slurm` command): the built CLI with this node."""
    return ["node", str(CLI)]


def write_cli_wrapper(folder: Path) -> Path:
    """An executable that runs `mdlma` as mdlma_command() does (for MDLMA_CLI of the server extension)."""
    wrapper = folder / "mdlma"
    command = " ".join(f"'{part}'" for part in mdlma_command())
    wrapper.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def dead_controller_conf(folder: Path) -> Path:
    """A copy of the test cluster's slurm.conf whose controller port nobody listens on (controller down), with
    Slurm's default MessageTimeout (10 s), over which squeue and sbatch retry: the client must not wait for it."""
    text = (TEST_DIR / "slurm.conf").read_text()
    lines = [
        "SlurmctldPort=6899" if line.startswith("SlurmctldPort=") else line
        for line in text.splitlines()
    ]
    conf = folder / "slurm-down.conf"
    conf.write_text("\n".join(lines) + "\n")
    return conf


def planted_sbatch(folder: Path) -> tuple:
    """A folder holding a fake `sbatch` that leaves a marker file when run: (the folder, the marker)."""
    planted = folder / "planted"
    planted.mkdir()
    marker = folder / "planted-sbatch-ran"
    (planted / "sbatch").write_text(f"#!/bin/sh\ntouch {marker}\necho 4242\n")
    (planted / "sbatch").chmod(0o755)
    return planted, marker


def saved_job_environment(job_id: str) -> str:
    """The environment slurmctld saved for job `job_id` (StateSaveLocation/hash.<n>/job.<id>/environment: NUL-separated),
    read as root or through sudo -n (the state folder is root's)."""
    files = list((TEST_DIR / "state").glob(f"hash.*/job.{job_id}/environment"))
    assert files, f"slurmctld saved no environment for job {job_id} under {TEST_DIR / 'state'}"
    if os.geteuid() == 0:
        data = files[0].read_bytes()
    else:
        data = subprocess.run(["sudo", "-n", "cat", str(files[0])], capture_output=True, check=True).stdout
    return data.decode(errors="replace")


class Mdlma:
    """Runs `mdlma slurm ... --json` against the test cluster."""

    def __init__(self, env: dict, cwd: Path):
        self.env, self.cwd, self.command = env, cwd, mdlma_command()

    def run(self, *args: str, env: dict | None = None, timeout: float = 60):
        """(exit code, parsed JSON stdout or None, stderr)."""
        done = subprocess.run(
            [*self.command, "slurm", *args, "--json"], cwd=self.cwd, env=env or self.env,
            capture_output=True, text=True, timeout=timeout,
        )
        try:
            out = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None
        except json.JSONDecodeError:
            out = None
        return done.returncode, out, done.stderr

    def ok(self, *args: str, **kwargs):
        code, out, err = self.run(*args, **kwargs)
        assert code == 0, f"mdlma slurm {' '.join(args)} exited {code}: {err}"
        return out


@pytest.fixture(scope="session")
def slurm_env():
    """The environment of a running single-node Slurm (started for the session, stopped after)."""
    reason = unavailable_reason()
    if reason:
        pytest.fail(reason)
    env = start_cluster()
    yield env
    stop_cluster()
