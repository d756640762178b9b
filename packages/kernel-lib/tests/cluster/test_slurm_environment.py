"""What a job gets of the submitter's environment, and what steers sbatch: on the real single-node Slurm.

The submitting process (in production the Jupyter server) holds tokens; sbatch and the other Slurm commands run with
a fixed environment, and a job gets Slurm's variables, the login environment, a few named variables and the
request's own. Variables that steer Slurm or hold secrets are refused in a request.
"""
import json
import time
from pathlib import Path

from slurm_fixture import Mdlma, planted_sbatch, saved_job_environment

SECRETS = {"SCICAT_TOKEN": "scicat-secret-4711", "JUPYTERHUB_API_TOKEN": "hub-secret-4712", "JPY_SESSION_NAME": "jpy-secret-4713"}


def job_variables(text: str) -> dict:
    """`env` output (or a NUL-separated saved environment) as a dict."""
    pairs = (line.split("=", 1) for line in text.replace("\0", "\n").splitlines() if "=" in line)
    return {name: value for name, value in pairs}


def test_secrets_of_the_submitting_process_never_reach_the_job(mdlma: Mdlma, tmp_path: Path):
    env = dict(mdlma.env, **SECRETS, MDLMA_MODELS="/opt/models", SBATCH_OUTPUT=str(tmp_path / "elsewhere-%j.out"))
    script = tmp_path / "env.sh"
    script.write_text("#!/bin/bash\nenv\n")
    submitted = mdlma.ok("submit", str(script), "--hold", "--env", "MESSAGE=a, b", "--env", "MULTILINE=one\ntwo", env=env)
    job_id = submitted["jobId"]
    assert not any(value in " ".join(submitted["args"]) for value in ("a, b", *SECRETS.values())), "values stay out of argv"

    saved = saved_job_environment(job_id)  # what slurmctld keeps for the job (held: not run yet)
    assert not [name for name, value in SECRETS.items() if value in saved], saved
    assert job_variables(saved)["MESSAGE"] == "a, b"

    mdlma.ok("release", job_id)
    assert mdlma.ok("wait", job_id, "--timeout", "60")["job"]["state"] == "COMPLETED"
    output = (tmp_path / f"slurm-{job_id}.out").read_text()  # sbatch's default: the submitter's SBATCH_OUTPUT had no say
    variables = job_variables(output)
    assert not [name for name, value in SECRETS.items() if value in output], output
    assert not any(name.startswith(("SCICAT_", "JUPYTERHUB_", "JPY_")) for name in variables)
    # What the job does get: the request's variables whole, MDLMA_MODELS, SLURM_CONF, the login PATH and HOME.
    assert variables["MESSAGE"] == "a, b" and "MULTILINE=one\ntwo\n" in output
    assert variables["MDLMA_MODELS"] == "/opt/models" and variables["SLURM_CONF"] == env["SLURM_CONF"]
    assert "/usr/bin" in variables["PATH"].split(":") and variables["HOME"]
    assert not list(tmp_path.glob("elsewhere-*"))


def test_variables_that_steer_slurm_or_hold_secrets_are_refused(mdlma: Mdlma, tmp_path: Path):
    planted, marker = planted_sbatch(tmp_path)
    script = tmp_path / "true.sh"
    script.write_text("#!/bin/bash\ntrue\n")
    before = {job["id"] for job in mdlma.ok("list")["jobs"]}
    env = dict(mdlma.env, MDLMA_SLURM_DENY_ENV="SITE_*")
    for variable in (f"PATH={planted}:/usr/bin:/bin", "LD_PRELOAD=/tmp/evil.so", f"SBATCH_OUTPUT={tmp_path}/x-%j.out",
                     "SLURM_JOB_NAME=x", "SCICAT_TOKEN=x", "JUPYTERHUB_API_TOKEN=x", "JPY_SESSION_NAME=x", "SITE_KEY=x"):
        name = variable.split("=")[0]
        code, out, _ = mdlma.run("submit", str(script), "--env", variable, env=env)
        assert code == 2 and out["error"]["type"] == "SlurmSubmitError", out
        assert f'"{name}" is not allowed' in out["error"]["message"]
        code, out, _ = mdlma.run("render", "--template", "custom", "--param", "script=#!/bin/bash", "--env", variable, env=env)
        assert code == 2 and out["error"]["type"] == "SlurmSubmitError", "render refuses what submit refuses"
    assert not marker.exists() and not list(tmp_path.glob("x-*"))
    assert {job["id"] for job in mdlma.ok("list")["jobs"]} == before, "nothing was submitted"


def test_a_script_past_the_argument_limit_goes_through_a_request_file(mdlma: Mdlma, tmp_path: Path):
    script = "#!/bin/bash\n" + "# padding\n" * 20_000 + 'echo "done: $MESSAGE"\n'  # 195 KiB > MAX_ARG_STRLEN (128 KiB)
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"template": "custom", "params": {"script": script},
                                   "job": {"name": "big", "output": "big-%j.out"}, "env": {"MESSAGE": "a, b"}}))
    job_id = mdlma.ok("submit", "--request-file", str(request))["jobId"]
    assert mdlma.ok("wait", job_id, "--timeout", "60")["job"]["name"] == "big"
    assert (tmp_path / f"big-{job_id}.out").read_text() == "done: a, b\n"
    code, out, _ = mdlma.run("render", "--request-file", str(request), "--cpus", "abc")
    assert code == 2 and "cpus must be a whole number" in out["error"]["message"], "render checks as submit does"
    request.write_text(json.dumps({"template": "custom", "params": {"script": "#!/bin/bash\ntrue\n"}, "env": ["A=1"]}))
    code, out, _ = mdlma.run("submit", "--request-file", str(request))
    assert code == 2 and out["error"]["type"] == "UsageError" and '"env" must be a JSON object' in out["error"]["message"]


def test_log_lines_are_ascii_digits_within_a_bound(mdlma: Mdlma, tmp_path: Path):
    script = tmp_path / "lines.sh"
    script.write_text("#!/bin/bash\nprintf '1\\n2\\n3\\n'\n")
    job_id = mdlma.ok("submit", str(script))["jobId"]
    mdlma.ok("wait", job_id, "--timeout", "60")
    assert mdlma.ok("logs", job_id, "--lines", "2")["text"] == "2\n3\n"
    for lines in ("٣", "²", "1e3", " 3", "100001", "-1"):
        code, out, _ = mdlma.run("logs", job_id, f"--lines={lines}")
        assert code == 2 and out["error"]["type"] == "UsageError" and "0 to 100000" in out["error"]["message"], (lines, out)


def test_a_malformed_app_connection_file_is_a_typed_error_naming_it(mdlma: Mdlma, tmp_path: Path):
    script = tmp_path / "sleep.sh"
    script.write_text("#!/bin/bash\nsleep 60\n")
    job_id = mdlma.ok("submit", str(script), "--hold")["jobId"]
    connection = tmp_path / ".mdlma" / "slurm" / f"app-{job_id}.json"
    try:
        good = {"host": "127.0.0.1", "port": 8888, "token": "t", "url": "http://127.0.0.1:8888/", "job_id": job_id}
        for content, field in (("{not json", "is not JSON"), (json.dumps({**good, "host": 5}), '"host"'),
                               (json.dumps({**good, "port": "8888"}), '"port"'), ("[1]", "not a JSON object")):
            connection.write_text(content)
            code, out, _ = mdlma.run("app", job_id, "--no-wait")
            assert code == 2 and out["error"]["type"] == "SlurmCommandError", out
            assert str(connection) in out["error"]["message"] and field in out["error"]["message"]
        connection.write_text(json.dumps(good))
        assert mdlma.ok("app", job_id, "--no-wait")["app"]["host"] == "127.0.0.1"
    finally:
        mdlma.ok("cancel", job_id)
    deadline = time.time() + 30
    while mdlma.ok("show", job_id)["job"]["state"] != "CANCELLED":
        assert time.time() < deadline
        time.sleep(0.3)
