"""Kernel tests: the real "TypeScript (MDLMA)" kernel started through jupyter_client.

The kernelspec must be installed in the venv (the set-up command does it).
"""
import os
import queue
import shutil
import time
import uuid
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

REPO = Path(__file__).resolve().parents[4]


class KernelSession:
    """A started kernel and helpers to run cells and exchange raw messages."""

    def __init__(self, km, kc, cwd: Path):
        self.km, self.kc, self.cwd = km, kc, cwd

    def execute(self, code: str, timeout: float = 60, **options):
        """Run a cell; returns (execute_reply content, [(msg_type, content, buffers)])."""
        msg_id = self.kc.execute(code, **options)
        return self.collect(msg_id, timeout)

    def collect(self, msg_id: str, timeout: float = 60):
        return self.collect_many([msg_id], timeout)[0]

    def collect_many(self, msg_ids, timeout: float = 60):
        """Replies and outputs of several requests sent back to back: [(reply content, outputs)] in order."""
        outputs = {msg_id: [] for msg_id in msg_ids}
        busy = set(msg_ids)
        deadline = time.time() + timeout
        while busy:
            msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            msg_id = msg["parent_header"].get("msg_id")
            if msg_id not in outputs:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                busy.discard(msg_id)
            elif kind != "status":
                outputs[msg_id].append((kind, msg["content"], msg.get("buffers", [])))
        replies = {}
        while len(replies) < len(msg_ids):
            reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
            if reply["parent_header"].get("msg_id") in outputs:
                replies[reply["parent_header"]["msg_id"]] = reply["content"]
        return [(replies[msg_id], outputs[msg_id]) for msg_id in msg_ids]

    def shell_reply(self, msg_id: str, timeout: float = 60):
        deadline = time.time() + timeout
        while True:
            reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def send_shell(self, msg_type: str, content: dict, buffers=None) -> str:
        msg = self.kc.session.msg(msg_type, content)
        self.kc.session.send(self.kc.shell_channel.socket, msg, buffers=buffers or [])
        return msg["header"]["msg_id"]

    def send_control(self, msg_type: str, content: dict) -> str:
        msg = self.kc.session.msg(msg_type, content)
        self.kc.session.send(self.kc.control_channel.socket, msg)
        return msg["header"]["msg_id"]

    def iopub_until(self, predicate, timeout: float = 30):
        """Next IOPub message for which predicate(msg) is true."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                break
            if predicate(msg):
                return msg
        raise AssertionError("no matching IOPub message within %ss" % timeout)

    def text(self, outputs) -> str:
        return "".join(c.get("text", "") for kind, c, _ in outputs if kind == "stream")


@pytest.fixture(scope="module")
def work_dir():
    """A folder inside the repo, so that @mdlma/kernel and @types/node resolve as from examples/."""
    path = REPO / "examples" / f".kernel-test-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def start_kernel():
    """start_kernel(cwd) -> KernelSession: a kernel whose notebook folder is cwd, shut down after the module."""
    started = []

    def start(cwd: Path) -> KernelSession:
        km, kc = start_new_kernel(kernel_name="mdlma", cwd=str(cwd), startup_timeout=120)
        started.append((km, kc))
        return KernelSession(km, kc, cwd)

    yield start
    for km, kc in started:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(start_kernel, work_dir):
    return start_kernel(work_dir)
