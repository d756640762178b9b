"""Hostile requests to every route under <base>/mdlma/api/: a clear refusal, never a crash.

The routes come from mdlma_lab's own list (handlers.api_routes, Slurm routes included), so a route
added later is fuzzed too, or this test names the path part it has no samples for. Each route gets
its methods (those its handler defines, and the others refused), hostile path parts, query values
for the parameters its handler reads, and, where it takes a body, wrong JSON types, huge values,
deep nesting, invalid UTF-8, NUL bytes, odd encodings and bodies up to 8 MiB, plus bodies drawn
from a seeded generator. Every answer must be a 2xx, a 4xx, or a deliberate 502/503 (Slurm or the
mdlma command unavailable), every refusal JSON with a message, and the server must answer after.

The server is the isolated one of conftest.py: no Slurm reachable, so nothing is ever submitted.
"""
import gzip
import http.client
import inspect
import json
import random
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import tornado.web

from conftest import REPO, TOKEN

sys.path.insert(0, str(REPO / "packages" / "labextension"))
from mdlma_lab.handlers import api_routes  # noqa: E402  (this tree's, not the copy installed in .venv)
from mdlma_lab.slurm_handlers import JOB_OPTIONS  # noqa: E402

BASE = "/user/test/mdlma/api"
ROUTES = api_routes(BASE, "/unused")
SEED = 15  # issue #15: the same cases on every run
METHODS = ("GET", "POST", "DELETE")
LAYER = "fuzz/.mdlma/cache/00112233445566778899aabbccddeeff.nii"  # a real 4 x 5 x 6 uint16 layer (fixture)

# Raw (still percent-encoded) samples of each path part of the routes, the first an ordinary one.
PATH_SAMPLES = {
    r"(\d+(?:_\d+)?)": ["12", "0", "4294967296", "9" * 40, "12_3", "1_" + "9" * 30],
    "(cancel|hold|release)": ["cancel", "hold", "release"],
    r"([A-Za-z0-9._-]+)": ["custom", "no-such-template", "..", ".", "-", "a" * 3000, "custom.", "_"],
    "(.*)": [
        LAYER, f"{LAYER}%00", "a%00b.nii", "%ff%fe.nii", "%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd",
        "..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "fuzz/.mdlma/cache/",
        f"{LAYER}/", f"{LAYER}.gz", "x" * 3000, "%E2%80%AE.nii", "fuzz/.mdlma/cache/%30%30.nii", "%",
    ],
}

# Values of the query parameters a handler reads (and of two it does not).
QUERY_VALUES = [
    "", "-1", "1e999", "9" * 40, "%ff", "%00", "%C0%AF", "%ED%A0%80", "%C2%B2", "true", "0,1,0,1,0,1",
    "0,1,0,1,0,1%00", "-1,1,0,1,0,1", "0,4,0,5,0,6,0", "%D9%A0,%D9%A1,0,1,0,1", "1_0,2,0,1,0,1", "0,0,0,0,0,0",
    "4294967296,4294967297,0,1,0,1", "a" * 4000,
]
EXTRA_QUERIES = ["?%ff=%fe&x=%00", "?" + "&".join(f"k{i}=v" for i in range(400)), "?all=1&all=0&lines=1&lines=x"]


def _json(value):
    return json.dumps(value).encode()


# (label, body bytes, extra headers) for every route that takes a body.
BODIES = [
    ("empty", b"", {}),
    ("unterminated", b"{", {}),
    ("null", b"null", {}),
    ("array", b"[]", {}),
    ("number", b"1", {}),
    ("string", b'"custom"', {}),
    ("invalid utf-8 in a string", b'{"template": "\xff"}', {}),
    ("invalid utf-8 first", b"\xff\xfe{}", {}),
    ("overlong utf-8", b'{"script": "\xc0\xaf"}', {}),
    ("utf-8 bom", b'\xef\xbb\xbf{"template": "custom"}', {}),
    ("utf-16", '{"template": "custom"}'.encode("utf-16"), {}),
    ("latin-1", '{"script": "é"}'.encode("latin-1"), {"Content-Type": "application/json; charset=latin-1"}),
    ("gzip", gzip.compress(b'{"template": "custom"}'), {"Content-Encoding": "gzip"}),
    ("text/plain", b'{"template": "custom", "script": "true"}', {"Content-Type": "text/plain"}),
    ("NaN", b'{"params": {"x": NaN}}', {}),
    ("Infinity", b'{"job": {"cpus": Infinity}}', {}),
    ("1e999", b'{"job": {"cpus": 1e999}}', {}),
    ("5000 digits", b'{"params": {"n": ' + b"9" * 5000 + b"}}", {}),
    ("2^64", _json({"job": {"cpus": 2**64}, "params": {"n": -(2**63)}}), {}),
    ("nested 600 deep", b'{"params": ' + b'{"a": ' * 600 + b"1" + b"}" * 601, {}),
    ("nested 100000 deep", b"[" * 100000, {}),
    ("origin nested", b'{"origin": ' + b"[" * 900 + b"]" * 900 + b"}", {}),
    ("script of 200 KiB", _json({"template": "custom", "script": "x" * (200 * 1024)}), {}),
    ("script of 2 MiB", _json({"script": "echo " + "y" * (2 * 2**20)}), {}),
    ("8 MiB of spaces", b"{" + b" " * (8 * 2**20) + b"}", {}),
    ("NUL in workdir", _json({"workdir": "a\0b"}), {}),
    ("NUL in template", _json({"template": "cus\0tom"}), {}),
    ("NUL in env name", _json({"env": {"A\0": "b"}}), {}),
    ("NUL in job name", _json({"job": {"name": "a\0"}}), {}),
    ("lone surrogate in env", b'{"env": {"A": "\\ud800"}}', {}),
    ("lone surrogate in params", b'{"params": {"\\udfff": "\\ud800"}}', {}),
]
for key, values in {
    "params": [[], "x", 5, True],
    "job": [[], "x", 5],
    "env": [[], "A=b", 5, {"A": {"x": 1}}, {"": "x"}, {"A=B": "c"}, {"A": None}],
    "workdir": [5, [], {"a": 1}, True, "/etc", "../..", "a/../../b", "\n"],
    "hold": ["no", [], {"x": 1}],
    "origin": [5, [], "x"],
    "script": [5, None, ["echo"], {"a": 1}],
    "template": [5, [], True, "../../etc/passwd", "no-such-template", "-h", "--help"],
}.items():
    BODIES += [(f"{key}={value!r}"[:60], _json({"template": "custom", "script": "true", key: value}), {}) for value in values]
BODIES += [
    (f"job.{option}={value!r}", _json({"template": "custom", "script": "true", "job": {option: value}}), {})
    for option, value in zip(JOB_OPTIONS, [["a"], -1, "many", {"h": 1}, "a\nb", "0-99999999", "afterok:--", "/etc/x", 1e308, ""])
]


def _random_json(rng, depth=0):
    """A JSON value of a seeded random kind: the odd numbers and strings a hostile client sends."""
    kinds = ["null", "bool", "int", "float", "str"] + (["list", "dict"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "null":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.choice([0, -1, 1, 2**31, 2**63, -(10**30)])
    if kind == "float":
        return rng.choice([0.5, -1e308, 1e308, 5e-324])
    if kind == "str":
        return rng.choice(["", "a", "\0", "\n", "é", "💥", "x" * 1000, "../..", "$(id)", "--hold", "%n", "a=b"])
    if kind == "list":
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["a", "", "\0", "script"]): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def _random_bodies(rng, count):
    """Submit-shaped bodies with a few fields (of the ones SubmitHandler reads) set to random values."""
    keys = ["template", "params", "script", "job", "workdir", "env", "hold", "origin"]
    bodies = []
    for number in range(count):
        body = {"template": "custom", "script": "true"}
        for key in rng.sample(keys, rng.randrange(1, 4)):
            body[key] = _random_json(rng) if key != "job" else {o: _random_json(rng, 2) for o in rng.sample(JOB_OPTIONS, 2)}
        bodies.append((f"random #{number}", _json(body), {}))
    return bodies


def _group_spans(pattern):
    """(start, end) of each top-level group of a route pattern."""
    spans, depth, start = [], 0, 0
    for at, char in enumerate(pattern):
        if char == "(":
            start = at if depth == 0 else start
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                spans.append((start, at + 1))
    return spans


def _paths(pattern):
    """Request paths of the route: the i-th sample of each path part, for as many as the longest list has."""
    spans = _group_spans(pattern)
    samples = [PATH_SAMPLES[pattern[a:b]] for a, b in spans]
    paths = []
    for number in range(max([len(s) for s in samples] or [1])):
        path = pattern
        for (a, b), values in reversed(list(zip(spans, samples))):
            path = path[:a] + values[number % len(values)] + path[b:]
        assert re.fullmatch(pattern, path), f"the sample path {path[:80]} does not reach {pattern}"
        paths.append(path)
    return paths


def _methods(handler):
    """The methods among GET/POST/DELETE that `handler` defines (the others are refused with 405)."""
    return [m for m in METHODS if getattr(handler, m.lower()) is not getattr(tornado.web.RequestHandler, m.lower())]


def _cases(pattern, handler):
    """(method, target, body label, body, headers) of every request sent to the route."""
    rng = random.Random(f"{SEED}:{pattern}")
    paths = _paths(pattern)
    methods = _methods(handler)
    parameters = sorted(set(re.findall(r'get_argument\("(\w+)"', inspect.getsource(handler))))
    queries = [f"?{p}={v}" for p in parameters for v in QUERY_VALUES] + EXTRA_QUERIES
    cases = []
    for method in methods:
        cases += [(method, path, "", b"", {}) for path in paths]
        cases += [(method, paths[0] + query, "", b"", {}) for query in queries]
        if method == "POST":
            bodies = BODIES + _random_bodies(rng, 12) if "submit" in pattern or "render" in pattern or "echo" in pattern else rng.sample(BODIES, 4)
            cases += [(method, paths[0], label, body, headers) for label, body, headers in bodies]
    cases += [(method, paths[0], "", b"{}", {}) for method in METHODS if method not in methods]
    return cases


def _send(server, method, target, body, headers):
    """(status, content type, answer) of one request; the status is None when the connection broke."""
    host, port = server.base.split("/")[2].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        connection.request(method, target, body=body or None, headers={"Authorization": f"token {TOKEN}", **headers})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    except (OSError, http.client.HTTPException) as error:
        return None, "", repr(error).encode()
    finally:
        connection.close()


def _problem(pattern, status, content_type, answer):
    """What is wrong with an answer, or None."""
    if status is None:
        return "the connection broke"
    if status >= 500 and status not in (502, 503):
        return f"status {status}"
    if 300 <= status < 400:
        return f"redirect {status}"
    if status < 300 and pattern.endswith("viewer-cache/(.*)"):
        return None  # a layer or a box: NIfTI bytes
    try:
        data = json.loads(answer)
    except ValueError:
        return f"status {status} with a body that is not JSON ({content_type})"
    if status >= 400:
        data = data if isinstance(data, dict) else {}
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        message = data.get("message") or error.get("message")  # Jupyter's errors, or the mdlma CLI's report
        if not isinstance(message, str) or not message:
            return f"status {status} without a message"
    return None


@pytest.fixture(scope="module")
def fuzz_server(isolated_server):
    """The isolated server, with a real cached layer for the viewer-cache route's boxes."""
    import struct

    layer = isolated_server.root / LAYER
    layer.parent.mkdir(parents=True, exist_ok=True)
    header = bytearray(352)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, 6, 5, 4, 1, 1, 1, 1)
    struct.pack_into("<2h", header, 70, 512, 16)
    struct.pack_into("<f", header, 108, 352)
    header[344:348] = b"n+1\0"
    layer.write_bytes(bytes(header) + bytes(2 * 4 * 5 * 6))
    return isolated_server


@pytest.mark.parametrize("route", ROUTES, ids=[r[0][len(BASE) + 1:] for r in ROUTES])
def test_hostile_requests_get_a_clear_refusal_and_the_server_stays_up(fuzz_server, route):
    pattern, handler = route[0], route[1]
    cases = _cases(pattern, handler)
    started = time.monotonic()
    # Most of the time is the mdlma command's start (node): several at once, while the server stays one process.
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda case: _send(fuzz_server, case[0], case[1], case[3], case[4]), cases))
    failures = []
    for (method, target, label, _, _), (status, content_type, answer) in zip(cases, answers):
        problem = _problem(pattern, status, content_type, answer)
        if problem:
            body = f" body {label}" if label else ""
            failures.append(f"{method} {target[:100]}{body}: {problem}: {answer[:300]!r}")
    assert fuzz_server.process.poll() is None, "the server exited"
    alive = _send(fuzz_server, "POST", f"{BASE}/echo", b'{"alive": true}', {})
    assert alive[0] == 200 and json.loads(alive[2]) == {"echo": {"alive": True}}, "the server answers after the run"
    assert not failures, f"{len(failures)} of {len(cases)} requests ({time.monotonic() - started:.0f} s):\n" + "\n".join(failures)
