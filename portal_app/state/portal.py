"""The customer portal's frame: who is logged in, the menu, the public notes, logout.

Everything here comes from the server-side session (services/portal.py): a contact
sees its own customer and the sections the domain and the customer's overrides allow.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app import routes
from portal_app.services import dates
from portal_app.services import portal as svc
from portal_app.services.contact_roles import ContactRole
from portal_app.services.db import session_scope
from portal_app.services.policy import ROLE_LABELS
from portal_app.services.sessions import session_revoke

from .base import AppState
from .guard import Need, guarded, portal
from .session_cookie import end_session


@dataclasses.dataclass
class MenuItem:
    key: str
    label: str
    href: str
    hint: str = ""


HINTS = {
    "balance": "Your balance, credit and statement",
    "cdr": "Your calls, day by day, with CSV export",
    "rate_card": "Your prices per destination",
    "breakout": "Calls, minutes and cost per destination",
    "payments": "Pay online, and every payment you made",
    "contacts": "Who can log in for your company",
    "profile": "Your name, password and two-factor login",
    "alerts": "Emails when your balance runs low",
    "carrier_portal": "Traffic you sent and terminated, your rates, your balance",
}


@dataclasses.dataclass
class TeamRow:
    name: str
    email: str
    me: bool
    id: int = 0
    role: str = ""
    role_label: str = ""


def _daily(ctx, tz: str) -> list[dict]:
    from portal_app.services.money import chart_number, micros_to_minor
    from portal_app.services.usage import customer_daily

    cur = ctx.customer.currency  # a customer's calls are all in its currency (the lock)
    with session_scope() as session:
        points = customer_daily(
            session=session, actor=ctx.actor, customer_id=ctx.customer.id, days=30, tz=tz
        )
        fmt = dates.formatter(session=session, tz=tz)
    return [
        {
            "day": fmt.day_month(p.day),
            "minutes": p.minutes,
            "spend": chart_number(micros_to_minor(p.cost, cur), cur),
        }
        for p in points
    ]


class PortalState(AppState):
    contact_name: str = ""
    customer_name: str = ""
    public_notes: str = ""
    sections: list[str] = []
    menu: list[MenuItem] = []
    team: list[TeamRow] = []
    days: list[dict] = []  # the overview's charts: last 30 days, when CDR is shown
    currency: str = ""
    role: str = ""
    role_label: str = ""
    viewer: str = ""  # the operator of a read-only "view as" session, else ""
    read_only: bool = False  # nothing of the account can be changed from this session
    manages_team: bool = False  # an Owner in its own session: invite, roles, remove

    @guarded(Need.CONTACT)
    def load_portal(self):
        """On every portal page: the contact's frame, or off to the portal login."""
        ctx = portal()
        self.logged_in = True
        self.role, self.role_label, self.viewer = (
            ctx.role,
            ROLE_LABELS.get(ctx.role, ""),
            ctx.viewer,
        )
        self.read_only = bool(ctx.viewer) or ctx.role == ContactRole.READ_ONLY.value
        self.manages_team = not ctx.viewer and ctx.role == ContactRole.OWNER.value
        self.contact_name, self.customer_name = ctx.contact.name, ctx.customer.name
        self.public_notes = ctx.contact.public_notes
        self.sections = list(ctx.sections)
        self.menu = [
            MenuItem(key=key, label=label, href=routes.portal_section(key), hint=HINTS.get(key, ""))
            for key, label in svc.menu_sections(ctx.sections)
        ]

    @guarded(Need.CONTACT)
    def load_charts(self):
        """The overview asks the browser's time zone, then draws the last 30 days."""
        if "cdr" in portal().sections:
            return rx.call_script(
                "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=PortalState.draw_charts
            )

    @guarded(Need.CONTACT, section="cdr")
    def draw_charts(self, tz: str):

        ctx = portal()
        self.currency = ctx.customer.currency
        self.days = _daily(ctx, str(tz)[:64])

    @guarded(Need.CONTACT, section="contacts")
    def load_team(self):
        """The Contacts section: the other logins of the same customer."""
        ctx = portal()
        with session_scope() as session:
            rows = svc.customer_contacts(session=session, actor=ctx.actor)
        self.team = [
            TeamRow(
                name=c.name,
                email=c.email,
                me=c.id == ctx.actor.id,
                id=c.id,
                role=c.role,
                role_label=ROLE_LABELS.get(c.role, c.role),
            )
            for c in rows
        ]

    @guarded(Need.PUBLIC)
    def logout_portal(self):
        """End this browser's portal session on the server and forget the cookie."""
        if token := self.session_token:
            with session_scope() as session:
                session_revoke(session=session, token=token)
        self.logged_in = False
        self.contact_name = self.customer_name = self.public_notes = ""
        self.sections, self.menu, self.team = [], [], []
        self.viewer, self.read_only, self.manages_team = "", False, False
        return end_session()
