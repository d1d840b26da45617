"""Real DNS servers (Debian's dnsmasq) on loopback, with a record for every CNAME-check outcome.

Two dnsmasq processes: the main one answers for ``example.test``; a second one answers
for ``loop.test`` and sends ``example.test`` back to the first, so a CNAME loop across
two zones can exist (dnsmasq refuses to start with a loop inside its own records).

What dnsmasq 2.90 really does with the failure cases (checked here):
- ``--server=/servfail.example.test/#`` with no upstream servers: it answers REFUSED at
  once. dnspython reports REFUSED and SERVFAIL from every server alike (NoNameservers),
  so the check calls both ``servfail``.
- ``--server=/slow.example.test/127.0.0.1#<closed port>``: it forwards and never answers,
  so the client times out.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import pytest

from portal_app.devserver import free_port

TARGET = "portal.example.test"
LONG_CHAIN = 10  # longer than dns_check.MAX_CHAIN


def _records(loop_port: int, closed_port: int) -> list[str]:
    longs = [f"--cname=long{i}.example.test,long{i + 1}.example.test" for i in range(LONG_CHAIN)]
    return [
        f"--host-record={TARGET},127.0.0.1",
        f"--cname=good.example.test,{TARGET}",  # verified
        "--cname=chain.example.test,hop.example.test",  # verified in two steps
        f"--cname=hop.example.test,{TARGET}",
        "--host-record=arecord.example.test,203.0.113.5",  # A only
        "--host-record=aaaa.example.test,2001:db8::5",  # AAAA only
        "--host-record=dual.example.test,203.0.113.6,2001:db8::6",  # A and AAAA
        "--cname=other.example.test,elsewhere.example.test",  # CNAME to another host
        "--host-record=elsewhere.example.test,198.51.100.7",
        "--cname=deadend.example.test,gone.example.test",  # CNAME to a name that is not there
        "--txt-record=txtonly.example.test,hello",  # exists, no CNAME/A/AAAA
        *longs,
        f"--cname=long{LONG_CHAIN}.example.test,{TARGET}",  # reaches it, but too far away
        "--cname=loop.example.test,back.loop.test",  # loop: continued by the second server
        f"--server=/loop.test/127.0.0.1#{loop_port}",
        "--server=/servfail.example.test/#",  # REFUSED (see module docstring)
        f"--server=/slow.example.test/127.0.0.1#{closed_port}",  # never answers
        "--local=/example.test/",  # anything else under example.test: NXDOMAIN
    ]


@dataclass(frozen=True)
class DnsServer:
    """The running servers. ``nameservers`` is what PORTAL_DNS_NAMESERVERS parses to."""

    port: int
    closed_port: int  # nothing listens here: a nameserver that times out
    log: Path

    @property
    def nameservers(self) -> tuple[tuple[str, int], ...]:
        return (("127.0.0.1", self.port),)

    @property
    def dead_nameservers(self) -> tuple[tuple[str, int], ...]:
        return (("127.0.0.1", self.closed_port),)


def binary() -> str | None:
    return shutil.which("dnsmasq") or (
        "/usr/sbin/dnsmasq" if os.access("/usr/sbin/dnsmasq", os.X_OK) else None
    )


def available() -> bool:
    return binary() is not None


def _start(tmp: Path, name: str, port: int, args: list[str]) -> subprocess.Popen:
    cmd = [
        binary(),
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        f"--pid-file={tmp / (name + '.pid')}",
        f"--port={port}",
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--no-resolv",
        "--no-hosts",
        "--log-queries",
        "--log-facility=-",
        *args,
    ]
    os.chmod(tmp, 0o777)  # dnsmasq drops to "nobody" when started as root
    log = open(tmp / f"{name}.log", "w")  # noqa: SIM115 (the child keeps writing to it)
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)


def _wait_answering(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    query = dns.message.make_query(TARGET, "A")
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"dnsmasq exited:\n{log.read_text()}")
        try:
            dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
            return
        except (dns.exception.Timeout, OSError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"dnsmasq did not answer:\n{log.read_text()}") from None


@contextlib.contextmanager
def running() -> Iterator[DnsServer]:
    """For fixtures: the servers, or a skip when dnsmasq is missing (a failure in CI)."""
    if not available():
        if os.environ.get("CI"):
            pytest.fail("dnsmasq is missing: `make test` installs dnsmasq-base")
        pytest.skip("dnsmasq is not installed (make test installs dnsmasq-base)")
    with dnsmasq() as server:
        yield server


@contextlib.contextmanager
def dnsmasq() -> Iterator[DnsServer]:
    """Start both servers on free loopback ports; stop them on exit."""
    tmp = Path(tempfile.mkdtemp(prefix="portal-dns-"))
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    port, loop_port, closed_port = sorted(ports)
    procs = []
    try:
        procs.append(
            _start(
                tmp,
                "loop",
                loop_port,
                [
                    "--local=/loop.test/",
                    "--cname=back.loop.test,loop.example.test",
                    f"--server=/example.test/127.0.0.1#{port}",
                ],
            )
        )
        procs.append(_start(tmp, "main", port, _records(loop_port, closed_port)))
        _wait_answering(port, procs[-1], tmp / "main.log")
        _wait_answering(loop_port, procs[0], tmp / "loop.log")
        yield DnsServer(port=port, closed_port=closed_port, log=tmp / "main.log")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
