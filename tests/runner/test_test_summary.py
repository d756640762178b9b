"""scripts/test.sh and its summary: what a run that hides something looks like, and that each such run fails.

The summary reads the runners' reports (JUnit XML of pytest and Playwright, jest's JSON); these tests write small
reports of each kind, as the runners do, and check the verdict and the line that says what and where.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SUMMARY = REPO / "scripts" / "test_summary.py"

PYTEST_XML = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="0"
skipped="1" tests="3" hostname="ci-machine"><testcase classname="t" name="test_a" file="tests/t.py" line="1" time="0.1"/>
<testcase classname="t" name="test_b" file="tests/t.py" line="5" time="0.1"/>
<testcase classname="t" name="test_gpu" file="tests/t.py" line="9" time="0.0">
<skipped type="pytest.skip" message="needs a GPU">tests/t.py:9: needs a GPU</skipped></testcase></testsuite></testsuites>
"""
PLAYWRIGHT_XML = """<testsuites tests="2" failures="1" skipped="0"><testsuite name="a.spec.ts" hostname="root" tests="2">
<testcase name="opens the panel" classname="a.spec.ts" time="1"/>
<testcase name="submits a job" classname="a.spec.ts" time="1"><failure message="a.spec.ts:3:1 submits a job">
    Error: expect(locator).toHaveText(expected) failed
    Expected: "Page 1"
</failure></testcase>
</testsuite></testsuites>
"""


def jest_json(statuses: list[str]) -> str:
    tests = [{"fullName": f"module case {i}", "title": f"case {i}", "status": s} for i, s in enumerate(statuses)]
    return json.dumps({"testResults": [{"name": str(REPO / "packages/kernel-lib/src/x.test.ts"), "assertionResults": tests}]})


def summarise(logs: Path, layers: dict[str, int], allow: str = "") -> subprocess.CompletedProcess:
    for layer, code in layers.items():
        (logs / f"{layer}.rc").write_text(f"{code} 3\n")
    allow_file = logs / "allowed-skips.txt"
    allow_file.write_text(allow)
    return subprocess.run([sys.executable, str(SUMMARY), str(logs), str(allow_file), *layers], capture_output=True, text=True)


def test_counts_passed_failed_and_skipped_per_layer_and_in_total(tmp_path):
    (tmp_path / "kernel.xml").write_text(PYTEST_XML)
    (tmp_path / "unit-kernel-lib.json").write_text(jest_json(["passed", "passed", "failed"]))
    done = summarise(tmp_path, {"kernel": 0, "unit": 1}, allow="kernel: tests/t.py::test_gpu | CUDA provider: needs a GPU\n")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(line.split()[:7] == ["kernel", "2", "passed", "0", "failed", "1", "skipped"] for line in lines)
    assert any(line.split()[:7] == ["unit", "2", "passed", "1", "failed", "0", "skipped"] for line in lines)
    assert "  kernel: tests/t.py::test_gpu: CUDA provider: needs a GPU" in lines
    assert lines[-1] == "4 passed, 1 failed, 1 skipped"


def test_a_skip_not_in_the_allow_list_fails_the_run_naming_the_test(tmp_path):
    (tmp_path / "kernel.xml").write_text(PYTEST_XML)
    done = summarise(tmp_path, {"kernel": 0})
    assert done.returncode == 1
    assert "FAIL layer kernel: skipped and not in" in done.stdout
    assert "tests/t.py::test_gpu (needs a GPU)" in done.stdout


def test_a_layer_that_crashed_before_its_first_test_fails_the_run(tmp_path):
    done = summarise(tmp_path, {"notebooks": 4})
    assert done.returncode == 1
    assert "FAIL layer notebooks: crashed before its first test (exit 4, no report): see .test-logs/notebooks.log" in done.stdout


def test_a_layer_that_ran_no_test_fails_the_run(tmp_path):
    (tmp_path / "unit-widgets.json").write_text(jest_json([]))
    done = summarise(tmp_path, {"unit": 0})
    assert done.returncode == 1
    assert "FAIL layer unit: ran 0 tests (exit 0)" in done.stdout


def test_a_runner_that_exits_non_zero_without_a_failed_test_fails_the_run(tmp_path):
    (tmp_path / "unit-widgets.json").write_text(jest_json(["passed"]))
    done = summarise(tmp_path, {"unit": 1})
    assert done.returncode == 1
    assert "the runner exited 1 although no test failed" in done.stdout


def test_playwright_failures_count_and_a_clean_run_passes(tmp_path):
    (tmp_path / "ui.xml").write_text(PLAYWRIGHT_XML)
    assert summarise(tmp_path, {"ui": 1}).stdout.splitlines()[-1] == "1 passed, 1 failed, 0 skipped"
    (tmp_path / "ui.xml").write_text(re.sub(r"<failure .*</failure>", "", PLAYWRIGHT_XML, flags=re.S))
    done = summarise(tmp_path, {"ui": 0})
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[-1] == "2 passed, 0 failed, 0 skipped"


def test_each_failed_test_is_listed_with_the_start_of_its_message_so_a_log_tail_says_what_broke(tmp_path):
    (tmp_path / "ui.xml").write_text(PLAYWRIGHT_XML)
    failing_pytest = PYTEST_XML.replace(
        '<testcase classname="t" name="test_b" file="tests/t.py" line="5" time="0.1"/>',
        '<testcase classname="t" name="test_b" file="tests/t.py" line="5" time="0.1"><failure message="assert 1 == 2">'
        "def test_b():\n&gt;       assert 1 == 2\nE       assert 1 == 2\n\ntests/t.py:6: AssertionError</failure></testcase>")
    (tmp_path / "kernel.xml").write_text(failing_pytest)
    (tmp_path / "unit-widgets.json").write_text(json.dumps({"testResults": [{"name": str(REPO / "packages/widgets/src/y.test.ts"), "assertionResults": [
        {"fullName": "panel paints", "status": "failed", "failureMessages": ["\x1b[31mExpected: 3\x1b[39m\nReceived: 4\n    at Object.<anonymous> (y.test.ts:9:1)"]}]}]}))
    lines = summarise(tmp_path, {"unit": 1, "kernel": 1, "ui": 1}).stdout.splitlines()
    failed = lines[lines.index("failed:") + 1:]
    assert failed[:4] == ["  unit: packages/widgets/src/y.test.ts > panel paints", "      Expected: 3", "      Received: 4", "          at Object.<anonymous> (y.test.ts:9:1)"]
    assert failed[4:6] == ["  kernel: tests/t.py::test_b", "      E       assert 1 == 2"]
    assert failed[6:9] == ["  ui: [root] a.spec.ts > submits a job", "      Error: expect(locator).toHaveText(expected) failed", '      Expected: "Page 1"']


def test_a_malformed_allow_list_line_fails_the_run_with_its_line_number(tmp_path):
    (tmp_path / "kernel.xml").write_text(PYTEST_XML)
    done = summarise(tmp_path, {"kernel": 0}, allow="# comment\nkernel: tests/t.py::test_gpu\n")
    assert done.returncode == 1
    assert "allowed-skips.txt:2: expected `layer: test id | reason`" in done.stdout


def test_an_unknown_layer_name_fails_before_the_set_up(tmp_path):
    done = subprocess.run(["bash", str(REPO / "scripts" / "test.sh"), "unit", "kernal"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip() == "test.sh: unknown layer 'kernal' (layers: unit kernel server models notebooks ui)"
