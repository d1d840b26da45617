"""A small real SIP responder on loopback UDP, for the health-probe tests.

It answers each OPTIONS the way a SIP server does (RFC 3261 §8.2.6): the Via, From,
Call-ID and CSeq copied back, To with a tag added. ``mode`` picks the behaviour:

- ``ok``: 200 OK at once;
- ``busy``: 503 Service Unavailable;
- ``silent``: no answer at all;
- ``slow``: 200 OK after ``delay`` seconds;
- ``garbage``: a datagram that is not SIP, then 200 OK;
- ``wrong_call_id``: a 200 OK for another Call-ID (and nothing else);
- ``trying``: 100 Trying, then 200 OK.

Every request received is kept in ``requests`` so a test can read what was sent;
``sent`` counts the datagrams sent back.
"""

from __future__ import annotations

import socket
import threading
import time


def _headers(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.split("\r\n\r\n", 1)[0].split("\r\n")[1:]:
        name, _, value = line.partition(":")
        out.append((name.strip(), value.strip()))
    return out


def response(request: str, code: int, reason: str, *, call_id: str | None = None) -> bytes:
    """The response to ``request`` with this status (Call-ID replaced when given)."""
    lines = [f"SIP/2.0 {code} {reason}"]
    for name, value in _headers(request):
        key = name.lower()
        if key == "via" or key == "from" or key == "cseq":
            lines.append(f"{name}: {value}")
        elif key == "to":
            lines.append(f"{name}: {value};tag=resp{code}")
        elif key == "call-id":
            lines.append(f"{name}: {call_id or value}")
    lines += ["Allow: INVITE, ACK, CANCEL, BYE, OPTIONS", "Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class SipResponder:
    """``with SipResponder() as sip:`` listens on 127.0.0.1:``sip.port`` in a thread."""

    def __init__(self, mode: str = "ok", delay: float = 0.0):
        self.mode, self.delay = mode, delay
        self.requests: list[str] = []
        self.sent = 0  # datagrams sent back
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="sip-responder")

    def __enter__(self) -> SipResponder:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            text = data.decode("utf-8", "replace")
            self.requests.append(text)
            if text.startswith("OPTIONS "):
                for datagram in self._answers(text):
                    self._sock.sendto(datagram, peer)
                    self.sent += 1

    def _answers(self, text: str) -> list[bytes]:
        mode = self.mode
        if mode == "silent":
            return []
        if mode == "busy":
            return [response(text, 503, "Service Unavailable")]
        if mode == "slow":
            time.sleep(self.delay)
        if mode == "garbage":
            return [b"\x00\xffnot sip at all\r\n\r\n", response(text, 200, "OK")]
        if mode == "wrong_call_id":
            return [response(text, 200, "OK", call_id="someone-else@elsewhere")]
        if mode == "trying":
            return [response(text, 100, "Trying"), response(text, 200, "OK")]
        return [response(text, 200, "OK")]
