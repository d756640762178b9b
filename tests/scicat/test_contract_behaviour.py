"""Behaviour of the contract server that the catalog's unit tests rely on, as the backend shows it: tokens that
expire, PIDs that must be URL-encoded, CORS for the JupyterLab sidebar, 403 for another group."""
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

SERVER = Path(__file__).resolve().parent / "contract_server.py"


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([sys.executable, str(SERVER), "--port", "0", "--count", "30", "--token-ttl", "1"],
                            stdout=subprocess.PIPE, text=True)
    yield json.loads(proc.stdout.readline())["url"]
    proc.terminate()
    proc.wait(10)


def login(server, user="mdlma", password="mdlma-pass"):
    answer = requests.post(f"{server}/api/v3/auth/login", json={"username": user, "password": password}, timeout=10)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_token_expires_after_its_ttl(server):
    auth = login(server)
    assert requests.get(f"{server}/api/v4/datasets/count", headers=auth, timeout=10).status_code == 200
    time.sleep(1.2)
    expired = requests.get(f"{server}/api/v4/datasets/count", headers=auth, timeout=10)
    assert expired.status_code == 401
    assert expired.json() == {"message": "Unauthorized", "statusCode": 401}


def test_the_token_is_accepted_only_as_a_bearer_header(server):
    token = login(server)["Authorization"].split()[1]
    assert requests.get(f"{server}/api/v4/datasets/count", params={"access_token": token}, timeout=10).status_code == 401
    assert requests.get(f"{server}/api/v4/datasets/count", headers={"Authorization": token}, timeout=10).status_code == 401


def test_a_pid_with_an_unencoded_slash_is_not_a_dataset(server):
    auth = login(server)
    pid = requests.get(f"{server}/api/v4/datasets", headers=auth, timeout=10).json()[0]["pid"]
    assert requests.get(f"{server}/api/v4/datasets/{quote(pid, safe='')}", headers=auth, timeout=10).status_code == 200
    assert requests.get(f"{server}/api/v4/datasets/{pid}", headers=auth, timeout=10).status_code == 404


def test_cors_preflight_allows_the_authorization_header(server):
    answer = requests.options(f"{server}/api/v4/datasets", headers={"Origin": "http://localhost:8888",
                                                                     "Access-Control-Request-Headers": "authorization"}, timeout=10)
    assert answer.status_code == 204
    assert "Authorization" in answer.headers["Access-Control-Allow-Headers"]


def test_another_groups_dataset_is_403_and_a_missing_one_404(server):
    mine = login(server)
    pid = requests.get(f"{server}/api/v4/datasets", params={"filter": json.dumps({"where": {"isPublished": False}})},
                       headers=mine, timeout=10).json()[0]["pid"]
    outsider = login(server, "outsider", "outsider-pass")
    forbidden = requests.get(f"{server}/api/v4/datasets/{quote(pid, safe='')}", headers=outsider, timeout=10)
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "Unauthorized access"
    missing = requests.get(f"{server}/api/v3/datasets/{quote('20.500.12269/none', safe='')}/origdatablocks", headers=mine, timeout=10)
    assert missing.status_code == 404
    assert missing.json()["message"] == "dataset: 20.500.12269/none not found"
