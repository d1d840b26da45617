"""The public view (``BrandView``) of verified portal domains: all of them for
``brands.brand_for_host``, or the one on a host for a page load."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import DomainStatus, PortalDomain, PublicFile

from .brand_colours import brand_palette_css
from .brands import BrandView
from .hosts import normalize_host


def _brand_view(d: PortalDomain, logo_name: str | None) -> BrandView:
    return BrandView(
        host=d.host,
        brand_name=d.brand_name,
        logo_url=f"/public/{logo_name}" if logo_name else "",
        custom_css=d.custom_css,
        palette_css=brand_palette_css(accent_color=d.accent_color, header_color=d.header_color),
        custom_js=d.custom_js,
        footer=d.footer,
        access=tuple(d.access),
        customer_signup=d.customer_signup,
        carrier_signup=d.carrier_signup,
        currencies=tuple(d.currencies),
    )


def brand_views(*, session: Session) -> dict[str, BrandView]:
    """Every verified domain's public view, keyed by host (for brand_for_host)."""
    rows = session.exec(
        select(PortalDomain).where(PortalDomain.status == DomainStatus.VERIFIED.value)
    ).all()
    logos = dict(session.exec(select(PublicFile.id, PublicFile.name)).all()) if rows else {}
    return {d.host: _brand_view(d, logos.get(d.logo_file_id)) for d in rows}


def brand_lookup(*, session: Session, host: str) -> BrandView | None:
    """The public view of the verified brand on ``host``: one lookup on the unique host
    index (page loads never read every brand). Matching as in ``brands.brand_for_host``."""
    key = normalize_host(host)
    if not key:
        return None
    domain = session.exec(
        select(PortalDomain).where(
            PortalDomain.host == key, PortalDomain.status == DomainStatus.VERIFIED.value
        )
    ).first()
    if domain is None:
        return None
    logo = session.get(PublicFile, domain.logo_file_id) if domain.logo_file_id else None
    return _brand_view(domain, logo.name if logo else None)
