"""The one authorization policy: who may run a handler, call an HTTP route or keep
receiving a watcher's pushes.

Every entry point asks :func:`authorize` with the :class:`Rule` it declared, the session
token from the client's cookie and the host the client named. The host only chooses
which app this is (the control panel or a brand's portal) and must agree with the
session; what the caller may do is decided by the session alone, resolved on the server
(services/principals.py). The Reflex guard (state/guard.py), the HTTP routes (api/) and
the background watchers call this, so a rule is written once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session

from portal_app.models import Area, ContactRole, Customer, CustomerType
from portal_app.settings import get_settings

from .errors import PermissionDenied
from .hosts import is_control_host
from .identity import Actor

if TYPE_CHECKING:
    from .portal import PortalContext


class Writes:
    """What a contact handler changes, for the role and view-as limits below."""

    SELF = "self"  # the contact's own login: name, password, 2FA, its sessions
    ACCOUNT = "account"  # the customer's account: payments, top-up, lookups, alerts
    TEAM = "team"  # the customer's contacts and invitations (Owners only)


WRITES = (Writes.SELF, Writes.ACCOUNT, Writes.TEAM)


class Need(enum.Enum):
    PUBLIC = "public"  # anyone, logged in or not (login form, logout)
    OPERATOR = "operator"  # any logged-in, enabled operator user
    ADMIN = "admin"  # an operator with the Administrator role
    AREA = "area"  # an operator whose role or group allows an area
    NOBODY = "nobody"  # never callable from a browser (framework setters)
    CONTACT = "contact"  # a customer's contact, logged in on its own brand host


@dataclass(frozen=True)
class Rule:
    """What a handler or route needs: a Need, plus the area (AREA; a tuple means any of
    them, e.g. customers or carriers) or the portal section a contact's access must
    include (CONTACT, optional; a tuple means any of them, e.g. the Balance section or
    the Carrier Portal, which shows the same balance)."""

    need: Need
    area: Area | tuple[Area, ...] | None = None
    section: str | tuple[str, ...] | None = None
    before_totp: bool = False  # allowed to an operator who must still set up 2FA
    writes: str | None = None  # contacts: what the handler changes (Writes), None = reads

    def __post_init__(self) -> None:
        if (self.need is Need.AREA) != (self.area is not None):
            raise ValueError("Need.AREA takes an area; other needs take none")
        if self.section is not None and self.need is not Need.CONTACT:
            raise ValueError("only Need.CONTACT takes a section")
        if self.writes is not None and (self.need is not Need.CONTACT or self.writes not in WRITES):
            raise ValueError("only Need.CONTACT takes writes, one of " + ", ".join(WRITES))

    @property
    def areas(self) -> tuple[Area, ...]:
        if self.area is None:
            return ()
        return self.area if isinstance(self.area, tuple) else (self.area,)

    @property
    def sections(self) -> tuple[str, ...]:
        if self.section is None:
            return ()
        return self.section if isinstance(self.section, tuple) else (self.section,)

    def section_open(self, sections: tuple[str, ...] | list[str]) -> bool:
        """Whether a contact whose access is ``sections`` passes the section check."""
        return not self.sections or any(s in sections for s in self.sections)

    @property
    def label(self) -> str:
        """How the rule reads in the committed handler table, e.g. ``area:customer``."""
        detail = "|".join(a.value for a in self.areas) or "|".join(self.sections)
        label = f"{self.need.value}:{detail}" if detail else self.need.value
        if self.writes:
            label += f"+writes-{self.writes}"
        return f"{label}+before-2fa" if self.before_totp else label


@dataclass(frozen=True)
class Decision:
    """The answer. ``silent``: this handler does not exist on this host, do nothing.
    ``login``: there is no usable session, send the person to the login page."""

    allowed: bool
    reason: str = ""
    actor: Actor | None = None
    portal: PortalContext | None = None
    silent: bool = False
    login: bool = False
    totp_setup: bool = False  # refused until the operator sets up 2FA


ALLOWED_ANONYMOUS = Decision(allowed=True)
TOTP_FIRST = "Set up two-factor authentication first: this account requires it."
CUSTOMERS_OR_CARRIERS = (Area.CUSTOMER, Area.CARRIER)


def areas_of(actor: Actor) -> frozenset[Area]:
    """Every area ``actor`` may use (all of them for administrators)."""
    return frozenset(a for a in Area if actor.can(a))


def areas_granted(role: str, grants: dict[str, str]) -> frozenset[Area]:
    """The areas a role and group grants would allow, as ``areas_of`` would find them."""
    return areas_of(Actor(kind="operator", id=None, label="", role=role, grants=grants))


# Carrier data -------------------------------------------------------------------------
# A carrier's name, its calls, spend, balance and rates, and the route a call left on (the
# carrier that carried it) are carrier data. Whatever area shows them — Dashboard, CDR,
# Report, Payment, Card — an operator needs the Carrier permission too. A contact sees
# its own customer only (services/portal.py) and never a route. Services ask these.


def sees_carriers(actor: Actor) -> bool:
    """May ``actor`` see carrier data at all? (Administrators and the Carrier area.)"""
    return not actor.is_contact and actor.can(Area.CARRIER)


def sees_routes(actor: Actor) -> bool:
    """May ``actor`` see the route (carrier) a call took? Never a contact."""
    return sees_carriers(actor)


def hidden_kinds(actor: Actor) -> tuple[str, ...]:
    """Customer kinds whose data an operator's lists and sums must leave out."""
    return () if actor.is_contact or sees_carriers(actor) else (CustomerType.CARRIER.value,)


def carrier_check(actor: Actor, kind: str) -> None:
    """Refuse an operator without the Carrier permission a carrier's data."""
    if kind in hidden_kinds(actor):
        raise PermissionDenied()


def customer_check(*, session: Session, actor: Actor, customer_id: int) -> Customer:
    """The customer behind an id an operator named, when they may see its data: it
    exists and, for a carrier, they hold the Carrier permission. (The area of the
    screen asking is checked by the caller.)"""
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        raise PermissionDenied()
    carrier_check(actor, customer.kind)
    return customer


# Contact roles ------------------------------------------------------------------------
# A role narrows the sections the domain and the customer allow (never widens them).
# Owner: everything allowed. Billing: money. Technical: traffic, prices and lookups.
# Read-only: every allowed section to look at, nothing to change but its own login.
# Carrier Portal mixes traffic and money, so only Owner and Read-only see it.

ROLE_LABELS = {
    ContactRole.OWNER.value: "Owner",
    ContactRole.BILLING.value: "Billing",
    ContactRole.TECHNICAL.value: "Technical",
    ContactRole.READ_ONLY.value: "Read-only",
}
_OWN = frozenset({"profile"})
ROLE_SECTIONS: dict[str, frozenset[str] | None] = {
    ContactRole.OWNER.value: None,  # all the customer's sections
    ContactRole.BILLING.value: _OWN | {"balance", "payments", "alerts"},
    ContactRole.TECHNICAL.value: _OWN | {"cdr", "rate_card", "breakout", "packages"},
    ContactRole.READ_ONLY.value: None,
}
VIEW_ONLY = "You are viewing this portal as the contact: it is read-only."
READ_ONLY = "Your role is Read-only: you can look, not change anything."
OWNERS_ONLY = "Only an Owner of this account can manage its contacts."
NOT_ALLOWED = "This section is not available for your account."


def role_sections(role: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The sections a contact of ``role`` opens, of those its customer is ``allowed``.
    An unknown role opens nothing but the contact's own profile."""
    keep = ROLE_SECTIONS.get(role, _OWN)
    return allowed if keep is None else tuple(s for s in allowed if s in keep)


def contact_refusal(rule: Rule, ctx: PortalContext) -> str | None:
    """For contact rules: None when the contact session ``ctx`` may, else why not."""
    if not rule.section_open(ctx.sections):
        if rule.section_open(ctx.allowed):
            return f"Your role ({ROLE_LABELS.get(ctx.role, ctx.role)}) cannot open this section."
        return NOT_ALLOWED
    if rule.writes is None:
        return None
    if ctx.viewer:  # an operator's "view as": nothing is written, not even the profile
        return VIEW_ONLY
    if rule.writes == Writes.SELF:
        return None
    if rule.writes == Writes.TEAM and ctx.role != ContactRole.OWNER.value:
        return OWNERS_ONLY
    if ctx.role == ContactRole.READ_ONLY.value:
        return READ_ONLY
    return None


def control_host(host: str) -> bool:
    return is_control_host(host, get_settings().control_hosts)


def decide(rule: Rule, who: Actor | None) -> str | None:
    """For operator rules: None when ``who`` may, else the reason shown to them."""
    if rule.need is Need.PUBLIC:
        return None
    if rule.need is Need.NOBODY:
        return "This action is not available."
    if who is None or (who.kind != "operator" and not who.is_admin):
        return "Please log in."
    if who.totp_required and not rule.before_totp:
        return TOTP_FIRST
    if rule.need is Need.ADMIN and not who.is_admin:
        return "Only administrators can do that."
    if rule.need is Need.AREA and not any(who.can(a) for a in rule.areas):
        return "You do not have permission to do that."
    return None


def authorize(rule: Rule, *, token: str, host: str, session: Session | None = None) -> Decision:
    """Decide ``rule`` for the session behind ``token`` on ``host``. Blocking (database).

    Without ``session`` a cached session costs one cheap read (services/principals.py).
    """
    # Imported here: services/portal.py imports the services that ask the carrier rule.
    from .portal import portal_context
    from .principals import operator_for_token

    if rule.need is Need.NOBODY:
        return Decision(allowed=False, reason="This action is not available.", login=not token)
    on_control = control_host(host)
    if rule.need is Need.PUBLIC:
        if not token:
            return ALLOWED_ANONYMOUS
        if on_control:
            return Decision(allowed=True, actor=operator_for_token(session, token))
        ctx = portal_context(session=session, token=token, host=host)
        return Decision(allowed=True, actor=ctx.actor if ctx else None, portal=ctx)
    if rule.need is Need.CONTACT:
        if on_control:
            return Decision(allowed=False, silent=True)  # no portal on control hosts
        ctx = portal_context(session=session, token=token, host=host)
        if ctx is None:
            return Decision(allowed=False, reason="Please log in.", login=True)
        if (reason := contact_refusal(rule, ctx)) is not None:
            return Decision(allowed=False, reason=reason, actor=ctx.actor, portal=ctx)
        return Decision(allowed=True, actor=ctx.actor, portal=ctx)
    if not on_control:
        # Operator handlers do not exist on brand hosts. The host is the client's
        # word, so this only hides; the session check decides everywhere else.
        return Decision(allowed=False, silent=True)
    who = operator_for_token(session, token) if token else None
    reason = decide(rule, who)
    if reason is not None:
        setup = reason == TOTP_FIRST
        return Decision(
            allowed=False, reason=reason, actor=who, login=who is None, totp_setup=setup
        )
    return Decision(allowed=True, actor=who)
