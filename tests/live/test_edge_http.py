"""The served app's edge over plain HTTP and raw sockets: security headers, CORS, the
neutral page of foreign hosts, upload checks before the body, and log limits.

Uploads are sent over raw sockets so a test can declare a body it never sends: an
answer that arrives anyway proves the server decided without reading it.
"""

from __future__ import annotations

import asyncio
import contextlib
import select as io_select
import socket
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import select

from portal_app.devclient import NS, DevClient
from portal_app.models import OperatorUser
from portal_app.services.sessions import SESSION_COOKIE, session_create
from portal_app.state.files import FilesState
from portal_app.state.rate_cards import RateCardsState
from portal_app.state.users import UsersState

pytestmark = pytest.mark.live

IMPORT = f"{RateCardsState.get_full_name()}.upload_import"
LOGO = f"{FilesState.get_full_name()}.upload"
FOREIGN = "https://evil.example.net"
FILE_PART = (
    b'--edge\r\nContent-Disposition: form-data; name="files"; filename="big.png"\r\n'
    b"Content-Type: image/png\r\n\r\n"
)


def _port(live_app) -> int:
    return urlsplit(live_app.url).port


def _token(live_app, email: str) -> str:
    with live_app.session() as session:
        user = session.exec(select(OperatorUser).where(OperatorUser.email == email)).one()
        token = session_create(session=session, user_id=user.id)
        session.commit()
    return token


def _upload_head(port: int, handler: str, length: int | None, token: str = "") -> bytes:
    """The head of an upload of ``length`` bytes (None: chunked, of no stated size)."""
    lines = [
        "POST /_upload HTTP/1.1",
        f"Host: localhost:{port}",
        "Content-Type: multipart/form-data; boundary=edge",
        f"reflex-client-token: {uuid.uuid4()}",
        f"reflex-event-handler: {handler}",
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked",
    ]
    if token:
        lines.append(f"Cookie: {SESSION_COOKIE}={token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _status(sock: socket.socket) -> int:
    reply = b""
    while b"\r\n" not in reply and (chunk := sock.recv(4096)):
        reply += chunk
    return int(reply.split(b" ", 2)[1])


def upload_without_body(port: int, handler: str, length: int, token: str = "") -> int:
    """Declare ``length`` bytes, send none of them, and return the status (the socket's
    timeout fails the test if the server waits for the body instead)."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(_upload_head(port, handler, length, token))
        return _status(sock)


def tiny_upload(port: int, token: str) -> int:
    """A whole (malformed, empty) logo upload: past every check, Reflex answers it."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(_upload_head(port, LOGO, 8, token) + b"--edge--")
        return _status(sock)


def test_every_response_has_security_headers_and_pages_a_hashed_policy(live_app):
    base = live_app.url
    for url in (f"{base}/login/", f"{base}/api/health", f"{base}/public/acme.png"):
        headers = httpx.get(url).headers
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["x-frame-options"] == "DENY", url
        assert headers["referrer-policy"] == "same-origin", url
        assert "strict-transport-security" not in headers, url  # development: no TLS
    page = httpx.get(f"{base}/login/").headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-eval' 'sha256-" in page
    assert "'unsafe-inline'" not in page.split("; style-src")[0]
    assert "frame-ancestors 'none'" in page
    assert httpx.get(f"{base}/api/health").headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    # The logo route keeps its own stricter policy.
    assert "sandbox" in httpx.get(f"{base}/public/acme.png").headers["content-security-policy"]
    brand = httpx.get(
        f"http://127.0.0.1:{_port(live_app)}/portal/login/", headers={"Host": "acme.localhost"}
    )
    assert brand.status_code == 200 and "'sha256-" in brand.headers["content-security-policy"]


def test_hosts_that_are_not_ours_get_the_neutral_page_only(live_app):
    unknown = httpx.get(
        f"http://127.0.0.1:{_port(live_app)}/portal/login/", headers={"Host": "nobody.example.net"}
    )
    assert unknown.status_code == 404
    assert 'id="not-configured"' in unknown.text and "Portal not configured" in unknown.text
    assert "<script" not in unknown.text
    assert unknown.headers["content-security-policy"].startswith("default-src 'none'")
    health = httpx.get(f"http://127.0.0.1:{_port(live_app)}/api/health", headers={"Host": "x.net"})
    assert health.json()["ok"] is True  # the API (health checks, Caddy's ask) still answers


def test_cors_answers_the_control_panel_only(live_app):
    own = live_app.url
    token = _token(live_app, "admin@example.com")
    export = f"{own}/api/export/cdr.csv?customer=1&first=2026-01-01&last=2026-01-02"
    for origin in (FOREIGN, "null", "http://acme.localhost:1"):
        cookie = {"Cookie": f"{SESSION_COOKIE}={token}", "Origin": origin}
        for url in (export, f"{own}/api/health"):
            assert "access-control-allow-origin" not in httpx.get(url, headers=cookie).headers
        preflight = httpx.options(
            f"{own}/api/health",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 400, origin
        assert "access-control-allow-origin" not in preflight.headers
    answer = httpx.get(f"{own}/api/health", headers={"Origin": own, "Cookie": "a=b"})
    assert answer.headers["access-control-allow-origin"] == own
    assert answer.headers["access-control-allow-credentials"] == "true"


def test_the_csv_export_refuses_ids_no_row_can_have(live_app):
    own, token = live_app.url, _token(live_app, "admin@example.com")
    cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
    export = f"{own}/api/export/cdr.csv?first=2026-01-01&last=2026-01-02&customer="
    for bad in (str(2**63), str(2**64 + 5), "-1", "0", "1e3", "x"):
        answer = httpx.get(export + bad, headers=cookie)
        assert (answer.status_code, answer.text) == (403, "Not allowed."), bad
    # Positive control: a real customer id exports (the header row at least).
    answer = httpx.get(export + "1", headers=cookie)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv") and "," in answer.text


def test_uploads_are_checked_before_their_body_is_read(live_app):
    port, mb = _port(live_app), 1024 * 1024
    # An anonymous client claiming the import's 256 MB: refused at once, body unread.
    assert upload_without_body(port, IMPORT, 200 * mb) == 401
    assert upload_without_body(port, LOGO, 3 * mb) == 401
    # Not an upload handler, or no handler at all: a clean 400, never a 500.
    for handler in (f"{UsersState.get_full_name()}.load", "no.such.handler", ""):
        assert upload_without_body(port, handler, 10) == 400, handler
    # A logged-in operator without the area (Support: no Portal, no Card) is refused.
    support = _token(live_app, "support@example.com")
    assert upload_without_body(port, LOGO, 10, support) == 403
    assert upload_without_body(port, IMPORT, 200 * mb, support) == 403
    # The administrator may, within the named handler's limit only.
    admin = _token(live_app, "admin@example.com")
    assert upload_without_body(port, LOGO, 5 * mb, admin) == 413
    assert upload_without_body(port, IMPORT, 300 * mb, admin) == 413


def test_an_upload_larger_than_it_said_is_cut_off(live_app):
    port, admin = _port(live_app), _token(live_app, "admin@example.com")
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(_upload_head(port, LOGO, None, admin))
        part = FILE_PART + b"x" * (65536 - len(FILE_PART))
        sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        with contextlib.suppress(OSError):  # the server may close while we still send
            chunk = b"x" * 65536
            for _ in range(80):  # 5 MB in chunks, past the logo limit of 4 MB
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert _status(sock) == 413


def test_a_session_runs_at_most_two_uploads_at_once(live_app):
    """Two per session in each worker process (the slots bound each process's disk and
    threads, api/limits.py). With W workers, 2W + 1 uploads fill some worker past two
    whichever way the kernel spreads them: at least one is refused, at least two run."""
    port, admin = _port(live_app), _token(live_app, "admin@example.com")
    workers = int(live_app.served.env.get("GRANIAN_WORKERS", "1"))
    held = []
    try:
        for _ in range(2 * workers + 1):  # uploads that never finish sending their body
            sock = socket.create_connection(("127.0.0.1", port), timeout=15)
            sock.sendall(_upload_head(port, LOGO, 1000, admin) + b"--edge\r\n")
            held.append(sock)
        # Those within a worker's two wait for their bodies; the others are turned away.
        io_select.select(held, [], [], 15)  # the first refusal
        time.sleep(1)  # the refusals of a second worker may come a moment later
        answered, _, _ = io_select.select(held, [], [], 0)
        assert 1 <= len(answered) <= 2 * workers - 1, (len(answered), workers)
        assert [_status(sock) for sock in answered] == [429] * len(answered)
        # Another session is not held up by this one.
        assert tiny_upload(port, _token(live_app, "admin@example.com")) not in (429, 500)
    finally:
        for sock in held:
            sock.close()
    for _ in range(100):  # the server sees the closed sockets within moments
        if (status := tiny_upload(port, admin)) != 429:
            break
        time.sleep(0.05)
    assert status not in (401, 403, 413, 429, 500)


def test_malformed_events_are_logged_once_per_kind(live_app):
    marker = f"edge-{uuid.uuid4().hex}"

    async def flood():
        client = DevClient(live_app.url)
        await client.connect()
        for n in range(30):
            await client.sio.emit("event", {"name": f"{marker}.n{n}", "payload": {}}, namespace=NS)
            await client.sio.emit("event", f"not json {marker}", namespace=NS)
        await client.request(f"{UsersState.get_full_name()}.load")  # the queue has run
        await client.close()

    before = live_app.log.stat().st_size
    asyncio.run(flood())
    with open(live_app.log, "rb") as log:
        log.seek(before)
        written = log.read().decode(errors="replace")
    # A few records (one per kind: unknown handler, not JSON, a string sent), not 60
    # tracebacks of over a kilobyte each.
    assert written.count(marker) <= 10
    assert len(written) < 20_000
