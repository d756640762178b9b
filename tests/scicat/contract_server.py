"""SciCat contract server, for tests only (never shipped): the endpoints of scicat-backend-next that MDLMA Lab's
catalog client uses, with the backend's status codes, error bodies and filter semantics, on an in-memory catalog.

    python tests/scicat/contract_server.py --port 0 --data-root /tmp/scicat-data [--token T] [--token-ttl 3600]

prints one JSON line `{"url": ..., "dataRoot": ..., "beamlineRoot": ...}` once it listens. Users: `mdlma` /
`mdlma-pass` (member of the seeded owner groups) and `outsider` / `outsider-pass` (sees published datasets only).
`--token` registers a long-lived token for `mdlma` (what notebooks get through SCICAT_TOKEN).

The DTO field lists and the filter validation are in dto.py (checked against the published SDK by
test_sdk_contract.py), MongoDB's query semantics in query.py, the generated catalog in seed.py.

Routes under /__contract__/ are test controls, not SciCat: fail the next requests with a status, delay them,
expire every token, and read the log of requests (method, path, query, headers names, auth scheme).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dto import (ATTACHMENT_FIELDS, DERIVED_FIELDS, DERIVED_REQUIRED, LOOKUPS, HttpError, check_value,  # noqa: E402
                 nest_error, validate_filter, validation_error)
from query import QueryError, matches, project, sort_docs  # noqa: E402
import seed  # noqa: E402

USERS = {
    "mdlma": {"password": "mdlma-pass", "email": "mdlma@example.org", "groups": seed.GROUPS},
    "outsider": {"password": "outsider-pass", "email": "outsider@example.org", "groups": ["p99-00000000"]},
}


def now() -> str:
    return seed.iso(datetime.now(timezone.utc))


def parse_json_param(query: dict, name: str, default):
    raw = query.get(name, [None])[0]
    if raw is None or raw == "":
        return default
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise nest_error(400, f"Invalid JSON in {name}: {e}") from e


class Catalog:
    """The in-memory collections and the rules of access (owner group, access groups, published)."""

    def __init__(self, count: int, data_root: Path | None, ttl: float):
        self.datasets, self.blocks, self.attachments = seed.generate(count, data_root=data_root)
        self.by_pid = {d["pid"]: d for d in self.datasets}
        self.ttl = ttl
        self.tokens: dict[str, tuple[str, float]] = {}
        self.lock = threading.Lock()
        self.failures: list[int] = []
        self.delays: list[float] = []
        self.log: list[dict] = []

    def user_for(self, headers) -> dict:
        auth = headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        entry = self.tokens.get(token) if scheme == "Bearer" else None
        if not entry or entry[1] < time.time():
            raise nest_error(401, "")
        return {"username": entry[0], **USERS[entry[0]]}

    def visible(self, user: dict, doc: dict) -> bool:
        groups = set(user["groups"])
        return doc.get("ownerGroup") in groups or bool(groups & set(doc.get("accessGroups") or [])) or bool(
            doc.get("isPublished"))

    def dataset_for(self, user: dict, pid: str) -> dict:
        doc = self.by_pid.get(pid)
        if doc is None:
            raise nest_error(404, f"dataset: {pid} not found")
        if not self.visible(user, doc):
            raise nest_error(403, "Unauthorized access")
        return doc

    def blocks_of(self, pid: str) -> list[dict]:
        return [{k: v for k, v in b.items() if k != "_id"} for b in self.blocks if b["datasetId"] == pid]

    def attachments_of(self, pid: str) -> list[dict]:
        return [a for a in self.attachments if any(r["targetId"] == pid for r in a["relationships"])]

    def with_relations(self, doc: dict, include: list) -> dict:
        names = {i.get("relation") if isinstance(i, dict) else i for i in include}
        if "all" in names:
            names = LOOKUPS - {"all"}
        out = dict(doc)
        for name in names:
            out[name] = (self.blocks_of(doc["pid"]) if name == "origdatablocks" else
                         self.attachments_of(doc["pid"]) if name == "attachments" else [])
        return out


def to_v3(doc: dict) -> dict:
    """convertCurrentToObsoleteSchema: first elements of the v4 arrays under their old singular names."""
    out = dict(doc)
    for plural, single in (("proposalIds", "proposalId"), ("sampleIds", "sampleId"), ("instrumentIds", "instrumentId"),
                           ("principalInvestigators", "principalInvestigator")):
        if doc.get(plural):
            out[single] = doc[plural][0]
        out.pop(plural, None)
    if doc.get("type") == "derived" and doc.get("principalInvestigators"):
        out["investigator"] = doc["principalInvestigators"][0]
        out.pop("principalInvestigator", None)
    return out


def attachment_v3(att: dict) -> dict:
    rel = att["relationships"][0]
    keep = ("ownerGroup", "accessGroups", "createdAt", "updatedAt", "thumbnail", "caption")
    return {"id": att["aid"], "datasetId": rel["targetId"], **{k: att[k] for k in keep if k in att}}


def text_matches(doc, terms: list[str]) -> bool:
    """MongoDB $text on the wildcard text index ("$**"): any term equals a word of any string field."""
    words: set[str] = set()

    def walk(v):
        if isinstance(v, str):
            words.update(w.lower() for w in re.findall(r"\w+", v))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(doc)
    return any(t in words for t in terms)


def scientific_where(conditions: list[dict]) -> dict:
    """mapScientificQuery without units: a key matches as itself, `.v` or `.value`; with a unit, `.value` and `.unit`
    (the backend converts both sides to SI first; the seeded units are already the ones queried)."""
    where: list[dict] = []
    ops = {"EQUAL_TO_STRING": "$eq", "EQUAL_TO_NUMERIC": "$eq", "GREATER_THAN": "$gt", "LESS_THAN": "$lt",
           "GREATER_THAN_OR_EQUAL": "$gte", "LESS_THAN_OR_EQUAL": "$lte"}
    for c in conditions:
        if not isinstance(c, dict) or c.get("relation") not in ops or "lhs" not in c:
            raise nest_error(400, f"invalid scientific condition {json.dumps(c)}")
        key, op, rhs, unit = f"scientificMetadata.{c['lhs']}", ops[c["relation"]], c.get("rhs"), c.get("unit")
        if unit:
            where.append({f"{key}.value": {op: rhs}, f"{key}.unit": unit})
        elif c["relation"] == "EQUAL_TO_NUMERIC":
            where.append({f"{key}.value": {"$eq": rhs}})
        else:
            where.append({"$or": [{f"{key}{s}": {op: rhs}} for s in ("", ".v", ".value")]})
    return {"$and": where} if where else {}


def fullquery_where(fields: dict) -> tuple[dict, list[str]]:
    """createFullqueryFilter: the v3 fullquery `fields` object as a `where` plus the $text terms."""
    where: list[dict] = []
    terms: list[str] = []
    for key, value in fields.items():
        if key == "text":
            terms = [w.lower() for w in re.findall(r"\w+", str(value))]
        elif key == "mode":
            where.append(value)
        elif key == "scientific":
            if value:
                where.append(scientific_where(value))
        elif key == "creationTime":
            where.append({"creationTime": {"$gte": value.get("begin"), "$lte": value.get("end")}})
        elif key == "userGroups":
            where.append({"$or": [{"ownerGroup": {"$in": value}}, {"accessGroups": {"$in": value}}]})
        elif key == "isPublished":
            where.append({"isPublished": {"$eq": value}})
        elif isinstance(value, list):
            where.append({key: value[0] if len(value) == 1 else {"$in": value}})
        else:
            where.append({key: value})
    return ({"$and": where} if where else {}), terms


class Handler(BaseHTTPRequestHandler):
    catalog: Catalog
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: tests read the request log instead
        pass

    def send_json(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(data)

    def do_OPTIONS(self):  # CORS preflight: the JupyterLab sidebar calls SciCat from another origin
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except json.JSONDecodeError as e:
            raise nest_error(400, f"Unexpected token in JSON: {e}") from e

    def dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        segments = [unquote(s) for s in url.path.split("/")[1:]]
        query = parse_qs(url.query)
        cat = self.catalog
        body = self.read_body() if method == "POST" else None
        if segments[:1] != ["__contract__"]:
            auth = self.headers.get("Authorization")
            cat.log.append({"method": method, "path": url.path, "query": url.query, "body": body,
                            "authScheme": auth.split(" ")[0] if auth else None, "headers": sorted(self.headers.keys())})
            with cat.lock:
                failure = cat.failures.pop(0) if cat.failures else None
                delay = cat.delays.pop(0) if cat.delays else 0
            if delay:
                time.sleep(delay)
            if failure:
                reason = {500: "Internal server error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(failure, "Error")
                return self.send_json(failure, {"statusCode": failure, "message": reason})
        try:
            status, answer = self.route(method, segments, query, body)
        except HttpError as e:
            return self.send_json(e.status, e.body)
        except QueryError as e:
            return self.send_json(400, {"message": str(e), "error": "Bad Request", "statusCode": 400})
        self.send_json(status, answer)

    def route(self, method, seg, query, body):
        cat = self.catalog
        if seg[:1] == ["__contract__"]:
            return self.control(method, seg[1:], body)
        if method == "POST" and seg == ["api", "v3", "auth", "login"]:
            user = USERS.get(body.get("username"))
            if not user or body.get("password") != user["password"] or set(body) - {"username", "password"}:
                raise nest_error(401, "")
            token = secrets.token_urlsafe(32)
            cat.tokens[token] = (body["username"], time.time() + cat.ttl)
            return 201, {"access_token": token, "id": token, "expires_in": cat.ttl, "ttl": cat.ttl, "created": now(),
                         "userId": f"user-{body['username']}",
                         "user": {"id": f"user-{body['username']}", "username": body["username"], "email": user["email"],
                                  "authStrategy": "local", "realm": "", "emailVerified": True}}
        user = cat.user_for(self.headers)
        if method == "GET" and seg == ["api", "v3", "auth", "whoami"]:
            return 200, {"id": f"user-{user['username']}", "username": user["username"], "email": user["email"],
                         "currentGroups": user["groups"], "authStrategy": "local"}
        if seg[:3] == ["api", "v4", "datasets"] and method == "GET":
            return self.v4_datasets(user, seg[3:], query)
        if seg[:3] == ["api", "v3", "datasets"]:
            return self.v3_datasets(method, user, seg[3:], query, body)
        raise nest_error(404, f"Cannot {method} /{'/'.join(seg)}")

    def visible_docs(self, user, where) -> list[dict]:
        return [d for d in self.catalog.datasets if self.catalog.visible(user, d) and matches(d, where)]

    def v4_datasets(self, user, rest, query):
        cat = self.catalog
        if rest == [] or rest == ["count"]:
            parts = ("where", "include", "fields", "limits") if not rest else ("where",)
            filter_ = parse_json_param(query, "filter", {})
            validate_filter(filter_, parts)
            docs = self.visible_docs(user, filter_.get("where") or {})
            if rest:
                return 200, {"count": len(docs)}
            limits = {"limit": 10, "skip": 0, "sort": {"createdAt": "desc"}, **(filter_.get("limits") or {})}
            if not isinstance(limits["limit"], int) or not isinstance(limits["skip"], int) or limits["skip"] < 0:
                raise nest_error(400, "limits.limit and limits.skip must be integers")
            include = filter_.get("include") or []
            docs = sort_docs(docs, limits["sort"] or {})[limits["skip"]: limits["skip"] + (limits["limit"] or 10)]
            docs = [cat.with_relations(d, include) for d in docs]
            fields = filter_.get("fields") or []
            if fields:
                names = [i.get("relation") if isinstance(i, dict) else i for i in include]
                docs = [project(d, fields, names) for d in docs]
            return 200, docs
        if len(rest) == 1:
            include = query.get("include", [])
            if len(include) == 1 and include[0].startswith("["):
                include = json.loads(include[0])
            for name in include:
                if name not in LOOKUPS:
                    raise nest_error(400, f"Provided include field {json.dumps(name)} is not part of the dataset relations")
            return 200, cat.with_relations(cat.dataset_for(user, rest[0]), include)
        raise nest_error(404, f"Cannot GET /api/v4/datasets/{'/'.join(rest)}")

    def v3_datasets(self, method, user, rest, query, body):
        cat = self.catalog
        if method == "POST" and rest == []:
            return 201, self.create_derived(user, body)
        if method == "GET" and rest == ["fullquery"]:
            fields = parse_json_param(query, "fields", {})
            limits = parse_json_param(query, "limits", {})
            where, terms = fullquery_where(fields)
            docs = [d for d in self.visible_docs(user, where) if not terms or text_matches(d, terms)]
            order = limits.get("order")
            if order:
                field, _, direction = str(order).partition(":")
                if direction in ("asc", "desc"):
                    docs = sort_docs(docs, {field: direction})
            skip, limit = limits.get("skip", 0), limits.get("limit", 100)
            return 200, [to_v3(d) for d in docs[skip: skip + limit]]
        if method == "GET" and rest == ["count"]:
            filter_ = parse_json_param(query, "filter", {})
            return 200, {"count": len(self.visible_docs(user, filter_.get("where") or {}))}
        if not rest or rest[0] in ("fullquery", "count"):
            raise nest_error(404, f"Cannot {method} /api/v3/datasets/{'/'.join(rest)}")
        pid, sub = rest[0], rest[1:]
        doc = cat.dataset_for(user, pid)
        if method == "GET" and sub == []:
            return 200, to_v3(doc)
        if method == "GET" and sub == ["origdatablocks"]:
            return 200, cat.blocks_of(pid)
        if method == "GET" and sub == ["attachments"]:
            return 200, [attachment_v3(a) for a in cat.attachments_of(pid)]
        if method == "GET" and sub == ["thumbnail"]:
            found = cat.attachments_of(pid)
            return 200, ({"thumbnail": found[0]["thumbnail"]} if found and found[0].get("thumbnail") else {})
        if method == "POST" and sub == ["attachments"]:
            return 201, self.create_attachment(user, doc, body)
        raise nest_error(404, f"Cannot {method} /api/v3/datasets/{'/'.join(rest)}")

    def create_derived(self, user, body):
        cat = self.catalog
        if not isinstance(body, dict):
            raise validation_error([("body", "isObject", "the body must be a JSON object")])
        if body.get("type") != "derived":
            raise HttpError(400, {"status": 400, "message": "The contract server creates derived datasets only"})
        errors = [(k, "whitelistValidation", f"property {k} should not exist") for k in body if k not in DERIVED_FIELDS]
        errors += [(k, "isDefined", f"{k} should not be null or undefined") for k in DERIVED_REQUIRED if body.get(k) is None]
        errors += [(k, "isValid", f"{k} has the wrong type (expected {DERIVED_FIELDS[k]})") for k, v in body.items()
                   if k in DERIVED_FIELDS and v is not None and not check_value(DERIVED_FIELDS[k], v)]
        if errors:
            raise validation_error(errors)
        if body["ownerGroup"] not in user["groups"]:
            raise nest_error(403, "Unauthorized to create this dataset")
        pid = body.get("pid") or f"{seed.PID_PREFIX}/{uuid.uuid4()}"
        if pid in cat.by_pid:
            raise nest_error(409, f"A dataset with pid {pid} already exists!")
        stamp = now()
        doc = {k: v for k, v in body.items() if k not in ("investigator", "proposalId")}
        doc.update(pid=pid, principalInvestigators=[body["investigator"]], proposalIds=[body["proposalId"]] if
                   body.get("proposalId") else [], sampleIds=[], instrumentIds=[], createdBy=user["username"],
                   updatedBy=user["username"], createdAt=stamp, updatedAt=stamp, version="v3",
                   creationTime=seed.iso(datetime.fromisoformat(body["creationTime"].replace("Z", "+00:00"))),
                   sourceFolder=body["sourceFolder"].rstrip("/") or "/",
                   isPublished=body.get("isPublished", False), scientificMetadata=body.get("scientificMetadata", {}))
        with cat.lock:
            cat.datasets.append(doc)
            cat.by_pid[pid] = doc
        return to_v3(doc)

    def create_attachment(self, user, dataset, body):
        cat = self.catalog
        extra = [k for k in body if k not in ATTACHMENT_FIELDS]
        if extra or not isinstance(body.get("ownerGroup"), str):
            messages = [f"property {k} should not exist" for k in extra] or ["ownerGroup must be a string"]
            raise HttpError(400, {"message": messages, "error": "Bad Request", "statusCode": 400})
        if dataset["ownerGroup"] not in user["groups"]:
            raise nest_error(403, "Unauthorized access")
        thumb = body.get("thumbnail", "")
        if thumb and not (isinstance(thumb, str) and thumb.startswith("data:image/")):
            raise HttpError(400, {"message": ["thumbnail must be a data URI"], "error": "Bad Request", "statusCode": 400})
        stamp = now()
        att = {"aid": body.get("id") or str(uuid.uuid4()), "ownerGroup": dataset["ownerGroup"],
               "accessGroups": body.get("accessGroups", []), "isPublished": False, "thumbnail": thumb,
               "caption": body.get("caption", ""), "createdBy": user["username"], "updatedBy": user["username"],
               "createdAt": stamp, "updatedAt": stamp,
               "relationships": [{"targetId": dataset["pid"], "targetType": "dataset", "relationType": "is attached to"}]}
        with cat.lock:
            cat.attachments.append(att)
        return attachment_v3(att)

    def control(self, method, rest, body):
        cat = self.catalog
        if method == "POST" and rest == ["fail"]:
            cat.failures.extend([int(body.get("status", 503))] * int(body.get("count", 1)))
        elif method == "POST" and rest == ["delay"]:
            cat.delays.extend([float(body.get("seconds", 1))] * int(body.get("count", 1)))
        elif method == "POST" and rest == ["expire-tokens"]:
            cat.tokens = {t: (u, 0.0) for t, (u, _) in cat.tokens.items()}
        elif method == "POST" and rest == ["reset"]:
            cat.failures.clear()
            cat.delays.clear()
            cat.log.clear()
        elif method == "GET" and rest == ["requests"]:
            return 200, cat.log
        else:
            raise nest_error(404, "unknown contract control")
        return 200, {"ok": True}


def exit_with_parent(parent: int) -> None:
    """A test runner that dies without stopping us must not leave a server behind: exit once orphaned."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--count", type=int, default=300, help="raw datasets to seed (plus a tenth derived)")
    parser.add_argument("--data-root", type=Path, help="where the on-disk phantoms go (beamline root mapped here)")
    parser.add_argument("--token", help="a long-lived token for user mdlma")
    parser.add_argument("--token-ttl", type=float, default=3600, help="seconds a login token lives (backend: 3600)")
    args = parser.parse_args(argv)
    Handler.catalog = Catalog(args.count, args.data_root.resolve() if args.data_root else None, args.token_ttl)
    if args.token:
        Handler.catalog.tokens[args.token] = ("mdlma", time.time() + 10 * 365 * 86400)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    server.daemon_threads = True
    url = f"http://{args.host}:{server.server_address[1]}"
    print(json.dumps({"url": url, "dataRoot": str(args.data_root.resolve()) if args.data_root else None,
                      "beamlineRoot": seed.BEAMLINE_ROOT, "datasets": len(Handler.catalog.datasets)}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
