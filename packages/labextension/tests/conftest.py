"""A real Jupyter server with mdlma_lab enabled, on a free loopback port."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

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
def server(server_root):
    """Yields the server's base URL (with a JupyterHub-style base path, as on the cluster)."""
    port = _free_port()
    root = server_root
    env = dict(os.environ, PATH=f"{REPO / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--ServerApp.token={TOKEN}", "--ServerApp.base_url=/user/test/", f"--ServerApp.root_dir={root}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/user/test/"
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        try:
            if requests.get(base + "api/status", headers={"Authorization": f"token {TOKEN}"}, timeout=2).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError(process.stderr.read().decode())
    yield base
    process.terminate()
    process.wait(timeout=10)
