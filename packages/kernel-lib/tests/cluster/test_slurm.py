"""The cluster API and `mdlma slurm` against a real single-node Slurm (started by the session fixture)."""
import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from slurm_fixture import KERNEL_LIB, REPO, Mdlma, dead_controller_conf


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_submit_wait_show_and_logs(mdlma: Mdlma, tmp_path: Path):
    script = write(tmp_path / "hello.sh", "#!/bin/bash\necho \"hello from $SLURM_JOB_ID with $GREETING\"\n")
    submitted = mdlma.ok("submit", str(script), "--name", "hello", "--cpus", "1", "--mem", "100M",
                         "--time", "00:05:00", "--output", "hello-%j.out", "--env", "GREETING=bonjour")
    job_id = submitted["jobId"]
    assert job_id.isdigit()
    assert Path(submitted["scriptPath"]).read_text() == script.read_text()
    assert "--job-name=hello" in submitted["args"] and "--cpus-per-task=1" in submitted["args"]

    job = mdlma.ok("wait", job_id, "--timeout", "60")["job"]
    assert job["state"] == "COMPLETED" and job["exitCode"] == 0
    assert job["stdout"] == str(tmp_path / f"hello-{job_id}.out")

    shown = mdlma.ok("show", job_id)["job"]
    assert shown["name"] == "hello" and shown["id"] == job_id and shown["timeLimit"] == 5

    logs = mdlma.ok("logs", job_id)
    assert logs["text"] == f"hello from {job_id} with bonjour\n"

    listed = mdlma.ok("list")["jobs"]
    assert job_id in [j["id"] for j in listed]


def test_hold_release_and_cancel(mdlma: Mdlma, tmp_path: Path):
    script = write(tmp_path / "sleep.sh", "#!/bin/bash\nsleep 120\n")
    job_id = mdlma.ok("submit", str(script), "--name", "sleeper", "--hold")["jobId"]
    held = mdlma.ok("show", job_id)["job"]
    assert held["state"] == "PENDING" and held["reason"] == "JobHeldUser"

    # A pending job (waiting on the held one) is held and released again.
    waiting = mdlma.ok("submit", str(script), "--name", "waiter", "--dependency", f"afterok:{job_id}")["jobId"]
    assert mdlma.ok("show", waiting)["job"]["reason"] == "Dependency"
    # root holds as an administrator (JobHeldAdmin), a user as a user (JobHeldUser)
    assert mdlma.ok("hold", waiting)["job"]["reason"] in ("JobHeldUser", "JobHeldAdmin")
    assert mdlma.ok("release", waiting)["job"]["reason"] not in ("JobHeldUser", "JobHeldAdmin")
    mdlma.ok("cancel", waiting)

    mdlma.ok("release", job_id)
    deadline = time.time() + 30
    while mdlma.ok("show", job_id)["job"]["state"] != "RUNNING":
        assert time.time() < deadline, "the released job did not start"
        time.sleep(0.5)
    cancelled = mdlma.ok("cancel", job_id)["job"]
    deadline = time.time() + 30
    while cancelled["state"] != "CANCELLED":
        assert time.time() < deadline
        time.sleep(0.3)
        cancelled = mdlma.ok("show", job_id)["job"]

    code, out, _ = mdlma.run("wait", job_id)
    assert code == 2 and out["error"]["type"] == "SlurmJobError" and out["error"]["state"] == "CANCELLED"


def test_a_failing_job_surfaces_its_exit_code_and_stderr(mdlma: Mdlma, tmp_path: Path):
    script = write(tmp_path / "fail.sh", "#!/bin/bash\necho working\necho 'model.onnx: no such file' >&2\nexit 3\n")
    job_id = mdlma.ok("submit", str(script), "--name", "fails", "--error", "fails-%j.err")["jobId"]
    code, out, err = mdlma.run("wait", job_id, "--timeout", "60")
    assert code == 2
    error = out["error"]
    assert error["type"] == "SlurmJobError" and error["state"] == "FAILED"
    assert error["exitCode"] == 3
    assert "model.onnx: no such file" in error["stderrTail"] and "model.onnx: no such file" in error["message"]
    assert json.loads(err.strip().splitlines()[-1]) == out  # the report is on stderr too (the server extension reads it)
    stderr_log = mdlma.ok("logs", job_id, "--stderr")
    assert stderr_log["text"] == "model.onnx: no such file\n"


def test_follow_streams_the_log_until_the_job_ends(mdlma: Mdlma, tmp_path: Path):
    script = write(tmp_path / "count.sh", "#!/bin/bash\nfor i in 1 2 3; do echo line $i; sleep 0.5; done\n")
    job_id = mdlma.ok("submit", str(script), "--name", "counter")["jobId"]
    started = time.time()
    done = subprocess.run([*mdlma.command, "slurm", "logs", job_id, "--follow"], cwd=mdlma.cwd, env=mdlma.env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "line 1\nline 2\nline 3\n"
    assert time.time() - started < 30


def test_wait_honours_an_abort_signal(slurm_env, tmp_path: Path):
    code = f"""
const {{ SlurmClient }} = require({json.dumps(str(KERNEL_LIB / 'lib' / 'cluster'))});
(async () => {{
  const slurm = new SlurmClient({{ pollInterval: 200 }});
  const {{ jobId }} = await slurm.submit({{ script: '#!/bin/bash\\nsleep 60\\n', name: 'abortable', hold: true }});
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 800);
  const started = Date.now();
  try {{ await slurm.wait(jobId, {{ signal: controller.signal }}); console.log('no error'); }}
  catch (e) {{ console.log(JSON.stringify({{ name: e.name, ms: Date.now() - started }})); }}
  await slurm.cancel(jobId);
}})();
"""
    done = subprocess.run(["node", "-e", code], cwd=tmp_path, env=slurm_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip())
    assert result["name"] == "InterruptedError" and result["ms"] < 5000


def test_array_job_is_shown_as_a_whole_and_per_task(mdlma: Mdlma, tmp_path: Path):
    script = write(tmp_path / "array.sh", "#!/bin/bash\necho task $SLURM_ARRAY_TASK_ID\n")
    job_id = mdlma.ok("submit", str(script), "--name", "arr", "--array", "0-2", "--output", "arr-%A_%a.out")["jobId"]
    job = mdlma.ok("wait", job_id, "--timeout", "60")["job"]
    assert job["state"] == "COMPLETED" and [t["id"] for t in job["tasks"]] == [f"{job_id}_{i}" for i in range(3)]
    assert mdlma.ok("logs", f"{job_id}_2")["text"] == "task 2\n"


def test_submissions_slurm_refuses_are_typed_errors(mdlma: Mdlma, tmp_path: Path):
    script = write(tmp_path / "noop.sh", "#!/bin/bash\ntrue\n")
    code, out, _ = mdlma.run("submit", str(script), "--partition", "nosuchpartition")
    assert code == 2 and out["error"]["type"] == "SlurmSubmitError" and out["error"]["fromScheduler"] is True
    assert "invalid partition" in out["error"]["message"].lower()
    code, out, _ = mdlma.run("submit", str(script), "--gres", "gpu:1")
    assert code == 2 and out["error"]["type"] == "SlurmSubmitError"
    assert "gres" in out["error"]["message"].lower()
    code, out, _ = mdlma.run("show", "999999")
    assert code == 2 and out["error"]["type"] == "SlurmCommandError"


def test_templates_are_listed_and_rendered(mdlma: Mdlma):
    names = [t["name"] for t in mdlma.ok("templates")["templates"]]
    assert {"segment-volume", "train-sun", "register", "jupyterlab", "custom"} <= set(names)
    one = mdlma.ok("templates", "segment-volume")["template"]
    assert one["parameters"]["properties"]["axes"]["default"] == 9 and "mdlma" in one["script"]

    rendered = mdlma.ok("render", "--template", "segment-volume", "--param", "input=scan 1.nii.gz",
                        "--param", "output=labels.nii.gz", "--param", "axes=3", "--param", "gpus=1")
    assert "segment 'scan 1.nii.gz' --out 'labels.nii.gz'" in rendered["script"] and "--axes '3'" in rendered["script"]
    assert rendered["job"] == {"name": "segment", "cpus": 2, "mem": "2G", "time": "01:00:00", "gres": "gpu:1"}

    train = mdlma.ok("render", "--template", "train-sun", "--param", "data=export", "--param", "out=models/tuned")
    assert f"bash '{REPO}'/models/train/train.sh --data 'export'" in train["script"]
    assert f"--init '{REPO}'/models/sun-implant/model.pt" in train["script"] and train["job"]["gres"] == "gpu:1"

    code, out, _ = mdlma.run("render", "--template", "segment-volume", "--param", "input=a.nii", "--param", "output=b",
                             "--param", "axes=4")
    assert code == 2 and out["error"]["type"] == "SlurmTemplateError" and "one of 1, 3, 9" in out["error"]["message"]
    code, out, _ = mdlma.run("render", "--template", "segment-volume", "--param", "output=b")
    assert code == 2 and "input" in out["error"]["message"] and "required" in out["error"]["message"]


def test_show_reports_what_a_job_was_submitted_with_and_nodes_are_listed(mdlma: Mdlma, tmp_path: Path):
    job_id = mdlma.ok("submit", "--template", "custom", "--param", "script=#!/bin/bash\ntrue", "--param", "name=recorded",
                      "--env", "SECRET=not-kept")["jobId"]
    shown = mdlma.ok("show", job_id)
    submission = shown["submission"]
    assert submission["jobId"] == job_id and submission["template"] == "custom" and submission["edited"] is False
    assert submission["params"]["name"] == "recorded" and submission["options"]["name"] == "recorded"
    assert submission["env"] == ["SECRET"] and "not-kept" not in json.dumps(submission)
    assert Path(submission["scriptPath"]).read_text() == "#!/bin/bash\ntrue\n"
    origin = json.dumps({"template": "segment-volume", "params": {"input": "a.nii"}, "edited": True})
    edited = mdlma.ok("submit", "--template", "custom", "--param", "script=#!/bin/bash\ntrue", "--origin-json", origin)["jobId"]
    recorded = mdlma.ok("show", edited)["submission"]
    assert (recorded["template"], recorded["params"], recorded["edited"]) == ("segment-volume", {"input": "a.nii"}, True)
    script = write(tmp_path / "plain.sh", "#!/bin/bash\ntrue\n")
    plain = mdlma.ok("submit", str(script))["jobId"]
    assert mdlma.ok("show", plain)["submission"]["template"] is None
    nodes = mdlma.ok("nodes")["nodes"]
    assert len(nodes) == 1 and nodes[0]["address"] == "127.0.0.1" and nodes[0]["state"] in ("idle", "mixed", "allocated")


def test_a_user_template_overrides_and_extends_the_shipped_ones(mdlma: Mdlma, tmp_path: Path):
    user = tmp_path / "templates"
    (user / "echo").mkdir(parents=True)
    write(user / "echo" / "template.json", json.dumps({
        "name": "echo", "title": "Echo", "parameters": {"type": "object", "required": ["text"],
                                                         "properties": {"text": {"type": "string"}}}}))
    write(user / "echo" / "script.sh", "#!/bin/bash\necho {{text}}\n")
    write(user / "custom.json", json.dumps({"name": "custom", "title": "Site custom", "script": "#!/bin/bash\n"}))
    env = dict(mdlma.env, MDLMA_SLURM_TEMPLATES=str(user))
    templates = {t["name"]: t for t in mdlma.ok("templates", env=env)["templates"]}
    assert templates["echo"]["origin"] == "user" and templates["custom"]["title"] == "Site custom"
    assert templates["segment-volume"]["origin"] == "shipped"


# ---- security: what an attacker writes stays data; the files the attack would create never appear

ATTACKS = [
    "; touch {m}",
    "$(touch {m})",
    "`touch {m}`",
    "'; touch {m}; '",
    "\"; touch {m}; \"",
    "x' && touch {m} && echo '",
]


@pytest.fixture
def echo_templates(tmp_path: Path) -> Path:
    """A user template that writes a parameter into a file: the inert-data check."""
    user = tmp_path / "templates"
    (user / "echo-to").mkdir(parents=True)
    write(user / "echo-to" / "template.json", json.dumps({
        "name": "echo-to",
        "parameters": {"type": "object", "required": ["text", "out"], "properties": {
            "text": {"type": "string"}, "out": {"type": "string", "format": "path"},
            "name": {"type": "string", "default": "echo-to"}}},
        "job": {"name": "{{name}}"}}))
    write(user / "echo-to" / "script.sh", "#!/bin/bash\nprintf '%s' {{text}} > {{out}}\n")
    return user


def test_template_parameters_with_shell_syntax_stay_inert(mdlma: Mdlma, tmp_path: Path, echo_templates: Path):
    env = dict(mdlma.env, MDLMA_SLURM_TEMPLATES=str(echo_templates))
    markers, jobs = [], []
    for i, attack in enumerate(ATTACKS):
        marker = tmp_path / f"pwned-param-{i}"
        markers.append(marker)
        text = attack.format(m=marker)
        job_id = mdlma.ok("submit", "--template", "echo-to", "--param", f"text={text}", "--param", f"out=out-{i}.txt",
                          env=env)["jobId"]
        jobs.append((job_id, text, tmp_path / f"out-{i}.txt"))
    for job_id, text, out in jobs:
        mdlma.ok("wait", job_id, "--timeout", "90", env=env)
        assert out.read_text() == text, "the parameter must reach the program as the exact text"
    assert not any(m.exists() for m in markers), "a parameter was executed as shell code"


def test_unsafe_names_paths_and_newlines_are_refused(mdlma: Mdlma, tmp_path: Path, echo_templates: Path):
    env = dict(mdlma.env, MDLMA_SLURM_TEMPLATES=str(echo_templates))
    marker = tmp_path / "pwned-refused"
    script = write(tmp_path / "noop.sh", "#!/bin/bash\ntrue\n")
    before = {j["id"] for j in mdlma.ok("list")["jobs"]}
    for name in [f"a;touch {marker}", f"$(touch {marker})", f"`touch {marker}`", "it's", "a\nb", "a b"]:
        code, out, _ = mdlma.run("submit", str(script), "--name", name)
        assert code == 2 and out["error"]["type"] == "SlurmSubmitError" and out["error"]["fromScheduler"] is False
        assert "job name" in out["error"]["message"]
    for path in ["../escape.out", "logs/../../escape.out", "a\nb.out"]:
        code, out, _ = mdlma.run("submit", str(script), "--output", path)
        assert code == 2 and out["error"]["type"] == "SlurmSubmitError", path
    code, out, _ = mdlma.run("submit", "--template", "echo-to", "--param", "text=x", "--param", "out=../../etc/x", env=env)
    assert code == 2 and out["error"]["type"] == "SlurmTemplateError" and '".."' in out["error"]["message"]
    code, out, _ = mdlma.run("submit", "--template", "echo-to", "--params-json",
                             json.dumps({"text": f"x\ntouch {marker}", "out": "o.txt"}), env=env)
    assert code == 2 and out["error"]["type"] == "SlurmTemplateError" and "newline" in out["error"]["message"]
    code, out, _ = mdlma.run("submit", "--template", "echo-to", "--param", "text=x", "--param", "out=o.txt",
                             "--param", f"name=$(touch {marker})", env=env)
    assert code == 2 and "job name" in out["error"]["message"]
    code, out, _ = mdlma.run("submit", "--template", "../../etc/passwd")
    assert code == 2 and out["error"]["type"] == "SlurmTemplateError"
    code, out, _ = mdlma.run("show", f"1;touch {marker}")
    assert code == 2 and out["error"]["type"] == "SlurmCommandError"
    assert {j["id"] for j in mdlma.ok("list")["jobs"]} == before, "nothing may have been submitted"
    assert not marker.exists() and not (tmp_path.parent / "escape.out").exists()


def test_output_paths_and_environment_values_with_shell_syntax_are_inert(mdlma: Mdlma, tmp_path: Path):
    marker = tmp_path / "pwned-env"
    script = write(tmp_path / "env.sh", "#!/bin/bash\nprintf '%s' \"$PAYLOAD\"\n")
    payload = f"$(touch {marker}); `touch {marker}`"
    # The output name may not hold "/" (it would name folders), so its command creates a file in the job's folder.
    output = "out-$(touch pwned-output)-`touch pwned-output`.txt"
    job_id = mdlma.ok("submit", str(script), "--output", output, "--env", f"PAYLOAD={payload}")["jobId"]
    mdlma.ok("wait", job_id, "--timeout", "60")
    assert (tmp_path / output).read_text() == payload
    assert not marker.exists() and not (tmp_path / "pwned-output").exists()


# ---- Slurm missing or down: a typed error, not a crash

def test_slurm_missing_is_a_typed_error_at_once(mdlma: Mdlma, tmp_path: Path):
    """spawn's own time limit kept the CLI alive for 30 s after its answer when the program was never found."""
    missing = str(tmp_path / "no-slurm-here")
    for args in (["list"], ["show", "1"], ["cancel", "1"], ["submit", str(write(tmp_path / "n.sh", "#!/bin/bash\ntrue\n"))]):
        started = time.time()
        code, out, _ = mdlma.run(*args, "--slurm-bin", missing, timeout=60)
        assert code == 3 and out["error"]["type"] == "SlurmUnavailableError", out
        assert "not found" in out["error"]["message"] and "slurm-client" in out["error"]["message"]
        assert time.time() - started < 5, f"mdlma slurm {args[0]} took {time.time() - started:.1f} s"


def test_controller_down_is_a_typed_error_within_3_seconds(mdlma: Mdlma, tmp_path: Path):
    """With Slurm's default MessageTimeout, squeue and scontrol each retried 9 s (18 s for `list`): scontrol ping
    answers DOWN at once."""
    env = dict(mdlma.env, SLURM_CONF=str(dead_controller_conf(tmp_path)))
    for args in (["list"], ["show", "1"], ["nodes"], ["hold", "1"], ["submit", str(write(tmp_path / "n.sh", "#!/bin/bash\ntrue\n"))]):
        started = time.time()
        code, out, _ = mdlma.run(*args, env=env, timeout=90)
        assert code == 3 and out["error"]["type"] == "SlurmUnavailableError", out
        assert "controller" in out["error"]["message"].lower()
        assert time.time() - started < 3, f"mdlma slurm {args[0]} took {time.time() - started:.1f} s"


# ---- the jupyterlab template: a Jupyter server on the compute node, reached with the token it reports

def test_jupyterlab_template_reports_host_port_and_token(mdlma: Mdlma, tmp_path: Path):
    jupyter = REPO / ".venv" / "bin" / "jupyter"
    if not jupyter.exists():
        pytest.fail("no .venv with jupyter: run bash scripts/setup.sh")
    job_id = mdlma.ok("submit", "--template", "jupyterlab", "--param", "app=server", "--param", f"jupyter={jupyter}",
                      "--mem", "500M")["jobId"]
    connection = tmp_path / ".mdlma" / "slurm" / f"app-{job_id}.json"
    try:
        info = mdlma.ok("app", job_id, "--timeout", "60", timeout=90)["app"]
        assert oct(connection.stat().st_mode & 0o777) == "0o600", "the token file must be readable by the user only"
        assert len(info["token"]) == 48 and info["jobId"] == job_id and info["url"].endswith(f":{info['port']}/")
        url = f"http://127.0.0.1:{info['port']}/api/status"
        deadline = time.time() + 60
        answer = None
        while time.time() < deadline:
            try:
                answer = requests.get(url, headers={"Authorization": f"token {info['token']}"}, timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        assert answer is not None and answer.status_code == 200
        assert requests.get(url, timeout=5).status_code == 403, "the spawned server must require its token"
    finally:
        mdlma.ok("cancel", job_id)
    deadline = time.time() + 30
    while connection.exists():  # the job removes it when it ends
        assert time.time() < deadline
        time.sleep(0.3)
    assert mdlma.ok("app", job_id, "--no-wait")["app"] is None
