"""A SIP health probe: one OPTIONS request over UDP (RFC 3261 §11), and its answer.

Blocking (DNS, a socket wait up to the timeout): callers run it in a thread. The
request carries everything RFC 3261 §8.1.1 asks of one — Via with a ``z9hG4bK`` branch
and ``rport`` (RFC 3581, so a server behind NAT answers where we are), Max-Forwards,
From with a tag, To, Call-ID, CSeq, Contact, Content-Length: 0 — and a datagram counts
as the answer only when it is a SIP response to *this* request: same Call-ID, same Via
branch, CSeq ``OPTIONS``. Anything else that arrives (garbage, a late answer to an
earlier probe, a provisional 1xx) is ignored and the wait goes on.

200 OK means up; any other final SIP status means the server is reachable but said no
(a busy switch answers 503); no answer in time, a refused port (ICMP) or a host that
does not resolve means down.
"""

from __future__ import annotations

import secrets
import socket
import time
from dataclasses import dataclass

UP, REACHABLE, DOWN = "up", "reachable", "down"  # models.ProbeResult's values
MAX_DATAGRAM = 65535
USER_AGENT = "Carrier Portal health probe"
_COMPACT = {"i": "call-id", "v": "via", "f": "from", "t": "to", "l": "content-length"}


@dataclass(frozen=True)
class ProbeOutcome:
    result: str  # UP, REACHABLE or DOWN
    code: int | None = None  # the SIP status code, when there was an answer
    reason: str = ""  # its reason phrase ("OK", "Service Unavailable")
    latency_ms: int | None = None  # request sent → answer received
    error: str = ""  # why it is down, in plain words


@dataclass(frozen=True)
class SipResponse:
    code: int
    reason: str
    headers: dict[str, list[str]]  # lower-case full names; compact forms expanded


def _uri_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def options_request(
    host: str, port: int, *, local: tuple[str, int], call_id: str, branch: str, tag: str
) -> bytes:
    """The OPTIONS request for ``host:port``, sent from ``local`` (address, port)."""
    here = f"{_uri_host(local[0])}:{local[1]}"
    target = f"sip:{_uri_host(host)}:{port}"
    lines = [
        f"OPTIONS {target} SIP/2.0",
        f"Via: SIP/2.0/UDP {here};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:probe@{here}>;tag={tag}",
        f"To: <{target}>",
        f"Call-ID: {call_id}",
        "CSeq: 1 OPTIONS",
        f"Contact: <sip:probe@{here}>",
        "Accept: application/sdp",
        f"User-Agent: {USER_AGENT}",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_response(data: bytes) -> SipResponse | None:
    """A SIP response's status and headers, or None when ``data`` is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    parts = head[0].split(" ", 2)
    if len(parts) < 2 or parts[0] != "SIP/2.0" or not (len(parts[1]) == 3 and parts[1].isdigit()):
        return None
    headers: dict[str, list[str]] = {}
    for line in head[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        headers.setdefault(_COMPACT.get(key, key), []).append(value.strip())
    code = int(parts[1])
    return SipResponse(code, parts[2].strip() if len(parts) > 2 else "", headers)


def _answers(resp: SipResponse, call_id: str, branch: str) -> bool:
    """Whether ``resp`` answers our request (not another one's, nor a forged guess)."""
    via = resp.headers.get("via", [""])[0]
    params = {p.split("=", 1)[0].strip().lower(): p.partition("=")[2] for p in via.split(";")}
    cseq = resp.headers.get("cseq", [""])[0].split()
    return (
        resp.headers.get("call-id", [""])[0] == call_id
        and params.get("branch") == branch
        and cseq[-1:] == ["OPTIONS"]
    )


def _resolve(host: str, port: int) -> tuple:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM, proto=socket.IPPROTO_UDP)
    return infos[0][0], infos[0][4]


def sip_options(host: str, port: int, *, timeout: float = 2.0) -> ProbeOutcome:
    """Send one OPTIONS to ``host:port`` over UDP and wait up to ``timeout`` seconds for
    its final answer. Blocking: run it in a thread."""
    try:
        family, address = _resolve(host, port)
    except (OSError, UnicodeError):
        return ProbeOutcome(DOWN, error=f"{host} could not be resolved.")
    call_id = f"{secrets.token_hex(12)}@carrier-portal"
    branch = "z9hG4bK" + secrets.token_hex(10)
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(address)  # only datagrams from the server's address arrive
            local = sock.getsockname()[:2]
            request = options_request(
                host, port, local=local, call_id=call_id, branch=branch, tag=secrets.token_hex(6)
            )
            started = time.monotonic()
            deadline = started + timeout
            sock.send(request)
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                resp = parse_response(sock.recv(MAX_DATAGRAM))
                if resp is None or not _answers(resp, call_id, branch) or resp.code < 200:
                    continue  # not ours, or provisional (100 Trying): keep waiting
                latency = round((time.monotonic() - started) * 1000)
                result = UP if resp.code == 200 else REACHABLE
                return ProbeOutcome(result, resp.code, resp.reason, latency)
        except TimeoutError:
            pass
        except ConnectionRefusedError:
            return ProbeOutcome(DOWN, error="The port refused the request (nothing listens).")
        except OSError as exc:
            return ProbeOutcome(DOWN, error=f"Could not reach the server: {exc.strerror or exc}.")
    return ProbeOutcome(DOWN, error=f"No SIP answer within {timeout:g} s.")
