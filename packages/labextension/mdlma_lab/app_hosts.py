"""Which hosts jupyter-server-proxy may reach for apps spawned as Slurm jobs (`/proxy/<host>:<port>/`).

jupyter-server-proxy refuses every host outside `ServerProxy.host_allowlist` (default: localhost only).
Unless that is configured, mdlma_lab sets it to an `AppHosts`: the patterns of `MdlmaLab.app_hosts`
(shell-style, e.g. ``["node*.cluster", "10.1.*"]``), or by default the loopback names, this machine's
names and the cluster's compute nodes (names, host names and addresses from `mdlma slurm nodes`, read
again at most once a minute when the job panel asks for an app's address).

    c.MdlmaLab.app_hosts = ["gpu*", "cn[0-9]*.hpc.example.org"]
"""
import socket
import time
from fnmatch import fnmatchcase

from traitlets import List, Unicode
from traitlets.config import Configurable

from .cli import MdlmaCliError, run_json


class MdlmaLab(Configurable):
    """Settings of the mdlma_lab server extension."""

    app_hosts = List(
        Unicode(),
        default_value=None,
        allow_none=True,
        config=True,
        help="Hosts (shell-style patterns) that spawned apps may be opened on through jupyter-server-proxy. "
        "Default: loopback, this machine's names and the Slurm cluster's compute nodes.",
    )


class AppHosts:
    """The allowlist: callable as jupyter-server-proxy's `host_allowlist(handler, host)`."""

    REFRESH_SECONDS = 60

    def __init__(self, patterns=None):
        self.configured = patterns is not None
        self.patterns = list(patterns) if patterns is not None else self.local_names()
        self.nodes: set[str] = set()
        self.nodes_read = 0.0

    @staticmethod
    def local_names() -> list:
        """Loopback and this machine's own names."""
        names = {"localhost", "127.0.0.1", "::1", socket.gethostname(), socket.getfqdn()}
        return sorted(n for n in names if n)

    def allows(self, host) -> bool:
        """True when `host` matches a pattern or (default mode) is a known compute node; False for a host that
        is not a non-empty string (a malformed app connection file must not open the proxy, nor crash it)."""
        if not isinstance(host, str) or not host.strip("[]"):
            return False
        host = host.strip("[]").lower()
        if any(fnmatchcase(host, pattern.lower()) for pattern in self.patterns):
            return True
        return not self.configured and host in self.nodes

    def __call__(self, handler, host: str) -> bool:
        allowed = self.allows(host)
        if not allowed:
            handler.log.warning("mdlma_lab: proxy to %s refused (not in MdlmaLab.app_hosts or the Slurm nodes)", host)
        return allowed

    async def refresh_nodes(self) -> None:
        """Reads the compute nodes of the cluster again (at most once a minute; Slurm down: kept as they were)."""
        if self.configured or time.monotonic() - self.nodes_read < self.REFRESH_SECONDS:
            return
        self.nodes_read = time.monotonic()
        try:
            nodes = (await run_json(["slurm", "nodes"], timeout=30)).get("nodes", [])
        except MdlmaCliError:
            return
        self.nodes = {
            value.lower() for node in nodes for value in (node.get("name"), node.get("hostname"), node.get("address")) if value
        }


def link_app_hosts(server_app):
    """Makes jupyter-server-proxy ask an `AppHosts` and returns it; None (and nothing changed) when the
    user configured ServerProxy.host_allowlist themselves."""
    if "host_allowlist" in server_app.config.get("ServerProxy", {}):
        return None
    hosts = AppHosts(MdlmaLab(parent=server_app).app_hosts)
    server_app.config.ServerProxy.host_allowlist = hosts
    return hosts
