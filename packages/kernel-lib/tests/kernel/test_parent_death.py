"""The kernel ends when the process that launched it dies (issue 15, case 7a: an orphan ran 11 minutes).

A short-lived launcher starts the kernel and is SIGKILLed; the kernel must be gone within seconds.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import KernelSpecManager

# A jupyter_client launcher, as a Jupyter server is: it sets JPY_PARENT_PID to its own pid. It prints the
# kernel's pid once the kernel answered kernel_info and the optional cell (argv[2]) was sent.
JUPYTER_LAUNCHER = textwrap.dedent(
    """
    import sys, time
    from jupyter_client.manager import start_new_kernel
    km, kc = start_new_kernel(kernel_name="mdlma", cwd=sys.argv[1], startup_timeout=120)
    if len(sys.argv) > 2:
        kc.execute(sys.argv[2])
        time.sleep(1)
    print(km.provisioner.pid, flush=True)
    time.sleep(600)
    """
)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit may be left unreaped by this container's init)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _seconds_until_gone(pid: int, limit: float) -> float:
    start = time.time()
    while time.time() - start < limit:
        if not _running(pid):
            return time.time() - start
        time.sleep(0.1)
    return float("inf")


def _kill_orphan(pid: int):
    if _running(pid):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("cell", [None, "while (true) {}"], ids=["idle", "busy-in-a-synchronous-loop"])
def test_kernel_exits_when_its_jupyter_client_launcher_is_killed(work_dir, cell):
    argv = [sys.executable, "-c", JUPYTER_LAUNCHER, str(work_dir)] + ([cell] if cell else [])
    launcher = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    kernel_pid = int(launcher.stdout.readline())
    try:
        assert _running(kernel_pid)
        launcher.kill()
        launcher.wait()
        assert _seconds_until_gone(kernel_pid, limit=8) < 5, "the orphaned kernel is still running"
    finally:
        _kill_orphan(kernel_pid)


def test_kernel_exits_when_a_plain_launcher_without_jpy_parent_pid_dies(work_dir, tmp_path):
    connection_file, _ = write_connection_file(str(tmp_path / "kernel.json"), key=uuid.uuid4().hex.encode())
    argv = [a.replace("{connection_file}", connection_file) for a in KernelSpecManager().get_kernel_spec("mdlma").argv]
    env = {k: v for k, v in os.environ.items() if k != "JPY_PARENT_PID"}
    # The shell starts the kernel in the background and waits: the kernel's parent is the shell.
    script = " ".join(f"'{a}'" for a in argv) + " & echo $!; wait"
    launcher = subprocess.Popen(["bash", "-c", script], cwd=work_dir, env=env, stdout=subprocess.PIPE, text=True)
    kernel_pid = int(launcher.stdout.readline())
    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels(hb=False)  # the heartbeat misses while the kernel starts and would read as dead
    try:
        client.wait_for_ready(timeout=120)
        launcher.kill()
        launcher.wait()
        assert _seconds_until_gone(kernel_pid, limit=8) < 5, "the orphaned kernel is still running"
    finally:
        client.stop_channels()
        _kill_orphan(kernel_pid)
