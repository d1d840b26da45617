"""What the Portal page shows of each domain and of the editor's ordered lists (plain
data the browser gets, never the ORM rows)."""

from __future__ import annotations

import dataclasses

from portal_app import routes
from portal_app.services import dates
from portal_app.services import domains as svc
from portal_app.services.db import session_scope
from portal_app.services.emails import portal_url
from portal_app.services.hosts import host_display
from portal_app.services.identity import Actor
from portal_app.services.portal_sections import BREAKOUT_COLUMNS, CDR_COLUMNS, SECTIONS

STATUS_LABELS = {
    "pending": "Pending",
    "verified": "Verified",
    "misconfigured": "Misconfigured",
    "unknown": "Check failed",
}
LISTS = {"access": SECTIONS, "breakout": BREAKOUT_COLUMNS, "cdr": CDR_COLUMNS}


@dataclasses.dataclass
class DomainRow:
    id: int
    host: str
    shown: str  # the host as people read it: the U-label of an internationalised name
    brand: str
    status: str
    status_label: str
    detail: str
    last_checked: str
    certificate: str
    url: str  # the brand's portal, with the public scheme and port


@dataclasses.dataclass
class ListItem:
    key: str
    label: str
    on: bool


def domain_row(d, fmt: dates.DateFormatter) -> DomainRow:
    cert = {
        "verified": "On demand at first visit",
        "pending": "Waits for DNS",
    }.get(d.status, "Refused until verified")
    return DomainRow(
        id=d.id,
        host=d.host,
        shown=host_display(d.host),
        brand=d.brand_name,
        status=d.status,
        status_label=STATUS_LABELS.get(d.status, d.status),
        detail=d.status_detail,
        last_checked=fmt.datetime(d.last_checked_at, "not yet"),
        certificate=cert,
        url=portal_url(d.host, routes.PORTAL),
    )


def domain_rows(who: Actor) -> list[DomainRow]:
    """The list as ``who`` may see it (blocking: run it off the event loop in background
    handlers)."""
    with session_scope() as session:
        fmt = dates.formatter(session=session)
        return [domain_row(d, fmt) for d in svc.domain_list(session=session, actor=who)]


def list_items(kind: str, chosen: list[str]) -> list[ListItem]:
    """One of LISTS as the editor shows it: the chosen keys first, in their order, then
    the rest, off."""
    labels = LISTS[kind]
    order = [k for k in chosen if k in labels] + [k for k in labels if k not in chosen]
    return [ListItem(key=k, label=labels[k], on=k in chosen) for k in order]
