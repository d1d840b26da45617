"""The edge's pure parts: which origins are ours, the page policy and its script hashes,
the brands' script origins (from a real database), upload slots and log limits.

What a browser does with the policy is tested in tests/live/test_edge_security.py.
"""

from __future__ import annotations

import logging
import sys

import pytest
from sqlmodel import Session

from portal_app.api.limits import UploadSlots
from portal_app.logfilter import RateLimitFilter
from portal_app.models import DomainStatus, PortalDomain
from portal_app.services import csp
from portal_app.services.brand_scripts import BrandScripts
from portal_app.services.origins import control_origins, origin_host, own_origin, script_origin
from portal_app.settings import Settings

CONTROL = ("panel.carrier.test", "localhost", "::1")
BRANDS = {"portal.acme.test"}


@pytest.mark.parametrize(
    "origin, host",
    [
        ("https://panel.carrier.test", "panel.carrier.test"),
        ("http://LOCALHOST:3000", "localhost"),
        ("https://portal.acme.test.", "portal.acme.test"),
        ("http://[::1]:3000", "::1"),
        ("null", None),
        ("", None),
        (None, None),
        ("file://", None),
        ("ws://panel.carrier.test", None),
        ("https://panel.carrier.test/path", None),
        ("https://user@panel.carrier.test", None),
        ("https://panel.carrier.test:99999", None),
        ("https://pänel.carrier.test", None),
    ],
)
def test_origin_host(origin, host):
    assert origin_host(origin) == host


@pytest.mark.parametrize(
    "origin, ours",
    [
        ("https://panel.carrier.test", True),
        ("http://localhost:8123", True),  # any port of a control host
        ("http://[::1]:3000", True),
        ("https://portal.acme.test", True),  # a verified brand
        ("https://portal.acme.test.evil.test", False),
        ("https://evil.test", False),
        ("https://unverified.acme.test", False),
        ("https://sub.panel.carrier.test", False),
        ("null", False),
        (None, False),
    ],
)
def test_own_origin(origin, ours):
    assert own_origin(origin, control_hosts=CONTROL, is_brand=BRANDS.__contains__) is ours


def test_control_origins_follow_the_public_scheme_and_port():
    dev = Settings(control_hosts=("localhost", "127.0.0.1"), public_port=3000)
    assert control_origins(dev) == ("http://localhost:3000", "http://127.0.0.1:3000")
    prod = Settings(
        env="production",
        control_hosts=("panel.carrier.test", "::1"),
        public_scheme="https",
        public_port=None,
    )
    assert control_origins(prod) == ("https://panel.carrier.test", "https://[::1]")


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://www.mydomain.com/custom.js", "https://www.mydomain.com"),
        ("https://CDN.example.com:8443/a/b.js?v=1", "https://cdn.example.com:8443"),
        ("https://cdn.example.com:443/x.js", "https://cdn.example.com"),
        ("http://www.mydomain.com/custom.js", None),
        ("https://*.mydomain.com/custom.js", None),
        ("https://user:pw@mydomain.com/custom.js", None),
        ("https://10.0.0.1/custom.js", None),
        ("https://a'b.com/x.js", None),
        ("https://mydomain.com:bad/x.js", None),
        ("", None),
        (None, None),
    ],
)
def test_script_origin(url, origin):
    assert script_origin(url) == origin


def test_inline_script_hashes_skip_external_scripts_and_repeat_none():
    page = (
        b"<html><head><script>var a = 1;</script><script src='/x.js'></script>"
        b'<script type="module" async="">import "/y.js";\r\n</script></head>'
        b"<body><SCRIPT>var a = 1;</SCRIPT><script></script></body></html>"
    )
    hashes = csp.inline_script_hashes(page)
    # From `printf 'var a = 1;' | openssl dgst -sha256 -binary | base64`, and so on.
    assert hashes == [
        "'sha256-+dZ6udsWxNVoGfScAq7t5IIF5UJb4F6RhjbN6oe1p4w='",
        "'sha256-jnVY9uTwf1aqfK8NGhlxx4i6fZcs3xZw7RoYU/EvboE='",  # line end read as LF
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty script
    ]


def test_page_policy_allows_a_brand_its_script_origin_only():
    control = csp.page_policy(script_hashes=["'sha256-abc='"])
    assert "script-src 'self' 'unsafe-eval' 'sha256-abc='; " in control
    assert "'unsafe-inline'" not in control.split("style-src")[0]
    assert "https:" not in control and "frame-ancestors 'none'" in control
    brand = csp.page_policy(script_hashes=[], brand_script_origin="https://cdn.acme.test")
    assert "script-src 'self' 'unsafe-eval' https://cdn.acme.test; " in brand


def test_hsts_only_in_production():
    assert "Strict-Transport-Security" not in dict(csp.common_headers(production=False))
    assert dict(csp.common_headers(production=True))["Strict-Transport-Security"] == csp.HSTS


def test_brand_script_origins_come_from_verified_domains_only(db: Session, engine):
    js = '<script src="https://cdn.{}.test/custom.js"></script>'
    verified, pending = DomainStatus.VERIFIED.value, DomainStatus.PENDING.value
    rows = [
        ("a.brand.test", verified, js.format("a")),
        ("b.brand.test", pending, js.format("b")),
        ("c.brand.test", verified, "window.x = 1"),
        ("d.brand.test", verified, '<script src="http://cdn.d.test/x.js"></script>'),
    ]
    for host, status, code in rows:
        db.add(PortalDomain(host=host, brand_name=host, status=status, custom_js=code))
    db.commit()
    scripts = BrandScripts([("old.brand.test", js.format("old"))])
    assert scripts.origin_for("old.brand.test") == "https://cdn.old.test"
    assert scripts.refresh_from_db(engine) is True
    assert scripts.origin_for("a.brand.test") == "https://cdn.a.test"
    for host in ("b.brand.test", "c.brand.test", "d.brand.test", "old.brand.test"):
        assert scripts.origin_for(host) is None, host


def test_upload_slots_per_session_and_in_all():
    slots = UploadSlots(per_session=2, total=3)
    assert slots.take("s1") and slots.take("s1")
    assert not slots.take("s1")  # a third for the same session waits
    assert slots.take("s2")
    assert not slots.take("s3")  # the process is full
    slots.give_back("s1")
    assert slots.take("s3")
    assert not slots.take("s1")


def _record(msg: str, *, line: int = 10, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("reflex.app", logging.ERROR, "app.py", line, msg, None, exc_info)


def _raised(message: str) -> BaseException:
    try:
        raise KeyError(message)
    except KeyError:
        return sys.exc_info()[1]


def test_framework_errors_are_logged_once_per_kind_per_window():
    now = [1000.0]
    limit = RateLimitFilter(window=60, clock=lambda: now[0])
    assert limit.filter(_record("bad event 1", exc=_raised("a")))
    assert not limit.filter(_record("bad event 2", exc=_raised("b")))  # same kind
    assert not limit.filter(_record("bad event 3", exc=_raised("c")))
    assert limit.filter(_record("another call site", line=99))  # another kind
    other = ValueError("x")
    assert limit.filter(_record("bad event", exc=other))  # another exception type
    now[0] += 61
    passed = _record("bad event 4", exc=_raised("d"))
    assert limit.filter(passed)
    assert passed.getMessage() == "bad event 4 [2 more like this in the last 61 s]"


def test_logged_framework_errors_are_cut_and_hide_cookies():
    limit = RateLimitFilter()
    record = _record("headers: {'cookie': 'cp_session=secret-token', 'host': 'x'} " + "y" * 5000)
    assert limit.filter(record)
    text = record.getMessage()
    assert "secret-token" not in text and "'cookie': '[redacted]'" in text
    assert len(text) < 2100 and text.endswith("more characters)")


def test_tracebacks_written_into_messages_are_told_apart_by_exception():
    limit = RateLimitFilter()
    tb = 'Traceback (most recent call last):\n  File "{}", line 3, in f\n{}: boom\n'
    assert limit.filter(_record(tb.format("a.py", "KeyError")))
    assert not limit.filter(_record(tb.format("a.py", "KeyError")))
    assert limit.filter(_record(tb.format("a.py", "AttributeError")))
    assert limit.filter(_record(tb.format("b.py", "KeyError")))


def test_only_brand_pages_allow_stripe_js_and_its_api():
    js, api = csp.payment_origins()
    control = csp.page_policy(script_hashes=[])
    assert js not in control and api not in control and "frame-src 'self'" in control
    brand = csp.page_policy(script_hashes=[], payments=True)
    assert f"script-src 'self' 'unsafe-eval' {js}; " in brand
    assert f"connect-src 'self' {js}" in brand and api in brand.split("connect-src")[1]
    assert f"frame-src {js} {csp.STRIPE_HOOKS}" in brand
