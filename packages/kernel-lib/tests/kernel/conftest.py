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

    def execute(self, code: str, timeout: float = 60):
        """Run a cell; returns (execute_reply content, [(msg_type, content, buffers)])."""
        msg_id = self.kc.execute(code)
        return self.collect(msg_id, timeout)

    def collect(self, msg_id: str, timeout: float = 60):
        outputs = []
        deadline = time.time() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                break
            if kind != "status":
                outputs.append((kind, msg["content"], msg.get("buffers", [])))
        reply = self.shell_reply(msg_id, timeout)
        return reply["content"], outputs

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
def kernel(work_dir):
    km, kc = start_new_kernel(kernel_name="mdlma", cwd=str(work_dir), startup_timeout=120)
    try:
        yield KernelSession(km, kc, work_dir)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
