"""Handlers under /mdlma/api/: Jupyter's authentication and XSRF protection apply to all."""
import asyncio
import contextlib
import json
import os
import re

import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler, AuthenticatedFileHandler
from jupyter_server.utils import url_path_join
from tornado.iostream import StreamClosedError

from . import __version__
from .cli import MdlmaCliError, run_json
from .slurm_handlers import slurm_routes
from .viewer_box import BoxError, BoxReader, LayerFileError, parse_box


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
        try:
            body = self.get_json_body()
        except UnicodeDecodeError as error:
            raise tornado.web.HTTPError(400, f"the request body is not UTF-8 ({error.reason} at byte {error.start})") from error
        self.finish(json.dumps({"echo": body}))


class BoxReadLine:
    """At most `running` box reads at once and `waiting` more in line; beyond that `turn()` raises Busy (HTTP 503).

    A line rather than a refusal as soon as `running` are busy: the viewer asks for a box of every
    layer at once (widgets' viewer/volume-sources.ts loadBox), so a few requests beyond `running` are normal and
    wait their turn. A bounded line: a flood costs a 503 each, not a queue that grows. `running`
    bounds the disk reads and the threads they take from the server's executor (one
    viewer_box.CHUNK_BYTES buffer each), so that Jupyter's own file operations keep their threads.
    """

    class Busy(Exception):
        """The line is full."""

    def __init__(self, running=2, waiting=16):
        self._slots = asyncio.Semaphore(running)
        self._admitted = 0
        self._limit = running + waiting

    @contextlib.asynccontextmanager
    async def turn(self):
        """Waits for a slot (in line), holds it for the block."""
        if self._admitted >= self._limit:
            raise BoxReadLine.Busy(f"{self._limit} box reads are running or waiting; try again in a moment")
        self._admitted += 1
        try:
            async with self._slots:
                yield
        finally:
            self._admitted -= 1


class ViewerCacheHandler(AuthenticatedFileHandler):
    """GET /mdlma/api/viewer-cache/<path>: a volume viewer layer, `<folder>/.mdlma/cache/<hash>.nii`.

    The kernel writes layers into the hidden `.mdlma/cache/` folder next to the notebook; Jupyter's
    files API refuses hidden paths unless ContentsManager.allow_hidden is set, so this serves
    exactly those files (and nothing else hidden), with the same authentication.

    `?box=z0,z1,y0,y1,x0,x1` answers a NIfTI of that box instead (viewer_box.py): the viewer's
    full-resolution detail of a layer too big for the browser, read without loading the file.
    Refusals: 400 for a malformed, outside or too big box; 422 for a file that is not a layer as
    the cache writes it; 503 with Retry-After when the line of box reads (BoxReadLine) is full.
    """

    CACHE_FILE = re.compile(r"(?:[^/]+/)*\.mdlma/cache/[0-9a-f]{16,64}\.nii(?:\.gz)?")

    # Errors are JSON with a message, as on the other /mdlma/api/ routes (Jupyter's file handlers answer HTML).
    write_error = APIHandler.write_error

    def initialize(self, path, box_reads):
        super().initialize(path)
        self.box_reads = box_reads
        self.client_gone = False

    def on_connection_close(self):
        self.client_gone = True  # a box request still in line is then dropped when its turn comes
        super().on_connection_close()

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
        if "\0" in path:  # the file system's calls refuse it with ValueError
            raise tornado.web.HTTPError(400, "the path holds a NUL byte")
        text = self.get_argument("box", None)
        if text is None:
            return await super().get(path, include_body=include_body)
        self.check_xsrf_cookie()
        self.path = self.parse_url_path(path)
        absolute = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, self.path))
        try:
            box = parse_box(text)
            async with self.box_reads.turn():
                if not self.client_gone:
                    await self._send_box(absolute, box, include_body)
        except BoxError as error:
            raise tornado.web.HTTPError(400, str(error)) from error
        except LayerFileError as error:
            raise tornado.web.HTTPError(422, f"{self.path}: {error}") from error
        except BoxReadLine.Busy as busy:
            self.set_status(503)
            self.set_header("Retry-After", "1")
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": str(busy), "reason": "busy"}))

    async def _send_box(self, absolute, box, include_body):
        """Streams the box chunk by chunk: the server holds one chunk of it, not the box."""
        loop = tornado.ioloop.IOLoop.current()
        try:
            reader = await loop.run_in_executor(None, BoxReader, absolute, box)
        except OSError as error:
            raise tornado.web.HTTPError(403, f"{self.path} cannot be read ({error.strerror})") from error
        with reader:
            self.set_header("Content-Type", "application/octet-stream")
            self.set_header("Cache-Control", "no-cache")
            self.set_header("Content-Length", reader.size)
            if not include_body:
                return
            self.write(reader.header)
            chunks = reader.chunks()
            try:
                while (chunk := await loop.run_in_executor(None, next, chunks, None)) is not None:
                    self.write(chunk)
                    await self.flush()
            except StreamClosedError:
                return  # the viewer went away (a newer box, a closed tab): nobody to answer


def api_routes(base, root_dir):
    """The routes under `base` (<base_url>/mdlma/api): this module's and the Slurm API's."""
    return [
        (url_path_join(base, "version"), VersionHandler),
        (url_path_join(base, "echo"), EchoHandler),
        (url_path_join(base, "viewer-cache", "(.*)"), ViewerCacheHandler, {"path": root_dir, "box_reads": BoxReadLine()}),
        *slurm_routes(base),
    ]


def setup_handlers(server_app):
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "mdlma", "api")
    web_app.add_handlers(".*$", api_routes(base, server_app.contents_manager.root_dir))
