"""MDLMA Lab: prebuilt JupyterLab extension and thin Jupyter server extension."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mdlma_lab")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@mdlma/labextension"}]


def _jupyter_server_extension_points():
    return [{"module": "mdlma_lab"}]


def _link_jupyter_server_extension(server_app):
    """Before any extension loads: let jupyter-server-proxy reach the hosts of spawned apps (app_hosts.py)."""
    from .app_hosts import link_app_hosts

    server_app._mdlma_app_hosts = link_app_hosts(server_app)


def _load_jupyter_server_extension(server_app):
    """Register the /mdlma/api/ handlers."""
    from .handlers import setup_handlers

    server_app.web_app.settings["mdlma_app_hosts"] = getattr(server_app, "_mdlma_app_hosts", None)
    setup_handlers(server_app)
    server_app.log.info("mdlma_lab %s: handlers under /mdlma/api/", __version__)
