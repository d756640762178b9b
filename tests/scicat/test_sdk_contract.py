"""The contract server and the catalog client follow SciCat's published DTOs (the PyPI SDK `scicat-sdk-py`, generated
from the backend's OpenAPI document), not our own reading of them:

- every answer of the contract server validates as the SDK's output model of that endpoint and has no field the
  model lacks;
- the field lists the server enforces (filter keys, the derived-dataset whitelist, attachments) are the SDK's;
- the requests the TypeScript client really sends (login, derived dataset, thumbnail) validate as the SDK's input
  models, and the client's own list of derived-dataset fields is the SDK's.
"""
from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from scicat_sdk_py.models import (
    CountApiResponse,
    CreateAttachmentV3Dto,
    CreateDerivedDatasetObsoleteDto,
    CredentialsDto,
    OutputAttachmentV3Dto,
    OutputDatasetDto,
    OutputDatasetObsoleteDto,
    OutputOrigDatablockDto,
    PartialOutputDatasetDto,
    ReturnedAuthLoginDto,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import dto  # noqa: E402

TOKEN = secrets.token_urlsafe(24)
# Relations a v4 `include` embeds; the DTOs describe the dataset itself.
RELATIONS = {"origdatablocks", "attachments", "datablocks", "instruments", "proposals", "samples"}


def fields_of(model) -> set[str]:
    """The JSON names (aliases) of a generated pydantic model."""
    return {f.alias or name for name, f in model.model_fields.items()}


def required_of(model) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items() if f.is_required()}


def check(model, answer: dict, extra: set[str] = frozenset()) -> None:
    unknown = set(answer) - fields_of(model) - set(extra)
    assert not unknown, f"{model.__name__} has no field(s) {sorted(unknown)}"
    model.from_dict(answer)  # raises on a missing required field or a wrong type


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("scicat-data")
    proc = subprocess.Popen([sys.executable, str(HERE / "contract_server.py"), "--port", "0", "--count", "60",
                             "--data-root", str(data), "--token", TOKEN], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line, proc.stderr.read()
    yield json.loads(line)["url"]
    proc.terminate()
    proc.wait(10)


def get(server, path, **params):
    answer = requests.get(server + path, params=params, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_servers_field_lists_are_the_sdks():
    assert set(dto.DATASET_KEYS) == fields_of(OutputDatasetDto)
    assert set(dto.DERIVED_FIELDS) == fields_of(CreateDerivedDatasetObsoleteDto)
    assert set(dto.DERIVED_REQUIRED) == required_of(CreateDerivedDatasetObsoleteDto)
    assert dto.ATTACHMENT_FIELDS == fields_of(CreateAttachmentV3Dto)


def test_the_clients_derived_field_list_is_the_sdks():
    source = (REPO / "packages/kernel-lib/src/catalog/types.ts").read_text()
    block = re.search(r"DERIVED_DATASET_FIELDS: readonly string\[\] = \[(.*?)\];", source, re.S).group(1)
    assert set(re.findall(r"'(\w+)'", block)) == fields_of(CreateDerivedDatasetObsoleteDto)
    block = re.search(r"DERIVED_DATASET_REQUIRED: readonly string\[\] = \[(.*?)\];", source, re.S).group(1)
    assert set(re.findall(r"'(\w+)'", block)) | {"type"} == required_of(CreateDerivedDatasetObsoleteDto)


def test_login_answer(server):
    answer = requests.post(server + "/api/v3/auth/login", json={"username": "mdlma", "password": "mdlma-pass"}, timeout=10)
    assert answer.status_code == 201
    check(ReturnedAuthLoginDto, answer.json())
    bad = requests.post(server + "/api/v3/auth/login", json={"username": "mdlma", "password": "nope"}, timeout=10)
    assert bad.status_code == 401


def test_v4_answers(server):
    page = get(server, "/api/v4/datasets", filter=json.dumps({"limits": {"limit": 20}}))
    assert len(page) == 20
    for d in page:
        check(PartialOutputDatasetDto, d)
        check(OutputDatasetDto, d)
    with_relations = get(server, "/api/v4/datasets", filter=json.dumps({"include": ["origdatablocks", "attachments"],
                                                                        "limits": {"limit": 3}}))
    for d in with_relations:
        check(OutputDatasetDto, d, RELATIONS)
        for block in d["origdatablocks"]:
            check(OutputOrigDatablockDto, block)
    one = get(server, "/api/v4/datasets/" + quote(page[0]["pid"], safe=""))
    check(OutputDatasetDto, one)
    check(CountApiResponse, get(server, "/api/v4/datasets/count", filter=json.dumps({"where": {"type": "raw"}})))


def test_v3_answers(server):
    hits = get(server, "/api/v3/datasets/fullquery", fields=json.dumps({"text": "rat"}), limits=json.dumps({"limit": 10}))
    assert hits
    for d in hits:
        check(OutputDatasetObsoleteDto, d)
    pid = quote(hits[0]["pid"], safe="")
    for block in get(server, f"/api/v3/datasets/{pid}/origdatablocks"):
        check(OutputOrigDatablockDto, block)
    for attachment in get(server, f"/api/v3/datasets/{pid}/attachments"):
        check(OutputAttachmentV3Dto, attachment)
        assert attachment["thumbnail"].startswith("data:image/png;base64,")


def test_unknown_fields_are_400_like_the_backend(server):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"type": "derived", "owner": "x", "ownerGroup": "p05-11012345", "contactEmail": "x@example.org",
            "sourceFolder": "/a", "creationTime": "2025-01-01T00:00:00Z", "datasetName": "n", "investigator": "x",
            "inputDatasets": [], "usedSoftware": [], "modelSha256": "abc"}
    answer = requests.post(server + "/api/v3/datasets", json=body, headers=headers, timeout=10)
    assert answer.status_code == 400
    assert "property modelSha256 should not exist" in answer.json()["message"]
    del body["modelSha256"]
    created = requests.post(server + "/api/v3/datasets", json=body, headers=headers, timeout=10)
    assert created.status_code == 201
    check(OutputDatasetObsoleteDto, created.json())


CLIENT_SCRIPT = r"""
const { SciCatClient } = require(process.argv[1]);
(async () => {
  const client = await SciCatClient.login({ url: process.argv[2], username: 'mdlma', password: 'mdlma-pass' });
  const [parent] = await client.find({ where: { type: 'raw' }, limits: { limit: 1 } });
  const created = await client.createDerived({
    owner: parent.owner, ownerGroup: parent.ownerGroup, contactEmail: parent.contactEmail,
    sourceFolder: parent.sourceFolder + '/analysis', creationTime: new Date().toISOString(),
    investigator: 'mdlma@example.org', inputDatasets: [parent.pid], usedSoftware: ['@mdlma/kernel@test'],
    datasetName: 'sdk contract', jobParameters: { axes: 3 }, scientificMetadata: { model: { name: 'sun-implant' } }
  });
  const attachment = await client.attachThumbnail(created.pid, 'data:image/png;base64,iVBORw0KGgo=', { caption: 'preview' });
  console.log(JSON.stringify({ created, attachment }));
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_the_clients_requests_validate_as_the_sdks_input_models(server):
    lib = REPO / "packages/kernel-lib/lib/catalog/client.js"
    if not lib.exists():
        pytest.fail("build kernel-lib first (npx tsc -b packages/kernel-lib)")
    requests.post(server + "/__contract__/reset", json={}, timeout=10)
    out = subprocess.run(["node", "-e", CLIENT_SCRIPT, str(lib), server], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    answers = json.loads(out.stdout)
    check(OutputDatasetObsoleteDto, answers["created"])
    check(OutputAttachmentV3Dto, answers["attachment"])
    posts = [r for r in requests.get(server + "/__contract__/requests", timeout=10).json() if r["method"] == "POST"]
    by_path = {r["path"]: r["body"] for r in posts}
    check(CredentialsDto, by_path["/api/v3/auth/login"])
    check(CreateDerivedDatasetObsoleteDto, by_path["/api/v3/datasets"])
    assert by_path["/api/v3/datasets"]["type"] == "derived"
    attachment_post = next(r for r in posts if r["path"].endswith("/attachments"))
    assert quote(answers["created"]["pid"], safe="") in attachment_post["path"]
    check(CreateAttachmentV3Dto, attachment_post["body"])
