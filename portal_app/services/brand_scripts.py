"""The external script origin of each verified brand, held in memory for the CSP.

A brand's Javascript (Setup › Integrations › Portal › Advanced) may be one reference
like ``<script src="https://www.mydomain.com/custom.js">``; the brand's pages then
allow scripts from exactly that origin. Every page load needs the answer, so it comes
from a dict that a lifespan task reloads with the TLS allow-list (tasks.py), never from
the database per request. When the database cannot be read the previous map is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import DomainStatus, PortalDomain

from .domain_validation import script_src
from .origins import script_origin
from .tls_allow import normalize

log = logging.getLogger("portal.brand_scripts")


class BrandScripts:
    """host -> script origin, for the verified brands that name one. Swapped whole."""

    def __init__(self, rows: Iterable[tuple[str, str]] = ()):
        self._origins: dict[str, str] = {}
        self.replace(rows)

    def origin_for(self, host: str) -> str | None:
        """The script origin the brand on ``host`` (already normalized) may load."""
        return self._origins.get(host)

    def replace(self, rows: Iterable[tuple[str, str]]) -> None:
        """Use these (host, custom Javascript) pairs from now on."""
        found = {}
        for host, js in rows:
            name = normalize(host)
            origin = script_origin(script_src(js or ""))
            if name and origin:
                found[name] = origin
        self._origins = found

    def refresh_from_db(self, engine: sa.Engine) -> bool:
        """Reload from the verified domains; on any error keep the current map."""
        try:
            with Session(engine) as session:
                rows = session.exec(
                    select(PortalDomain.host, PortalDomain.custom_js).where(
                        PortalDomain.status == DomainStatus.VERIFIED.value,
                        PortalDomain.custom_js.contains("<"),
                    )
                ).all()
        except Exception:
            log.warning("could not refresh brand script origins; keeping the old", exc_info=True)
            return False
        self.replace(rows)
        return True


brand_scripts = BrandScripts()
