"""Reads the machine-readable reports of the test layers and prints what ran: passed, failed and skipped per layer
and in total, every skipped test with its reason from the allow-list, and one line for each thing that fails the run.

Each failed test is listed with the first lines of its failure message, so that the end of a CI log says what broke.

A run fails on a failed test, on a layer whose runner exited non-zero, on a layer that left no report (it crashed
before its first test) or ran no test, and on a skipped test that tests/allowed-skips.txt does not list.

    python3 scripts/test_summary.py LOGS ALLOW_LIST LAYER...

Each LAYER left LOGS/LAYER.rc (the runner's exit code, seconds) and its reports: LOGS/LAYER*.xml (JUnit: pytest,
Playwright) or LOGS/LAYER*.json (jest's --json).

MDLMA Lab, BSD-3-Clause.
"""
from __future__ import annotations

import fnmatch
import json
import re
import sys
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class LayerResult:
    """What one layer's reports say."""
    passed: int = 0
    failed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (test id, the runner's reason)
    reports: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (test id, the start of its failure message)

    def fail(self, test_id: str, message: str) -> None:
        self.failed += 1
        self.failures.append((test_id, message))


def shown(path: Path) -> Path:
    """A path as the user reads it: relative to the repository when inside it."""
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
MESSAGE_LINES = 12


def message_start(text: str) -> str:
    """The first non-blank lines of a failure message, without terminal colours; of a pytest traceback, its `E` lines
    (the assertion and the values), which come after the test's source."""
    lines = [line.rstrip() for line in ANSI_ESCAPE.sub("", text or "").splitlines() if line.strip()]
    lines = [line for line in lines if line.startswith("E ")] or lines
    return textwrap.dedent("\n".join(lines[:MESSAGE_LINES])) + ("\n…" if len(lines) > MESSAGE_LINES else "")


def junit_message(failure: ET.Element) -> str:
    """pytest puts the error in the message attribute, Playwright only the test's title: the text says the rest."""
    return message_start(failure.text or "") or message_start(failure.get("message") or "")


def read_jest(path: Path, result: LayerResult) -> None:
    """jest --json: a test file that could not run counts as one failure."""
    data = json.loads(path.read_text())
    for suite in data.get("testResults", []):
        rel = shown(Path(suite["name"]).resolve())
        if suite.get("testExecError") or (suite.get("status") == "failed" and not suite.get("assertionResults")):
            error = suite.get("testExecError") or {}
            result.fail(str(rel), message_start(error.get("message") or suite.get("message") or ""))
        for test in suite.get("assertionResults", []):
            status = test.get("status")
            if status == "passed":
                result.passed += 1
            elif status == "failed":
                result.fail(f"{rel} > {test.get('fullName') or test.get('title')}", message_start("\n".join(test.get("failureMessages") or [])))
            elif status in ("pending", "skipped", "todo", "disabled"):
                result.skipped.append((f"{rel} > {test.get('fullName') or test.get('title')}", status))


def read_junit(path: Path, result: LayerResult) -> None:
    """JUnit XML of pytest (junit_family=xunit1: file attributes) or Playwright (classname is the spec file)."""
    root = ET.parse(path).getroot()
    for suite in root.iter("testsuite"):
        # Playwright names the project in the suite's hostname; pytest puts the machine's there (its suite is "pytest").
        project = suite.get("hostname") if suite.get("name") != "pytest" and suite.get("hostname") else None
        for case in suite.findall("testcase"):
            where = case.get("file") or case.get("classname") or ""
            test_id = f"{where}::{case.get('name')}" if case.get("file") else f"{where} > {case.get('name')}"
            if project:
                test_id = f"[{project}] {test_id}"
            if (failure := case.find("failure") if case.find("failure") is not None else case.find("error")) is not None:
                result.fail(test_id, junit_message(failure))
            elif (skip := case.find("skipped")) is not None:
                result.skipped.append((test_id, (skip.get("message") or skip.text or "").strip()))
            else:
                result.passed += 1


def read_layer(logs: Path, layer: str) -> LayerResult:
    result = LayerResult()
    for path in sorted(logs.glob(f"{layer}*.xml")) + sorted(logs.glob(f"{layer}*.json")):
        if not path.name.startswith((f"{layer}.", f"{layer}-")):
            continue
        result.reports += 1
        (read_jest if path.suffix == ".json" else read_junit)(path, result)
    return result


def read_allow_list(path: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Entries `layer: test-id-glob | reason`, one a line; `#` comments. Returns (entries, problems)."""
    entries, problems = [], []
    for n, line in enumerate(path.read_text().splitlines(), 1) if path.exists() else []:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        layer, sep, rest = text.partition(":")
        pattern, bar, reason = rest.partition("|")
        if not sep or not bar or not pattern.strip() or not reason.strip():
            problems.append(f"{shown(path)}:{n}: expected `layer: test id | reason`, got {line.strip()!r}")
            continue
        entries.append((layer.strip(), pattern.strip(), reason.strip()))
    return entries, problems


def main(logs: Path, allow_path: Path, layers: list[str]) -> int:
    allowed, problems = read_allow_list(allow_path)
    totals = [0, 0, 0]
    rows, skipped_lines, failure_lines, used = [], [], [], set()
    for layer in layers:
        rc_file = logs / f"{layer}.rc"
        code, seconds = (int(x) for x in rc_file.read_text().split()) if rc_file.exists() else (1, 0)
        r = read_layer(logs, layer)
        ran = r.passed + r.failed + len(r.skipped)
        if r.reports == 0:
            problems.append(f"layer {layer}: crashed before its first test (exit {code}, no report): see .test-logs/{layer}.log")
            r.failed += 1
        elif ran == 0:
            problems.append(f"layer {layer}: ran 0 tests (exit {code}): see .test-logs/{layer}.log")
            r.failed += 1
        elif code != 0 and r.failed == 0:
            problems.append(f"layer {layer}: the runner exited {code} although no test failed: see .test-logs/{layer}.log")
            r.failed += 1
        elif r.failed:
            problems.append(f"layer {layer}: {r.failed} failed: see .test-logs/{layer}.log")
        for test_id, message in r.failures:
            failure_lines.append(f"  {layer}: {test_id}")
            failure_lines.extend(f"      {line}" for line in message.splitlines())
        for test_id, why in r.skipped:
            match = next((e for e in allowed if e[0] == layer and fnmatch.fnmatchcase(test_id, e[1])), None)
            if match:
                used.add(match[:2])
                skipped_lines.append(f"  {layer}: {test_id}: {match[2]}")
            else:
                problems.append(f"layer {layer}: skipped and not in {shown(allow_path)}: {test_id} ({why or 'no reason given'})")
        totals[0] += r.passed
        totals[1] += r.failed
        totals[2] += len(r.skipped)
        rows.append(f"{layer:<10} {r.passed:5d} passed {r.failed:4d} failed {len(r.skipped):4d} skipped  {seconds:5d}s")
    print("== summary")
    print("\n".join(rows))
    if skipped_lines:
        print("skipped (allowed):")
        print("\n".join(skipped_lines))
    for layer, pattern, _ in allowed:
        if layer in layers and (layer, pattern) not in used:
            print(f"note: {shown(allow_path)} allows a skip that did not happen: {layer}: {pattern}")
    if failure_lines:
        print("failed:")
        print("\n".join(failure_lines))
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if problems or totals[1] else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), sys.argv[3:]))
