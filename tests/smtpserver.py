"""A real SMTP server on loopback (aiosmtpd) that accepts one login and keeps what it gets.

It offers no STARTTLS, and AUTH without TLS (``auth_require_tls=False``): the mail
service allows that only towards a loopback address. A wrong password gets ``535``;
a message sent without logging in gets ``530``. ``foreign_server`` is a listener of
another protocol (an SSH or HTTP banner), for the checks that such text is never shown.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import itertools
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from portal_app.devserver import free_port

USERNAME = "mailer"
# aiosmtpd warns about AUTH without TLS (wanted here) and about its own legacy
# login_data attribute; test modules apply these with pytest.mark.filterwarnings.
QUIET = [
    "ignore:Requiring AUTH while not requiring TLS:UserWarning",
    "ignore:Session.login_data is deprecated:DeprecationWarning",
]
PASSWORD = "smtp-secret-Pa55"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    login: str | None
    message: EmailMessage


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)

    @property
    def address(self) -> str:
        """``host:port`` as typed into the SMTP Server field."""
        return f"{self.host}:{self.port}"


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server
        self.serial = itertools.count(1)

    async def handle_DATA(self, _server, session, envelope) -> str:
        login = session.auth_data.login.decode() if session.auth_data else None
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.server.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), login, message)
        )
        return f"250 OK queued as test-{next(self.serial)}"


def _authenticator(_server, _session, _envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


@contextlib.contextmanager
def smtp_server(port: int | None = None) -> Iterator[SmtpServer]:
    """Start the server on ``port`` (default: a free one) of 127.0.0.1; stop it afterwards."""
    server = SmtpServer(host="127.0.0.1", port=port or free_port())
    controller = Controller(
        _Handler(server),
        hostname=server.host,
        port=server.port,
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@contextlib.contextmanager
def foreign_server(greeting: bytes, then: bytes = b"") -> Iterator[str]:
    """A listener on loopback that is not an SMTP server: it sends ``greeting`` at once
    and ``then`` after the client's first line. Yields ``host:port``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                conn.sendall(greeting)
                if then and conn.recv(1024):
                    conn.sendall(then)
                conn.recv(1024)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        thread.join(5)
