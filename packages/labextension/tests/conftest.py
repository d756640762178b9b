"""A real Jupyter server with mdlma_lab enabled, on a free loopback port."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

REPO = Path(__file__).resolve().parents[3]
TOKEN = "mdlma-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_root(tmp_path_factory):
    """The server's root folder (what notebooks and files API paths are relative to)."""
    return tmp_path_factory.mktemp("server-root")


@pytest.fixture(scope="session")
def server(server_root, tmp_path_factory):
    """Yields the server's base URL (with a JupyterHub-style base path, as on the cluster)."""
    env = dict(os.environ, PATH=f"{REPO / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}")
    running = start_jupyter_server(server_root, env, tmp_path_factory.mktemp("server-log") / "server.log")
    yield running.base
    stop_jupyter_server(running)


class RunningServer(NamedTuple):
    """A Jupyter server started by a test: its base URL, process, root folder and log file."""

    base: str
    process: subprocess.Popen
    root: Path
    log: Path


def start_jupyter_server(root: Path, env: dict, log: Path) -> RunningServer:
    """A Jupyter server with mdlma_lab on a free loopback port, answering once this returns.

    Its log goes to a file, not a pipe: a pipe nobody reads stalls a server that logs a lot.
    """
    port = _free_port()
    # This tree's mdlma_lab, not the copy pip put into .venv (setup.sh renews that only when it runs).
    env = dict(env, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "packages" / "labextension"), env.get("PYTHONPATH")])))
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                f"--ServerApp.token={TOKEN}", "--ServerApp.base_url=/user/test/", f"--ServerApp.root_dir={root}",
                "--ServerApp.jpserver_extensions={'mdlma_lab': True}",
                *(["--allow-root"] if os.geteuid() == 0 else []),
            ],
            env=env, stdout=subprocess.DEVNULL, stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}/user/test/"
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        try:
            if requests.get(base + "api/status", headers={"Authorization": f"token {TOKEN}"}, timeout=2).ok:
                return RunningServer(base, process, root, log)
        except requests.ConnectionError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(log.read_text(errors="replace"))


def stop_jupyter_server(running: RunningServer) -> None:
    running.process.terminate()
    running.process.wait(timeout=10)


@pytest.fixture(scope="session")
def isolated_server(tmp_path_factory):
    """A server of its own, for tests that measure it or send it hostile requests. No Slurm is reachable from
    it (MDLMA_SLURM_BIN is an empty folder): the Slurm routes answer 503 and nothing can be submitted."""
    folder = tmp_path_factory.mktemp("isolated-server")
    (folder / "no-slurm-bin").mkdir()
    (folder / "root").mkdir()
    env = dict(
        os.environ,
        PATH=f"{REPO / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        MDLMA_SLURM_BIN=str(folder / "no-slurm-bin"),
    )
    env.pop("SLURM_CONF", None)
    running = start_jupyter_server(folder / "root", env, folder / "server.log")
    yield running
    stop_jupyter_server(running)
