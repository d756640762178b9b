"""/mdlma/api/slurm/: the job panel's API, against a real Jupyter server and a real single-node Slurm.

The server runs this source tree's mdlma_lab (PYTHONPATH) and the `mdlma` CLI of kernel-lib; the
cluster is the one of kernel-lib's cluster tests (scripts/slurm-cluster.sh, own folder and ports).
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import REPO, TOKEN, _free_port

sys.path.insert(0, str(REPO / "packages" / "kernel-lib" / "tests" / "cluster"))
from slurm_fixture import dead_controller_conf, slurm_env, write_cli_wrapper  # noqa: E402,F401

AUTH = {"Authorization": f"token {TOKEN}"}


def start_server(root: Path, env: dict):
    """A Jupyter server with this tree's mdlma_lab; returns (process, base URL)."""
    port = _free_port()
    env = dict(env, PYTHONPATH=f"{REPO / 'packages' / 'labextension'}{os.pathsep}{env.get('PYTHONPATH', '')}")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--ServerApp.token={TOKEN}", "--ServerApp.base_url=/user/test/", f"--ServerApp.root_dir={root}",
            "--ServerApp.jpserver_extensions={'mdlma_lab': True}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/user/test/"
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        try:
            if requests.get(base + "api/status", headers=AUTH, timeout=2).ok:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(process.stderr.read().decode())


def stop_server(process):
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def api(slurm_env, tmp_path_factory):  # noqa: F811
    """Base URL of /mdlma/api/slurm/ on a server whose mdlma CLI talks to the test cluster; and its root."""
    root = tmp_path_factory.mktemp("slurm-root")
    env = dict(slurm_env, MDLMA_CLI=str(write_cli_wrapper(tmp_path_factory.mktemp("bin"))))
    process, base = start_server(root, env)
    yield base + "mdlma/api/slurm/", root
    stop_server(process)


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


def test_controller_down_is_503_with_a_typed_error(slurm_env, tmp_path):  # noqa: F811
    env = dict(slurm_env, SLURM_CONF=str(dead_controller_conf(tmp_path)),
               MDLMA_CLI=str(write_cli_wrapper(tmp_path)))
    process, base = start_server(tmp_path, env)
    try:
        response = requests.get(base + "mdlma/api/slurm/jobs", headers=AUTH, timeout=90)
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["type"] == "SlurmUnavailableError" and "Slurm is not available" in error["message"]
    finally:
        stop_server(process)


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
