"""The security headers of every response, and the Content-Security-Policy of pages.

The policy is the strictest the compiled Reflex app runs under in Chromium:

- scripts: the app's own files, plus exactly the inline ``<script>`` blocks of the page
  being sent, each allowed by its SHA-256 (``inline_script_hashes``); no
  ``'unsafe-inline'``, so a script injected into a page does not run. ``'unsafe-eval'``
  stays because Reflex runs ``rx.call_script`` code and its callbacks with ``eval``
  (used for the browser's time zone, page titles and a brand's own Javascript).
- styles: ``'unsafe-inline'``, because emotion (Reflex's CSS-in-JS) adds ``<style>``
  elements at run time and Radix sets ``style`` attributes.
- a brand's pages also allow scripts from the one origin its Javascript names
  (``<script src="https://…">``); control-panel hosts never allow another origin.
- no framing (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), no plugins, no
  ``<base>``, forms post only here, connections (the websocket too) only to this host.
- a brand's pages (where customers pay) also allow Stripe.js: its script, frames and
  connections from the origin of PORTAL_STRIPE_JS_URL, and connections to the API at
  PORTAL_STRIPE_API_BASE (``payment_origins``). The control panel never loads it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from portal_app.settings import get_settings

PAGE_POLICY = (
    "default-src 'self'",
    "script-src {scripts}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",  # data: for the two-factor QR code
    "font-src 'self'",
    "connect-src 'self'{connect}",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "frame-src {frames}",
)
STRIPE_HOOKS = "https://hooks.stripe.com"  # Stripe.js's 3-D Secure frames
# Anything that is not a page (JSON, CSV, scripts, images) never runs as a document.
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000"

_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_HAS_SRC = re.compile(rb"\ssrc\s*=", re.I)


def inline_script_hashes(html: bytes) -> list[str]:
    """``'sha256-…'`` sources for every inline script of ``html``, in order, once each."""
    found: dict[str, None] = {}
    for match in _SCRIPT.finditer(html):
        attrs, body = match.group(1), match.group(2)
        if _HAS_SRC.search(attrs):
            continue
        # The browser hashes the text as its parser sees it: line ends become LF.
        body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        found[f"'sha256-{digest}'"] = None
    return list(found)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def payment_origins() -> tuple[str, str]:
    """(Stripe.js's origin, the Stripe API's origin), from the settings."""
    settings = get_settings()
    return _origin(settings.stripe_js_url), _origin(settings.stripe_api_base)


def page_policy(
    *, script_hashes: list[str], brand_script_origin: str | None = None, payments: bool = False
) -> str:
    """The CSP of an HTML page: ``brand_script_origin`` and ``payments`` (Stripe.js) only
    for a verified brand's host."""
    scripts = ["'self'", "'unsafe-eval'", *script_hashes]
    if brand_script_origin:
        scripts.append(brand_script_origin)
    connect, frames = "", "'self'"
    if payments:
        js, api = payment_origins()
        scripts.append(js)
        connect = " " + " ".join(dict.fromkeys([js, api]))
        frames = " ".join(dict.fromkeys([js, STRIPE_HOOKS]))
    return "; ".join(PAGE_POLICY).format(scripts=" ".join(scripts), connect=connect, frames=frames)


def common_headers(*, production: bool) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS only in production, behind TLS)."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ]
    if production:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers
