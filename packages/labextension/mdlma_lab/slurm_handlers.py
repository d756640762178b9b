"""Handlers under /mdlma/api/slurm/: the job panel's API.

GET jobs, jobs/<id>, jobs/<id>/log, jobs/<id>/app, templates, templates/<name>;
POST submit, render (preview), jobs/<id>/cancel|hold|release.

They hold no Slurm logic: each calls `mdlma slurm ... --json` (kernel-lib's cluster module) through
`run_json` and returns its JSON. The CLI's typed errors become HTTP status codes with its message:
SlurmUnavailableError 503, refused submissions and bad parameters 400, unknown jobs 404.
Where the Slurm commands live comes from the server's environment (MDLMA_SLURM_BIN, SLURM_CONF).
"""
import json
import os

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

# Job options the composer may set; each goes to the CLI as one `--key=value` word.
JOB_OPTIONS = ("name", "partition", "cpus", "mem", "time", "gres", "array", "dependency", "output", "error")


class SlurmHandler(APIHandler):
    """Base: runs `mdlma slurm <args> --json` and answers with its JSON or its error."""

    async def slurm(self, *args: str, timeout: float = 60):
        try:
            result = await run_json(["slurm", *args], timeout=timeout)
        except MdlmaCliError as error:
            status, body = _error_body(error)
            self.set_status(status)
            self.finish(json.dumps(body))
            return
        self.finish(json.dumps(result))

    def body(self) -> dict:
        try:
            body = self.get_json_body() or {}
        except tornado.web.HTTPError:
            raise tornado.web.HTTPError(400, "the request body is not JSON")
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(400, "the request body must be a JSON object")
        return body


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
        if not lines.isdigit():
            raise tornado.web.HTTPError(400, "lines must be a whole number")
        stream = ["--stderr"] if self.get_argument("stream", "stdout") == "stderr" else []
        await self.slurm("logs", job_id, f"--lines={lines}", *stream)


class JobActionHandler(SlurmHandler):
    """POST /mdlma/api/slurm/jobs/<id>/<cancel|hold|release>."""

    @tornado.web.authenticated
    async def post(self, job_id, action):
        await self.slurm(action, job_id)


class JobAppHandler(SlurmHandler):
    """GET /mdlma/api/slurm/jobs/<id>/app: host, port, token and URL of an app job ({"app": null} while it starts),
    with `proxyAllowed`: whether this server's jupyter-server-proxy may reach the app's host (app_hosts.py)."""

    @tornado.web.authenticated
    async def get(self, job_id):
        try:
            result = await run_json(["slurm", "app", job_id, "--no-wait"])
        except MdlmaCliError as error:
            status, body = _error_body(error)
            self.set_status(status)
            self.finish(json.dumps(body))
            return
        hosts = self.settings.get("mdlma_app_hosts")
        app = result.get("app")
        if app and hosts is not None:
            await hosts.refresh_nodes()
            app["proxyAllowed"] = hosts.allows(app["host"])
        self.finish(json.dumps(result))


class TemplatesHandler(SlurmHandler):
    """GET /mdlma/api/slurm/templates[/<name>]: the job templates (one with its script)."""

    @tornado.web.authenticated
    async def get(self, name=None):
        await self.slurm("templates", *([name] if name else []))


class SubmitHandler(SlurmHandler):
    """POST /mdlma/api/slurm/submit {template, params, job: {name, cpus, ...}, workdir, env, hold, origin}.

    Without a template, `script` is submitted through the `custom` template. The job runs in
    `workdir`, relative to the server's root folder (default: the root). `origin` ({template, params,
    edited}) is what `show` reports the job was made from, when that is not the template submitted
    (the panel's edited preview goes as a custom script).
    """

    @tornado.web.authenticated
    async def post(self):
        await self.slurm("submit", *self.arguments(self.body()))

    def arguments(self, body: dict) -> list:
        template = body.get("template") or "custom"
        params = dict(body.get("params") or {})
        if "script" in body:
            params["script"] = body["script"]
        job = body.get("job") or {}
        if not isinstance(params, dict) or not isinstance(job, dict):
            raise tornado.web.HTTPError(400, "params and job must be JSON objects")
        args = [f"--template={template}", f"--params-json={json.dumps(params)}"]
        for key in JOB_OPTIONS:
            if job.get(key) not in (None, ""):
                args.append(f"--{key}={job[key]}")
        args.append(f"--workdir={self.workdir(body.get('workdir') or '')}")
        for name, value in (body.get("env") or {}).items():
            args.append(f"--env={name}={value}")
        if body.get("hold"):
            args.append("--hold")
        origin = body.get("origin")
        if origin is not None:
            if not isinstance(origin, dict):
                raise tornado.web.HTTPError(400, "origin must be a JSON object")
            args.append(f"--origin-json={json.dumps(origin)}")
        return args

    def workdir(self, relative: str) -> str:
        root = os.path.abspath(self.settings["server_root_dir"])
        if relative.startswith("/") or ".." in relative.split("/") or "\n" in relative or "\0" in relative:
            raise tornado.web.HTTPError(400, f"workdir {relative!r} must be a folder inside the server's root, without '..'")
        return os.path.join(root, relative) if relative else root


class RenderHandler(SubmitHandler):
    """POST /mdlma/api/slurm/render (same body as submit): the exact script and options, nothing submitted."""

    @tornado.web.authenticated
    async def post(self):
        await self.slurm("render", *self.arguments(self.body()))


def _error_body(error: MdlmaCliError):
    """The HTTP status and body for a failed CLI call: its JSON error report when it printed one."""
    report = None
    for line in reversed(str(error).splitlines()):
        try:
            report = json.loads(line).get("error")
            break
        except (ValueError, AttributeError):
            continue
    if not isinstance(report, dict):
        return error.status, {"error": {"type": "MdlmaCliError", "message": str(error)}}
    status = STATUS.get(report.get("type"), 500)
    if report.get("type") == "SlurmCommandError" and "no job" in report.get("schedulerMessage", ""):
        status = 404
    return status, {"error": report}


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
