"""Handlers under /mdlma/api/slurm/: the job panel's API.

GET jobs, jobs/<id>, jobs/<id>/log, jobs/<id>/app, templates, templates/<name>;
POST submit, render (preview), jobs/<id>/cancel|hold|release.

They hold no Slurm logic: each calls `mdlma slurm ... --json` (kernel-lib's cluster module) through
`run_json` and returns its JSON. The CLI's typed errors become HTTP status codes with its message:
SlurmUnavailableError 503, refused submissions and bad parameters 400, unknown jobs 404; an error the CLI
does not type is a 502 (the program behind this server failed), never a 500. A request of the wrong shape
(a field of the wrong JSON type, a `lines` that is not digits) is a 400 `RequestError` naming the field; a
submission body over 4 MiB is a 413. Submissions reach the CLI as a request file (`--request-file`), never
on its command line: a script may be up to 1 MiB (kernel-lib's MAX_SCRIPT_BYTES), past Linux's 128 KiB per
argument, and the job's variables stay out of `ps`. Where the Slurm commands live comes from the server's
environment (MDLMA_SLURM_BIN, SLURM_CONF); the server's own environment never reaches a job (kernel-lib's
cluster/environment.ts).
"""
import json
import os
import re
import tempfile

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from .cli import MdlmaCliError, run_json

JOB_ID = r"(\d+(?:_\d+)?)"

# Status codes of the CLI's error types (class names from kernel-lib's errors.ts).
STATUS = {
    "SlurmUnavailableError": 503,
    "SlurmSubmitError": 400,
    "SlurmTemplateError": 400,
    "SlurmCommandError": 400,
    "SlurmJobError": 409,
    "UsageError": 400,
}

# Job options the composer may set (other keys of `job`, such as the `workdir` a preview reports, are ignored).
JOB_OPTIONS = ("name", "partition", "cpus", "mem", "time", "gres", "array", "dependency", "output", "error")

# A script may have 1 MiB (kernel-lib's MAX_SCRIPT_BYTES); JSON escaping of its quotes and newlines can double that.
MAX_SUBMIT_BYTES = 4 * 1024 * 1024

# What the CLI's findTemplate accepts, bounded so that a name stays a short command-line word.
TEMPLATE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

# `lines` of a log tail: ASCII digits only (str.isdigit and int() also take "٣" and "²"); the CLI bounds the value.
LINES = re.compile(r"[0-9]{1,6}")


class RequestError(tornado.web.HTTPError):
    """A request of the wrong shape: answered as {"error": {"type": "RequestError", "field", "message"}}."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(status, f"{field}: {message}")
        self.field, self.message = field, f"{field} {message}"


class SlurmHandler(APIHandler):
    """Base: runs `mdlma slurm <args> --json` and answers with its JSON or its error."""

    async def slurm(self, *args: str, timeout: float = 60):
        result = await self.run(*args, timeout=timeout)
        if result is not None:
            self.finish(json.dumps(result))

    async def run(self, *args: str, timeout: float = 60, statuses: dict | None = None):
        """The CLI's JSON, or None once its error has been answered (`statuses` overrides STATUS)."""
        try:
            return await run_json(["slurm", *args], timeout=timeout)
        except MdlmaCliError as error:
            status, body = _error_body(error, statuses or {})
        except OSError as error:  # the mdlma command could not be started (MDLMA_CLI names no program)
            status, body = 503, {"error": {"type": "MdlmaCliError", "message": f"the mdlma command could not be started: {error}"}}
        self.set_status(status)
        self.finish(json.dumps(body))
        return None

    def body(self) -> dict:
        if len(self.request.body or b"") > MAX_SUBMIT_BYTES:
            raise RequestError("body", f"is {len(self.request.body) / 2**20:.1f} MiB; a submission may have at most 4 MiB "
                               "(a script at most 1 MiB)", status=413)
        try:
            body = self.get_json_body() or {}
        except (tornado.web.HTTPError, UnicodeDecodeError):  # get_json_body decodes UTF-8 before it parses
            raise RequestError("body", "is not JSON in UTF-8")
        if not isinstance(body, dict):
            raise RequestError("body", "must be a JSON object")
        return body

    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, RequestError):
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"error": {"type": "RequestError", "field": error.field, "message": error.message}}))
            return
        super().write_error(status_code, **kwargs)


class JobsHandler(SlurmHandler):
    """GET /mdlma/api/slurm/jobs[?all=1]: the user's (or all) jobs, queued, running and finished."""

    @tornado.web.authenticated
    async def get(self):
        await self.slurm("list", *(["--all"] if self.get_argument("all", "") in ("1", "true") else []))


class JobHandler(SlurmHandler):
    """GET /mdlma/api/slurm/jobs/<id>: one job (an array job with its tasks)."""

    @tornado.web.authenticated
    async def get(self, job_id):
        await self.slurm("show", job_id)


class JobLogHandler(SlurmHandler):
    """GET /mdlma/api/slurm/jobs/<id>/log[?stream=stderr&lines=100]: the end of the job's output."""

    @tornado.web.authenticated
    async def get(self, job_id):
        lines = self.get_argument("lines", "100")
        if not LINES.fullmatch(lines):
            raise RequestError("lines", "must be a whole number from 0 to 100000, written with the digits 0-9")
        stream = self.get_argument("stream", "stdout")
        if stream not in ("stdout", "stderr"):
            raise RequestError("stream", "must be stdout or stderr")
        await self.slurm("logs", job_id, f"--lines={lines}", *(["--stderr"] if stream == "stderr" else []))


class JobActionHandler(SlurmHandler):
    """POST /mdlma/api/slurm/jobs/<id>/<cancel|hold|release>."""

    @tornado.web.authenticated
    async def post(self, job_id, action):
        await self.slurm(action, job_id)


class JobAppHandler(SlurmHandler):
    """GET /mdlma/api/slurm/jobs/<id>/app: host, port, token and URL of an app job ({"app": null} while it starts),
    with `proxyAllowed`: whether this server's jupyter-server-proxy may reach the app's host (app_hosts.py).
    A connection file the job wrote that is not usable (not JSON, a host that is no string) is a 502 naming it:
    the app behind the job answered badly, the request was fine."""

    @tornado.web.authenticated
    async def get(self, job_id):
        result = await self.run("app", job_id, "--no-wait", statuses={"SlurmCommandError": 502})
        if result is None:
            return
        hosts = self.settings.get("mdlma_app_hosts")
        app = result.get("app")
        if app and hosts is not None:
            await hosts.refresh_nodes()
            app["proxyAllowed"] = hosts.allows(app.get("host"))
        self.finish(json.dumps(result))


class TemplatesHandler(SlurmHandler):
    """GET /mdlma/api/slurm/templates[/<name>]: the job templates (one with its script)."""

    @tornado.web.authenticated
    async def get(self, name=None):
        await self.slurm("templates", *([name] if name else []))


class SubmitHandler(SlurmHandler):
    """POST /mdlma/api/slurm/submit {template, params, job: {name, cpus, ...}, workdir, env, hold, origin}.

    Without a template, `script` is submitted through the `custom` template. The job runs in
    `workdir`, relative to the server's root folder (default: the root). `env` holds the job's own
    variables (names such as PATH, LD_*, SLURM_* or tokens are refused by the CLI). `origin` ({template,
    params, edited}) is what `show` reports the job was made from, when that is not the template submitted
    (the panel's edited preview goes as a custom script).
    """

    command = "submit"

    @tornado.web.authenticated
    async def post(self):
        request = self.request_file(self.body())
        fd, path = tempfile.mkstemp(prefix="mdlma-slurm-request-", suffix=".json")  # mode 0600: env values may be secrets
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(request, file)
            await self.slurm(self.command, f"--request-file={path}")
        finally:
            os.unlink(path)

    def request_file(self, body: dict) -> dict:
        """The CLI's request file for `body` (kernel-lib's cli/slurm-input.ts), each field's JSON type checked."""
        template = _optional(body, "template", str) or "custom"
        if not TEMPLATE_NAME.fullmatch(template):
            raise RequestError("template", "must be a template name (letters, digits and . _ -)")
        params = dict(_optional(body, "params", dict) or {})
        if "script" in body:
            params["script"] = _optional(body, "script", str)
        job = _optional(body, "job", dict) or {}
        options = {}
        for key in JOB_OPTIONS:
            value = job.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise RequestError(f"job.{key}", f"must be a string or a number, not {_json_type(value)}")
            options[key] = value
        env = _optional(body, "env", dict) or {}
        for name, value in env.items():
            if not isinstance(value, str):
                raise RequestError(f"env.{name[:100]}", f"must be a string, not {_json_type(value)}")
        request = {
            "template": template,
            "params": params,
            "job": options,
            "workdir": self.workdir(_optional(body, "workdir", str) or ""),
            "env": env,
            "hold": bool(_optional(body, "hold", bool)),
        }
        origin = _optional(body, "origin", dict)
        if origin is not None:
            request["origin"] = origin
        return request

    def workdir(self, relative: str) -> str:
        root = os.path.abspath(self.settings["server_root_dir"])
        if relative.startswith("/") or ".." in relative.split("/") or "\n" in relative or "\0" in relative:
            raise RequestError("workdir", f"{relative[:200]!r} must be a folder inside the server's root, without '..'")
        return os.path.join(root, relative) if relative else root


class RenderHandler(SubmitHandler):
    """POST /mdlma/api/slurm/render (same body as submit): the exact script and options, checked as submit checks
    them (a preview refuses what a submission would refuse); nothing submitted."""

    command = "render"


def _optional(body: dict, field: str, kind: type):
    """body[field] when it is of JSON type `kind` (None when absent or null); a RequestError naming it otherwise."""
    value = body.get(field)
    if value is None or isinstance(value, kind):
        return value
    names = {str: "a string", dict: "a JSON object", bool: "true or false"}
    raise RequestError(field, f"must be {names[kind]}, not {_json_type(value)}")


def _json_type(value) -> str:
    """A JSON value's type, for messages."""
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (str, "a string"), (int, "a number"), (float, "a number"),
                       (list, "an array"), (dict, "an object")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _error_body(error: MdlmaCliError, statuses: dict):
    """The HTTP status and body for a failed CLI call: its JSON error report when it printed one. An error type
    the CLI does not map (a crash of the program) is a 502: this server's upstream failed."""
    report = None
    for line in reversed(str(error).splitlines()):
        try:
            report = json.loads(line).get("error")
            break
        except (ValueError, AttributeError):
            continue
    if not isinstance(report, dict):
        return error.status, {"error": {"type": "MdlmaCliError", "message": str(error)}}
    kind = report.get("type")
    if kind == "SlurmCommandError" and "no job" in str(report.get("schedulerMessage", "")):
        return 404, {"error": report}
    return statuses.get(kind, STATUS.get(kind, 502)), {"error": report}


def slurm_routes(base: str) -> list:
    """The routes of the Slurm API under `base` (/<base_url>/mdlma/api)."""
    slurm = url_path_join(base, "slurm")
    return [
        (url_path_join(slurm, "jobs"), JobsHandler),
        (url_path_join(slurm, "jobs", JOB_ID), JobHandler),
        (url_path_join(slurm, "jobs", JOB_ID, "log"), JobLogHandler),
        (url_path_join(slurm, "jobs", JOB_ID, "app"), JobAppHandler),
        (url_path_join(slurm, "jobs", JOB_ID, "(cancel|hold|release)"), JobActionHandler),
        (url_path_join(slurm, "templates"), TemplatesHandler),
        (url_path_join(slurm, "templates", r"([A-Za-z0-9._-]+)"), TemplatesHandler),
        (url_path_join(slurm, "submit"), SubmitHandler),
        (url_path_join(slurm, "render"), RenderHandler),
    ]
