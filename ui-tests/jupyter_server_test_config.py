"""Jupyter server settings for the galata tests (never for production: no token, no XSRF)."""
import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

# Notebooks must live inside the repository so that @mdlma/kernel and @types/node resolve.
ROOT = Path(__file__).parent / ".jupyter-root"
ROOT.mkdir(exist_ok=True)
os.environ.setdefault("JUPYTERLAB_GALATA_ROOT_DIR", str(ROOT))

configure_jupyter_server(c)  # noqa: F821 (c is the traitlets config)
c.ServerApp.allow_root = True  # noqa: F821 (CI runs as root)
c.ServerApp.port_retries = 0  # noqa: F821
