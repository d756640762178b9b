"""Handlers under /mdlma/api/: Jupyter's authentication and XSRF protection apply to all."""
import json
import os
import re

import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler, AuthenticatedFileHandler
from jupyter_server.utils import url_path_join

from . import __version__
from .cli import MdlmaCliError, run_json
from .slurm_handlers import slurm_routes
from .viewer_box import BoxError, parse_box, read_box


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


class ViewerCacheHandler(AuthenticatedFileHandler):
    """GET /mdlma/api/viewer-cache/<path>: a volume viewer layer, `<folder>/.mdlma/cache/<hash>.nii`.

    The kernel writes layers into the hidden `.mdlma/cache/` folder next to the notebook; Jupyter's
    files API refuses hidden paths unless ContentsManager.allow_hidden is set, so this serves
    exactly those files (and nothing else hidden), with the same authentication.

    `?box=z0,z1,y0,y1,x0,x1` answers a NIfTI of that box instead (viewer_box.py): the viewer's
    full-resolution detail of a layer too big for the browser, read without loading the file.
    """

    CACHE_FILE = re.compile(r"(?:[^/]+/)*\.mdlma/cache/[0-9a-f]{16,64}\.nii(?:\.gz)?")

    def validate_absolute_path(self, root, absolute_path):
        abs_path = tornado.web.StaticFileHandler.validate_absolute_path(self, root, absolute_path)
        relative = os.path.relpath(abs_path, os.path.abspath(root)).replace(os.sep, "/")
        if not self.CACHE_FILE.fullmatch(relative):
            raise tornado.web.HTTPError(404)
        folders = relative.split("/")[:-3]  # the notebook's folders above .mdlma/cache
        if not self.contents_manager.allow_hidden and any(f.startswith(".") for f in folders):
            raise tornado.web.HTTPError(404)
        return abs_path

    @tornado.web.authenticated
    @authorized
    async def get(self, path, include_body=True):
        box = self.get_argument("box", None)
        if box is None:
            return await super().get(path, include_body=include_body)
        self.check_xsrf_cookie()
        self.path = self.parse_url_path(path)
        absolute = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, self.path))
        try:
            body = await tornado.ioloop.IOLoop.current().run_in_executor(None, read_box, absolute, parse_box(box))
        except BoxError as error:
            raise tornado.web.HTTPError(400, str(error)) from error
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Cache-Control", "no-cache")
        self.finish(body)


def setup_handlers(server_app):
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "mdlma", "api")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "version"), VersionHandler),
            (url_path_join(base, "echo"), EchoHandler),
            (
                url_path_join(base, "viewer-cache", "(.*)"),
                ViewerCacheHandler,
                {"path": server_app.contents_manager.root_dir},
            ),
        ],
    )
    web_app.add_handlers(".*$", slurm_routes(base))
