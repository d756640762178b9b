"""Which hosts jupyter-server-proxy may reach for spawned apps: MdlmaLab.app_hosts, or loopback, this machine and the Slurm nodes."""
import socket
import sys
from pathlib import Path

from jupyter_server.serverapp import ServerApp
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mdlma_lab.app_hosts import AppHosts, link_app_hosts  # noqa: E402


def test_default_allows_loopback_this_machine_and_known_nodes_only():
    hosts = AppHosts()
    assert hosts.allows("localhost") and hosts.allows("127.0.0.1") and hosts.allows(socket.gethostname())
    assert not hosts.allows("example.org") and not hosts.allows("node7")
    hosts.nodes = {"node7", "10.0.0.7"}  # what `mdlma slurm nodes` reported
    assert hosts.allows("node7") and hosts.allows("NODE7") and hosts.allows("10.0.0.7")


def test_configured_patterns_replace_the_defaults():
    app = ServerApp(config=Config({"MdlmaLab": {"app_hosts": ["gpu*.hpc.example.org", "10.1.*"]}}))
    hosts = link_app_hosts(app)
    assert app.config.ServerProxy.host_allowlist is hosts
    assert hosts.allows("gpu12.hpc.example.org") and hosts.allows("10.1.2.3")
    assert not hosts.allows("localhost") and not hosts.allows("cpu1.hpc.example.org")
    hosts.nodes = {"cpu1.hpc.example.org"}
    assert not hosts.allows("cpu1.hpc.example.org"), "configured patterns are the whole list"


def test_a_configured_proxy_allowlist_is_left_alone():
    app = ServerApp(config=Config({"ServerProxy": {"host_allowlist": ["only.this"]}}))
    assert link_app_hosts(app) is None
    assert app.config.ServerProxy.host_allowlist == ["only.this"]


def test_a_host_that_is_not_text_is_refused_not_a_crash():
    """A connection file's host of the wrong JSON type (a number, null) used to raise AttributeError: a 500."""
    hosts = AppHosts()
    for host in (5, None, "", "[]", ["localhost"]):
        assert hosts.allows(host) is False
