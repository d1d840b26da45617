"""The Content-Security-Policy in Debian Chromium: the main pages run under it without a
single violation, a script injected into a page does not run, and a brand's page loads
the one external script its Javascript names (served here over TLS) but nothing else.
"""

from __future__ import annotations

import datetime
import re
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import Page, expect
from sqlmodel import delete

from portal_app.models import DomainStatus, PortalDomain
from portal_app.models.base import utcnow

from .test_browser_flows import login, served, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]

# Every violation the page reports, as "directive blocked-url".
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));"""
INJECT_INLINE = """() => { const s = document.createElement('script');
    s.textContent = 'window.__injected = "ran"'; document.head.appendChild(s); }"""
INJECT_SRC = """url => { const s = document.createElement('script'); s.src = url;
    document.head.appendChild(s); }"""


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "scripts.example.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("scripts.example.test"), x509.DNSName("other.example.test")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class _Scripts(BaseHTTPRequestHandler):
    """``custom.js`` marks that it ran and tries to load a script from another origin."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        port = self.server.server_address[1]
        if self.path == "/custom.js":
            body = (
                "window.__brand_script = 'ran';"
                "const s = document.createElement('script');"
                f"s.src = 'https://other.example.test:{port}/evil.js';"
                "document.head.appendChild(s);"
            )
        else:
            body = "window.__evil = 'ran';"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def script_host() -> Iterator[int]:
    """An https server for scripts.example.test (and other.example.test); its port."""
    with tempfile.TemporaryDirectory() as folder:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*_certificate(Path(folder)))
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripts)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield server.server_address[1]
        finally:
            server.shutdown()


@pytest.fixture()
def watched(browser) -> Iterator[Page]:
    """A page that keeps, across navigations, every console error about the policy."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, ignore_https_errors=True)
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.csp_console = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.csp_console.append(m.text),
    )
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    """This document's violations (the console's list covers the whole visit)."""
    return page.evaluate("window.__csp")


def test_control_panel_pages_run_under_the_policy_and_injected_scripts_do_not(
    watched: Page, live_app, script_host
):
    page = watched
    page.goto(f"{live_app.url}/login")
    expect(page.locator("#email")).to_be_visible()
    assert violations(page) == []
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    expect(page.get_by_text("Operator users")).to_be_visible()
    for name in ("Users", "Customers"):  # navigation inside the app, same document
        page.get_by_role("link", name=name).first.click()
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_app.url}/management/customers/cdr")  # uses rx.call_script (eval)
    page.wait_for_load_state("networkidle")
    assert violations(page) == [] and page.csp_console == []
    shot(page, "90-csp-control-panel")

    page.evaluate(INJECT_INLINE)
    page.evaluate(INJECT_SRC, f"https://scripts.example.test:{script_host}/custom.js")
    page.wait_for_function("window.__csp.length >= 2")
    assert page.evaluate("window.__injected") is None
    assert page.evaluate("window.__brand_script") is None  # no brand script on control hosts
    assert sorted(v.split()[0] for v in violations(page)) == ["script-src-elem"] * 2


@pytest.fixture()
def brand_host(live_app, script_host) -> Iterator[str]:
    """A verified brand whose Javascript is one external script; its host."""
    host = f"csp-{uuid.uuid4().hex[:8]}.example.test"
    with live_app.session() as session:
        session.add(
            PortalDomain(
                host=host,
                brand_name="Scripted Brand",
                status=DomainStatus.VERIFIED.value,
                next_check_at=utcnow() + timedelta(days=30),
                custom_js=(
                    f'<script src="https://scripts.example.test:{script_host}/custom.js"></script>'
                ),
            )
        )
        session.commit()
    port = urlsplit(live_app.url).port
    origin = f"https://scripts.example.test:{script_host}"
    for _ in range(150):  # the app reloads brands every 5 s
        page = httpx.get(f"http://127.0.0.1:{port}/", headers={"Host": host})
        if origin in page.headers.get("content-security-policy", ""):
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"{host}'s pages never allowed {origin}")
    yield host
    with live_app.session() as session:
        session.exec(delete(PortalDomain).where(PortalDomain.host == host))
        session.commit()


def test_a_brand_page_loads_its_own_script_and_nothing_else(
    watched: Page, live_app, script_host, brand_host
):
    page, port = watched, urlsplit(live_app.url).port
    served(page, f"http://{brand_host}:{port}/")
    expect(page.locator("#brand-name")).to_have_text("Scripted Brand")
    page.wait_for_function("window.__brand_script === 'ran'")
    # What that script then loads from another origin is refused.
    page.wait_for_function("window.__csp.length >= 1")
    assert violations(page) == [f"script-src-elem https://other.example.test:{script_host}/evil.js"]
    assert page.evaluate("window.__evil") is None
    page.evaluate(INJECT_INLINE)
    page.wait_for_function("window.__csp.length >= 2")
    assert page.evaluate("window.__injected") is None
    shot(page, "91-csp-brand-script")


def test_the_demo_brand_portal_runs_under_the_policy(watched: Page, live_app):
    page, port = watched, urlsplit(live_app.url).port
    page.goto(f"http://acme.localhost:{port}/portal/login")
    page.fill("#email", "bea@bluebird.example")
    page.fill("#password", "bluebird-pass-1")
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal/?$"))
    for path in ("/portal/balance", "/portal/cdr"):
        page.goto(f"http://acme.localhost:{port}{path}")
        page.wait_for_load_state("networkidle")
    assert violations(page) == [] and page.csp_console == []
    page.evaluate(INJECT_INLINE)
    page.wait_for_function("window.__csp.length >= 1")
    assert page.evaluate("window.__injected") is None
