"""The part of MongoDB's query language that SciCat's filters pass through (where, fields, sort).

SciCat hands `where` to MongoDB as it is, so the contract server has to evaluate it the way MongoDB does:
dotted paths that reach into arrays, equality that matches an array element, `$regex` with `$options`,
and comparisons that never cross types (a string is neither greater nor less than a number).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$")


class QueryError(ValueError):
    """A filter MongoDB would reject (unknown operator, bad regex): the server answers 400."""


def values_at(doc: Any, path: str) -> list[Any]:
    """Every value a dotted path reaches; arrays on the way are searched element by element."""
    current = [doc]
    for part in path.split("."):
        found = []
        for value in current:
            if isinstance(value, dict) and part in value:
                found.append(value[part])
            elif isinstance(value, list):
                if part.isdigit() and int(part) < len(value):
                    found.append(value[int(part)])
                found.extend(v[part] for v in value if isinstance(v, dict) and part in v)
        current = found
    return current


def _date(value: Any) -> Any:
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return value


def _comparable(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Both sides in one type bracket (numbers, strings, dates), or None: MongoDB never compares across."""
    a, b = _date(a), _date(b)
    number = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if isinstance(a, number) and isinstance(b, number):
        return a, b
    if type(a) is type(b) and isinstance(a, (str, datetime)):
        return a, b
    return None


def _equal(value: Any, target: Any) -> bool:
    if isinstance(value, list) and not isinstance(target, list):
        return any(_equal(v, target) for v in value)
    pair = _comparable(value, target)
    return pair[0] == pair[1] if pair else value == target


def _compare(value: Any, target: Any, op: str) -> bool:
    if isinstance(value, list):
        return any(_compare(v, target, op) for v in value)
    pair = _comparable(value, target)
    if pair is None:
        return False
    a, b = pair
    return {"$gt": a > b, "$gte": a >= b, "$lt": a < b, "$lte": a <= b}[op]


def _regex(value: Any, pattern: Any, options: str) -> bool:
    flags = (re.I if "i" in options else 0) | (re.M if "m" in options else 0) | (re.S if "s" in options else 0)
    try:
        compiled = re.compile(pattern, flags)
    except (re.error, TypeError) as e:
        raise QueryError(f"invalid $regex {pattern!r}: {e}") from e
    candidates = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and compiled.search(v) for v in candidates)


def _field_matches(values: list[Any], condition: Any) -> bool:
    if not (isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition)):
        if condition is None:
            return not values or any(v is None for v in values)
        return any(_equal(v, condition) for v in values)
    for op, arg in condition.items():
        if op == "$options":
            continue
        if op == "$eq":
            ok = any(_equal(v, arg) for v in values) if arg is not None else not values or None in values
        elif op == "$ne":
            ok = not any(_equal(v, arg) for v in values)
        elif op in ("$gt", "$gte", "$lt", "$lte"):
            ok = any(_compare(v, arg, op) for v in values)
        elif op == "$in":
            if not isinstance(arg, list):
                raise QueryError("$in needs an array")
            ok = any(_equal(v, a) for v in values for a in arg) or (None in arg and not values)
        elif op == "$nin":
            if not isinstance(arg, list):
                raise QueryError("$nin needs an array")
            ok = not any(_equal(v, a) for v in values for a in arg)
        elif op == "$exists":
            ok = bool(values) == bool(arg)
        elif op == "$regex":
            ok = any(_regex(v, arg, condition.get("$options", "")) for v in values)
        elif op == "$not":
            ok = not _field_matches(values, arg)
        else:
            raise QueryError(f"unknown operator: {op}")
        if not ok:
            return False
    return True


def matches(doc: dict, where: dict) -> bool:
    """Whether a document satisfies a MongoDB `where` (an implicit $and of its keys)."""
    if not isinstance(where, dict):
        raise QueryError("where must be an object")
    for key, condition in where.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(condition, list) or not condition:
                raise QueryError(f"{key} needs a non-empty array")
            results = [matches(doc, sub) for sub in condition]
            ok = all(results) if key == "$and" else any(results) if key == "$or" else not any(results)
        elif key.startswith("$"):
            raise QueryError(f"unknown top-level operator: {key}")
        else:
            ok = _field_matches(values_at(doc, key), condition)
        if not ok:
            return False
    return True


def _sort_key(value: Any) -> tuple:
    # MongoDB's order of type brackets: null < numbers < strings < objects < arrays < booleans < dates.
    value = _date(value)
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (6, value)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, datetime):
        return (7, value)
    return (3, str(value))


def sort_docs(docs: list[dict], sort: dict[str, str]) -> list[dict]:
    """Stable multi-key sort, `{field: "asc" | "desc"}` (SciCat v4's form), first key most significant."""
    for field, direction in reversed(list(sort.items())):
        if direction not in ("asc", "desc"):
            raise QueryError(f"sort direction for {field} must be asc or desc")
        docs = sorted(docs, key=lambda d: _sort_key((values_at(d, field) or [None])[0]), reverse=direction == "desc")
    return docs


def project(doc: dict, fields: list[str], keep: list[str]) -> dict:
    """Only the listed (possibly dotted) fields plus `keep` (included relations)."""
    out: dict = {}
    for field in [*fields, *keep]:
        head, _, rest = field.partition(".")
        if head not in doc:
            continue
        if rest and isinstance(doc[head], dict):
            out.setdefault(head, {}).update(project(doc[head], [rest], []))
        else:
            out[head] = doc[head]
    return out
