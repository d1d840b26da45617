"""On-demand TLS end to end: the served app's /api/tls/ask, then real Caddy asking it.

Domains are inserted into the live app's database; its allow-list refresh task picks
them up within seconds. Caddy (Debian's ``caddy``) then runs with the production set-up
in miniature (deploy/Caddyfile): a certificate from its local CA for a verified domain,
a failed handshake for any other.
"""

from __future__ import annotations

import socket
import ssl
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography import x509
from sqlmodel import delete, update

from portal_app.devserver import free_port
from portal_app.models import DomainStatus, PortalDomain
from portal_app.models.base import utcnow
from portal_app.startup import TLS_ALLOW_REFRESH_SECONDS
from tests import caddyserver

pytestmark = pytest.mark.live

WAIT_SECONDS = 15  # the app refreshes its allow-list every 5 s


@pytest.fixture()
def domains(live_app) -> Iterator[dict[str, str]]:
    """One domain per status, unique per run. Not due for a DNS re-check, so the app's
    re-check task (which would find no such names in DNS) leaves them as they are."""
    tag = uuid.uuid4().hex[:8]
    hosts = {status.value: f"{status.value}-{tag}.example.test" for status in DomainStatus}
    with live_app.session() as session:
        for status, host in hosts.items():
            session.add(
                PortalDomain(
                    host=host,
                    brand_name=f"Brand {status}",
                    status=status,
                    next_check_at=utcnow() + timedelta(days=30),
                )
            )
        session.commit()
    yield hosts
    with live_app.session() as session:
        session.exec(delete(PortalDomain).where(PortalDomain.host.in_(list(hosts.values()))))
        session.commit()


def ask(live_app, domain: str) -> int:
    return httpx.get(f"{live_app.url}/api/tls/ask", params={"domain": domain}).status_code


def wait_for(live_app, domain: str, status: int) -> None:
    """Until every worker answers ``status``: each refreshes its own allow-list every
    TLS_ALLOW_REFRESH_SECONDS, so the first worker to answer it is not the last; the
    answer must then hold for a whole refresh period (any worker can take a request)."""
    deadline = time.monotonic() + WAIT_SECONDS + 2 * TLS_ALLOW_REFRESH_SECONDS
    steady_since = None
    while True:
        now = time.monotonic()
        if ask(live_app, domain) != status:
            steady_since = None
        elif steady_since is None:
            steady_since = now
        elif now - steady_since > TLS_ALLOW_REFRESH_SECONDS + 1:
            return
        if now > deadline:
            pytest.fail(
                f"/api/tls/ask?domain={domain} did not answer {status} steadily within "
                f"{WAIT_SECONDS + 2 * TLS_ALLOW_REFRESH_SECONDS} s "
                "(is startup.tls_allow_kept registered in portal_app.py?)"
            )
        time.sleep(0.25)


def app_port(live_app) -> int:
    return urlsplit(live_app.url).port


def test_only_verified_domains_may_have_a_certificate(live_app, domains):
    wait_for(live_app, domains["verified"], 200)
    for status in ("pending", "misconfigured", "unknown"):
        assert ask(live_app, domains[status]) == 403, status
    assert ask(live_app, domains["verified"].upper() + ".") == 200
    assert ask(live_app, "never-added.example.test") == 403
    assert ask(live_app, "") == 403

    # DNS stops pointing at us: the domain loses its certificate permission within seconds
    with live_app.session() as session:
        session.exec(
            update(PortalDomain)
            .where(PortalDomain.host == domains["verified"])
            .values(status=DomainStatus.MISCONFIGURED.value)
        )
        session.commit()
    wait_for(live_app, domains["verified"], 403)


# Caddy ---------------------------------------------------------------------------------

CADDYFILE = """\
{{
	admin off
	skip_install_trust
	http_port {http_port}
	storage file_system {storage}
	on_demand_tls {{
		ask http://127.0.0.1:{app_port}/api/tls/ask
	}}
}}

https://:{https_port} {{
	tls internal {{
		on_demand
	}}
	reverse_proxy 127.0.0.1:{app_port}
}}
"""


@pytest.fixture()
def caddy(live_app) -> Iterator[int]:
    """Caddy on free ports in front of the live app; yields its HTTPS port."""
    https_port, http_port = free_port(), free_port()
    config = CADDYFILE.format(
        http_port=http_port, https_port=https_port, storage="{storage}", app_port=app_port(live_app)
    )
    with caddyserver.running(config, https_port):
        yield https_port


def tls_get(port: int, server_name: str, path: str) -> tuple[x509.Certificate, str]:
    """TLS to 127.0.0.1 with this SNI (no verification: Caddy's local CA is not trusted
    here); returns the certificate and the status line of GET ``path``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=30) as sock,
        context.wrap_socket(sock, server_hostname=server_name) as tls,
    ):
        cert = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
        request = f"GET {path} HTTP/1.1\r\nHost: {server_name}\r\nConnection: close\r\n\r\n"
        tls.sendall(request.encode())
        reply = b""
        while b"\r\n" not in reply and (chunk := tls.recv(4096)):
            reply += chunk
    return cert, reply.split(b"\r\n", 1)[0].decode()


def test_caddy_issues_certificates_for_verified_domains_only(live_app, domains, caddy):
    wait_for(live_app, domains["verified"], 200)

    cert, status_line = tls_get(caddy, domains["verified"], "/api/health")
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert domains["verified"] in names.get_values_for_type(x509.DNSName)
    assert status_line == "HTTP/1.1 200 OK"  # and Caddy proxies to the app

    for status in ("pending", "misconfigured", "unknown"):
        with pytest.raises(ssl.SSLError):
            tls_get(caddy, domains[status], "/api/health")
