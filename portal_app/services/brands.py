"""Host → brand: which brand a request's host shows. Pure functions, no I/O.

The host comes from the client: it chooses the branding only, never access. Matching is
exact after normalising (case, port, trailing dot): no suffix or prefix matching, so
``portal.acme.com.evil.test`` or ``www.portal.acme.com`` are not ``portal.acme.com``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .hosts import normalize_host


@dataclass(frozen=True)
class BrandView:
    """What a browser on a brand host may see of its domain. No secrets, no SMTP."""

    host: str
    brand_name: str
    logo_url: str
    custom_css: str
    custom_js: str
    footer: str
    access: tuple[str, ...]
    customer_signup: bool = False
    carrier_signup: bool = False
    currencies: tuple[str, ...] = ()
    palette_css: str = ""  # the brand's colours as CSS variables (services/brand_colours.py)


def brand_for_host(host: str, brands: Mapping[str, BrandView]) -> BrandView | None:
    """The verified brand for this host, or None (the neutral page)."""
    key = normalize_host(host)
    return brands.get(key) if key else None
