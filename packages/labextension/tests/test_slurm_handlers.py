"""/mdlma/api/slurm/: the job panel's API, against a real Jupyter server and a real single-node Slurm.

The server runs this source tree's mdlma_lab (PYTHONPATH) and the `mdlma` CLI of kernel-lib; the
cluster is the one of kernel-lib's cluster tests (scripts/slurm-cluster.sh, own folder and ports).
"""
import json
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import REPO, TOKEN, start_jupyter_server, stop_jupyter_server

sys.path.insert(0, str(REPO / "packages" / "kernel-lib" / "tests" / "cluster"))
from slurm_fixture import dead_controller_conf, planted_sbatch, saved_job_environment, slurm_env, write_cli_wrapper  # noqa: E402,F401

AUTH = {"Authorization": f"token {TOKEN}"}

# Tokens a Jupyter server holds (JupyterHub's, SciCat's): the server of these tests has them, no job may.
SECRETS = {"SCICAT_TOKEN": "scicat-secret-4711", "JUPYTERHUB_API_TOKEN": "hub-secret-4712", "JPY_SESSION_NAME": "jpy-secret-4713"}


@pytest.fixture(scope="module")
def api(slurm_env, tmp_path_factory):  # noqa: F811
    """Base URL of /mdlma/api/slurm/ on a server whose mdlma CLI talks to the test cluster; and its root."""
    root = tmp_path_factory.mktemp("slurm-root")
    env = dict(slurm_env, **SECRETS, MDLMA_CLI=str(write_cli_wrapper(tmp_path_factory.mktemp("bin"))))
    running = start_jupyter_server(root, env, tmp_path_factory.mktemp("slurm-server-log") / "server.log")
    yield running.base + "mdlma/api/slurm/", root
    stop_jupyter_server(running)


def wait_for(api_url: str, job_id: str, states=("COMPLETED", "FAILED", "CANCELLED"), timeout=60) -> dict:
    deadline = time.time() + timeout
    while True:
        job = requests.get(api_url + f"jobs/{job_id}", headers=AUTH, timeout=30).json()["job"]
        if job["state"] in states:
            return job
        assert time.time() < deadline, job
        time.sleep(0.5)


def test_templates_are_served(api):
    url, _ = api
    response = requests.get(url + "templates", headers=AUTH, timeout=30)
    assert response.status_code == 200
    names = [t["name"] for t in response.json()["templates"]]
    assert {"segment-volume", "train-sun", "register", "jupyterlab", "custom"} <= set(names)
    one = requests.get(url + "templates/jupyterlab", headers=AUTH, timeout=30).json()["template"]
    assert "JUPYTER_TOKEN" in one["script"]


def test_submit_list_show_and_log(api):
    url, root = api
    body = {"script": "#!/bin/bash\necho \"from the panel: $MESSAGE\"\n", "job": {"name": "panel", "cpus": 1},
            "env": {"MESSAGE": "$(not run)"}}
    response = requests.post(url + "submit", json=body, headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    job_id = response.json()["jobId"]
    assert Path(response.json()["scriptPath"]).parent == root / ".mdlma" / "slurm"
    job = wait_for(url, job_id)
    assert job["state"] == "COMPLETED" and job["name"] == "panel" and job["workdir"] == str(root)
    log = requests.get(url + f"jobs/{job_id}/log", headers=AUTH, timeout=30).json()
    assert log["text"] == "from the panel: $(not run)\n"
    jobs = requests.get(url + "jobs", headers=AUTH, timeout=30).json()["jobs"]
    assert job_id in [j["id"] for j in jobs]
    app = requests.get(url + f"jobs/{job_id}/app", headers=AUTH, timeout=30)
    assert app.status_code == 200 and app.json() == {"app": None, "state": "COMPLETED"}


def test_render_previews_the_exact_script(api):
    url, _ = api
    body = {"template": "segment-volume", "params": {"input": "scan $(x).nii", "output": "l.nii.gz"}, "job": {"mem": "1G"}}
    response = requests.post(url + "render", json=body, headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    rendered = response.json()
    assert "segment 'scan $(x).nii' --out 'l.nii.gz'" in rendered["script"] and rendered["job"]["mem"] == "1G"


def test_hold_release_and_cancel(api):
    url, _ = api
    response = requests.post(url + "submit", json={"script": "#!/bin/bash\nsleep 60\n", "hold": True}, headers=AUTH, timeout=30)
    job_id = response.json()["jobId"]
    assert requests.get(url + f"jobs/{job_id}", headers=AUTH, timeout=30).json()["job"]["reason"].startswith("JobHeld")
    released = requests.post(url + f"jobs/{job_id}/release", headers=AUTH, timeout=30)
    assert released.status_code == 200 and not released.json()["job"]["reason"].startswith("JobHeld")
    held = requests.post(url + f"jobs/{job_id}/hold", headers=AUTH, timeout=30)
    assert held.status_code == 200
    cancelled = requests.post(url + f"jobs/{job_id}/cancel", headers=AUTH, timeout=30)
    assert cancelled.status_code == 200
    assert wait_for(url, job_id, states=("CANCELLED",))["state"] == "CANCELLED"


def test_errors_become_status_codes_with_the_message(api):
    url, root = api
    refused = requests.post(url + "submit", json={"script": "#!/bin/bash\ntrue\n", "job": {"partition": "nosuch"}},
                            headers=AUTH, timeout=30)
    assert refused.status_code == 400
    assert refused.json()["error"]["type"] == "SlurmSubmitError" and "partition" in refused.json()["error"]["message"]
    bad = requests.post(url + "render", json={"template": "segment-volume", "params": {"input": "../x", "output": "y"}},
                        headers=AUTH, timeout=30)
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "SlurmTemplateError"
    unknown = requests.get(url + "jobs/999999", headers=AUTH, timeout=30)
    assert unknown.status_code == 404 and "999999" in unknown.json()["error"]["message"]
    marker = root / "pwned-name"
    name = requests.post(url + "submit", json={"script": "#!/bin/bash\ntrue\n", "job": {"name": f"a;touch {marker}"}},
                         headers=AUTH, timeout=30)
    assert name.status_code == 400 and "job name" in name.json()["error"]["message"]
    escape = requests.post(url + "submit", json={"script": "#!/bin/bash\ntrue\n", "workdir": "../"}, headers=AUTH, timeout=30)
    assert escape.status_code == 400
    assert requests.get(url + "jobs/1;ls", headers=AUTH, timeout=30).status_code == 404  # not a route
    assert not marker.exists()


def test_unauthenticated_and_cross_site_requests_are_refused(api):
    url, root = api
    assert requests.get(url + "jobs", timeout=10).status_code == 403
    assert requests.get(url + "templates", headers={"Authorization": "token wrong"}, timeout=10).status_code == 403
    marker = "pwned-unauth"
    body = {"script": f"#!/bin/bash\ntouch {marker}\n"}
    assert requests.post(url + "submit", json=body, timeout=10).status_code == 403
    browser = requests.Session()
    base = url.rsplit("mdlma/api/slurm/", 1)[0]
    assert browser.get(base + f"api/status?token={TOKEN}", timeout=30).status_code == 200
    browser.get(base + f"login?token={TOKEN}", timeout=30)
    if "_xsrf" not in browser.cookies:
        browser.get(base + "tree", timeout=30)
    assert "_xsrf" in browser.cookies
    assert browser.post(url + "submit", json=body, timeout=10).status_code == 403, "a POST without XSRF must be refused"
    assert browser.post(url + "jobs/1/cancel", timeout=10).status_code == 403
    time.sleep(4)  # a job submitted by mistake would have run by now
    assert not (root / marker).exists()
    ok = browser.post(url + "render", json={"template": "custom", "params": {"script": "true"}},
                      headers={"X-XSRFToken": browser.cookies["_xsrf"]}, timeout=30)
    assert ok.status_code == 200


def test_controller_down_is_503_with_a_typed_error_within_3_seconds(slurm_env, tmp_path):  # noqa: F811
    """Slurm's default MessageTimeout made squeue and scontrol retry 9 s each: 18 s before the 503."""
    env = dict(slurm_env, SLURM_CONF=str(dead_controller_conf(tmp_path)),
               MDLMA_CLI=str(write_cli_wrapper(tmp_path)))
    running = start_jupyter_server(tmp_path, env, tmp_path / "server.log")
    base = running.base
    try:
        for method, route in (("GET", "jobs"), ("GET", "jobs/1"), ("POST", "jobs/1/cancel")):
            started = time.time()
            response = requests.request(method, base + "mdlma/api/slurm/" + route, headers=AUTH, timeout=90)
            took = time.time() - started
            assert response.status_code == 503, response.text
            error = response.json()["error"]
            assert error["type"] == "SlurmUnavailableError" and "Slurm is not available" in error["message"]
            assert took < 3, f"{method} {route} answered after {took:.1f} s"
    finally:
        stop_jupyter_server(running)


def test_an_app_job_answers_through_the_proxy(api):
    """The jupyterlab template on the real Slurm, opened as the panel's "Open" does: through jupyter-server-proxy."""
    url, _ = api
    jupyter = REPO / ".venv" / "bin" / "jupyter"
    if not jupyter.exists():
        pytest.fail("no .venv with jupyter: run bash scripts/setup.sh")
    base = url.rsplit("mdlma/api/slurm/", 1)[0]
    origin, prefix = base[: base.index("/user/test/")], "/user/test/"
    started = time.time()
    body = {"template": "jupyterlab", "job": {"mem": "500M"},
            "params": {"app": "server", "jupyter": str(jupyter), "proxy_base": f"{prefix}proxy/absolute/"}}
    submitted = requests.post(url + "submit", json=body, headers=AUTH, timeout=30)
    assert submitted.status_code == 200, submitted.text
    job_id = submitted.json()["jobId"]
    try:
        app = None
        while app is None:
            assert time.time() - started < 60, "the app did not report host, port and token"
            time.sleep(0.5)
            app = requests.get(url + f"jobs/{job_id}/app", headers=AUTH, timeout=30).json()["app"]
        assert app["proxyAllowed"] is True and app["jobId"] == job_id and len(app["token"]) == 48
        assert app["baseUrl"] == f"{prefix}proxy/absolute/{app['host']}:{app['port']}/"

        browser = requests.Session()  # logged in to this server (its cookie); the app's own token in the header
        browser.get(base + f"login?token={TOKEN}", timeout=30)
        status = f"{origin}{app['baseUrl']}api/status"
        answer = None
        while answer is None or answer.status_code != 200:
            assert time.time() - started < 60, f"no answer through the proxy: {answer and answer.status_code}"
            time.sleep(0.5)
            answer = browser.get(status, headers={"Authorization": f"token {app['token']}"}, timeout=10)
        assert "started" in answer.json()
        # (the spawned server's own token check is kernel-lib's test_jupyterlab_template_reports_host_port_and_token)
        anonymous = requests.get(status, headers={"Authorization": f"token {app['token']}"}, timeout=10, allow_redirects=False)
        assert anonymous.status_code in (302, 403), "the proxy must want a user of this server"
        assert browser.get(f"{base}proxy/absolute/example.org:80/", timeout=10).status_code == 403, "hosts outside the allowlist"
        assert time.time() - started < 60
    finally:
        requests.post(url + f"jobs/{job_id}/cancel", headers=AUTH, timeout=30)


# ---- hardening: what a request may set, what a job inherits, shapes and sizes of requests

def test_server_secrets_never_reach_a_job(api):
    url, root = api
    body = {"script": "#!/bin/bash\nenv\n", "job": {"output": "env-%j.out"}, "env": {"MESSAGE": "a, b"}, "hold": True}
    response = requests.post(url + "submit", json=body, headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    job_id = response.json()["jobId"]
    saved = saved_job_environment(job_id)  # slurmctld's copy of the job's environment
    assert not [name for name, value in SECRETS.items() if value in saved], saved
    assert requests.post(url + f"jobs/{job_id}/release", headers=AUTH, timeout=30).status_code == 200
    assert wait_for(url, job_id)["state"] == "COMPLETED"
    output = (root / f"env-{job_id}.out").read_text()
    assert not [name for name, value in SECRETS.items() if value in output], output
    assert "MESSAGE=a, b\n" in output


def test_request_variables_cannot_steer_the_servers_sbatch(api, tmp_path):
    url, root = api
    planted, marker = planted_sbatch(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for variable, value in (("PATH", f"{planted}:/usr/bin:/bin"), ("LD_PRELOAD", "/tmp/evil.so"),
                            ("SBATCH_OUTPUT", f"{elsewhere}/x-%j.out"), ("SLURM_CONF", "/tmp/other.conf"),
                            ("JUPYTERHUB_API_TOKEN", "x"), ("JPY_SESSION_NAME", "x"), ("SCICAT_TOKEN", "x")):
        body = {"script": "#!/bin/bash\necho hi\n", "env": {variable: value}}
        for route in ("submit", "render"):
            response = requests.post(url + route, json=body, headers=AUTH, timeout=30)
            assert response.status_code == 400, (route, variable, response.text)
            error = response.json()["error"]
            assert error["type"] == "SlurmSubmitError" and f'"{variable}" is not allowed' in error["message"]
    time.sleep(2)
    assert not marker.exists(), "the server ran an sbatch a request planted"
    assert not list(elsewhere.iterdir()), "SBATCH_OUTPUT wrote outside the job's folder"


def test_fields_of_the_wrong_json_type_are_400_naming_the_field(api):
    url, _ = api
    script = "#!/bin/bash\ntrue\n"
    cases = [
        ({"script": script, "params": [["a", 1]]}, "params"), ({"template": "custom", "params": "x"}, "params"),
        ({"script": script, "env": ["A=1"]}, "env"), ({"script": script, "env": {"A": 5}}, "env.A"),
        ({"script": script, "workdir": 5}, "workdir"), ({"script": script, "workdir": ["a"]}, "workdir"),
        ({"script": script, "job": [1]}, "job"), ({"script": script, "job": {"name": {"a": 1}}}, "job.name"),
        ({"script": script, "job": {"cpus": True}}, "job.cpus"), ({"script": script, "hold": "yes"}, "hold"),
        ({"script": script, "origin": "x"}, "origin"), ({"script": 5}, "script"), ({"template": 5}, "template"),
        ({"template": "x" * 300}, "template"),
    ]
    for body, field in cases:
        for route in ("submit", "render"):
            response = requests.post(url + route, json=body, headers=AUTH, timeout=30)
            assert response.status_code == 400, (route, body, response.status_code, response.text[:300])
            error = response.json()["error"]
            assert error["type"] == "RequestError" and error["field"] == field and error["message"].startswith(field)
    for raw in (b"[1, 2]", b"not json", b'"text"', b'{"template": "\xff"}', '{"script": "é"}'.encode("latin-1"),
                '{"template": "custom"}'.encode("utf-16")):
        response = requests.post(url + "submit", data=raw, headers=AUTH, timeout=30)
        assert response.status_code == 400 and response.json()["error"]["field"] == "body"


def test_scripts_past_the_argument_limit_run_and_oversized_ones_are_refused(api):
    url, root = api
    script = "#!/bin/bash\n" + "# padding\n" * 20_000 + "echo big\n"  # 195 KiB: more than one argv word may hold
    rendered = requests.post(url + "render", json={"script": script}, headers=AUTH, timeout=30)
    assert rendered.status_code == 200 and rendered.json()["script"].startswith(script)
    submitted = requests.post(url + "submit", json={"script": script, "job": {"output": "big-%j.out"}}, headers=AUTH, timeout=30)
    assert submitted.status_code == 200, submitted.text[:300]
    job_id = submitted.json()["jobId"]
    assert wait_for(url, job_id)["state"] == "COMPLETED" and (root / f"big-{job_id}.out").read_text() == "big\n"
    too_big = "#!/bin/bash\n" + "# padding\n" * 120_000  # 1.2 MB: over the 1 MiB a script may have
    refused = requests.post(url + "submit", json={"script": too_big}, headers=AUTH, timeout=30)
    assert refused.status_code == 400 and "at most" in refused.json()["error"]["message"]
    body = json.dumps({"script": "#!/bin/bash\n" + "#" * (5 << 20)})
    huge = requests.post(url + "submit", data=body, headers=AUTH, timeout=60)
    assert huge.status_code == 413 and huge.json()["error"]["field"] == "body"


def test_render_refuses_the_job_options_submit_refuses(api):
    url, _ = api
    for job in ({"cpus": "abc"}, {"cpus": 0}, {"mem": "1G;x"}, {"output": "../escape.out"}, {"name": "a b"}):
        body = {"template": "custom", "params": {"script": "#!/bin/bash\ntrue\n"}, "job": job}
        answers = [requests.post(url + route, json=body, headers=AUTH, timeout=30) for route in ("render", "submit")]
        assert [a.status_code for a in answers] == [400, 400], (job, [a.text[:200] for a in answers])
        assert answers[0].json()["error"]["message"] == answers[1].json()["error"]["message"]


def test_log_lines_accept_only_ascii_digits(api):
    url, _ = api
    job_id = requests.post(url + "submit", json={"script": "#!/bin/bash\nprintf '1\\n2\\n3\\n'\n"}, headers=AUTH,
                           timeout=30).json()["jobId"]
    wait_for(url, job_id)
    ok = requests.get(url + f"jobs/{job_id}/log", params={"lines": "2"}, headers=AUTH, timeout=30)
    assert ok.status_code == 200 and ok.json()["text"] == "2\n3\n"
    for lines in ("\u0663", "\u00b2", "1e3", "-1", "1" * 7, "100001"):  # Arabic-Indic three, superscript two
        response = requests.get(url + f"jobs/{job_id}/log", params={"lines": lines}, headers=AUTH, timeout=30)
        assert response.status_code == 400, (lines, response.text[:200])
    bad_stream = requests.get(url + f"jobs/{job_id}/log", params={"stream": "both"}, headers=AUTH, timeout=30)
    assert bad_stream.status_code == 400 and bad_stream.json()["error"]["field"] == "stream"


def test_a_malformed_app_connection_file_is_502_naming_it(api):
    url, root = api
    job_id = requests.post(url + "submit", json={"script": "#!/bin/bash\nsleep 60\n", "hold": True}, headers=AUTH,
                           timeout=30).json()["jobId"]
    connection = root / ".mdlma" / "slurm" / f"app-{job_id}.json"
    good = {"host": "127.0.0.1", "port": 8888, "token": "t", "url": "http://127.0.0.1:8888/", "job_id": job_id}
    try:
        for content in ("{not json", json.dumps({**good, "host": 5}), json.dumps({**good, "host": None}), "[]"):
            connection.write_text(content)
            response = requests.get(url + f"jobs/{job_id}/app", headers=AUTH, timeout=30)
            assert response.status_code == 502, (content, response.text[:300])
            assert str(connection) in response.json()["error"]["message"]
        connection.write_text(json.dumps(good))
        response = requests.get(url + f"jobs/{job_id}/app", headers=AUTH, timeout=30)
        assert response.status_code == 200 and response.json()["app"]["proxyAllowed"] is True
    finally:
        requests.post(url + f"jobs/{job_id}/cancel", headers=AUTH, timeout=30)
