"""Handlers under /mdlma/api/: Jupyter's authentication and XSRF protection apply to all."""
import json

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from . import __version__
from .cli import MdlmaCliError, run_json


class VersionHandler(APIHandler):
    """GET /mdlma/api/version: versions of the extension and of the kernel library it calls."""

    @tornado.web.authenticated
    async def get(self):
        try:
            kernel_lib = await run_json(["version"])
        except MdlmaCliError as error:
            kernel_lib = {"error": str(error)}
        self.finish(json.dumps({"mdlma_lab": __version__, "kernel_lib": kernel_lib}))


class EchoHandler(APIHandler):
    """POST /mdlma/api/echo: returns the JSON body; a health check that exercises XSRF."""

    @tornado.web.authenticated
    def post(self):
        body = self.get_json_body()
        self.finish(json.dumps({"echo": body}))


def setup_handlers(server_app):
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "mdlma", "api")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "version"), VersionHandler),
            (url_path_join(base, "echo"), EchoHandler),
        ],
    )
