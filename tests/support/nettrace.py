"""Reading ``strace`` output for calls that leave the machine: the offline tests' one judge.

``traced(command, log)`` runs a command under ``strace -f`` (every process it starts included),
recording each connect/sendto/sendmsg/sendmmsg with the socket's kind and peer (``-yy``).
``outbound_calls`` returns the lines that reach another machine or look up a host name: any
address outside loopback, any DNS query (port 53, even to a local resolver), and any question
to nscd or systemd-resolved over their local sockets.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess

import pytest

STRACE = shutil.which("strace")
TRACED_CALLS = "trace=connect,sendto,sendmsg,sendmmsg"
_CALLS = ("connect(", "sendto(", "sendmsg(", "sendmmsg(")

_SOCKADDR = re.compile(
    r"sa_family=AF_INET6?,\s*sin6?_port=htons\((?P<port>\d+)\).*?"
    r"(?:inet_addr\(\"(?P<v4>[^\"]+)\"\)|inet_pton\(AF_INET6,\s*\"(?P<v6>[^\"]+)\")"
)
# -yy shows a connected socket as <UDP:[local->peer]> / <TCPv6:[[::1]:1->[::1]:2]>
_CONNECTED = re.compile(r"<(?:TCP|UDP)(?:v6)?:\[.*?->\[?(?P<peer>[0-9a-fA-F.:]+?)\]?:(?P<port>\d+)\]>")
_UDP_SOCKET = re.compile(r"^\S+\s+connect\(\d+<UDP")
_UNIX_PATH = re.compile(r'sa_family=AF_UNIX,\s*sun_path="(?P<path>[^"]*)"')
# Where glibc and systemd hand a host-name lookup over a local socket.
_RESOLVER_SOCKETS = ("nscd", "resolve")


def _leaves(address: str, port: int) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return port == 53 or not ip.is_loopback


def outbound_calls(trace: str, *, allow_udp_route_probes: bool = False) -> list[str]:
    """The strace lines that reach beyond this machine or look up a host name.

    ``allow_udp_route_probes``: let a UDP ``connect`` to a non-DNS port pass when nothing is sent
    on it. Such a connect sends no packet (the kernel only picks a route); chromium does it to
    learn whether IPv6 is routable. Anything sent on that socket is still caught.
    """
    found = []
    for line in trace.splitlines():
        if not any(call in line for call in _CALLS):
            continue
        for match in _SOCKADDR.finditer(line):
            port = int(match["port"])
            if not _leaves(match["v4"] or match["v6"], port):
                continue
            if allow_udp_route_probes and port != 53 and _UDP_SOCKET.match(line):
                continue
            found.append(line.strip())
        for match in _CONNECTED.finditer(line):
            if " connect(" not in line and _leaves(match["peer"], int(match["port"])):
                found.append(line.strip())
        for match in _UNIX_PATH.finditer(line):
            if any(name in match["path"] for name in _RESOLVER_SOCKETS):
                found.append(line.strip())
    return list(dict.fromkeys(found))


def traced(command: list[str], log) -> list[str]:
    """``command`` under strace -f, its network calls written to ``log``."""
    return [STRACE, "-f", "-qq", "-yy", "-s", "64", "-e", TRACED_CALLS, "-o", str(log), *command]


def require_strace() -> None:
    """Skip on a workstation without a working strace; fail under CI, where the check must run."""
    problem = None
    if STRACE is None:
        problem = "strace is missing (apt-get install strace)"
    else:
        probe = subprocess.run([STRACE, "-f", "-qq", "-e", "trace=connect", "-o", os.devnull, "true"],
                               capture_output=True, text=True, timeout=30)
        if probe.returncode != 0:
            problem = f"strace cannot trace here: {probe.stderr.strip()}"
    if problem:
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
