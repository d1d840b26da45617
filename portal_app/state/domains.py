"""Setup > Integrations > Portal: the list of brand domains and the tabbed editor."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import reflex as rx

from portal_app import live, routes
from portal_app.services import domains as svc
from portal_app.services.customer_search import customer_pick
from portal_app.services.customers import customers_on_domain
from portal_app.services.db import session_scope
from portal_app.services.emails import portal_url
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.files import logo_choices
from portal_app.services.hosts import host_display
from portal_app.services.identity import Area
from portal_app.services.money import active_currencies, plain_minor
from portal_app.services.offloop import run_blocking
from portal_app.services.policy import Rule
from portal_app.services.validation import parse_id
from portal_app.settings import get_settings

from .base import AppState
from .customer_picker import CustomerPickerMixin, label_of
from .guard import Need, actor, checked, guarded, recheck

STATUS_LABELS = {
    "pending": "Pending",
    "verified": "Verified",
    "misconfigured": "Misconfigured",
    "unknown": "Check failed",
}
WATCH_SECONDS = 1800  # half an hour; reopening the page starts a new watch
RECHECK_SECONDS = 5  # with no change, the session is still re-checked this often
WATCH_RULE = Rule(Need.AREA, Area.PORTAL)
TEMPLATE_AREAS = (Area.PORTAL, Area.CUSTOMER)  # who may pick a Template Customer
SAVE_TOAST = "domain-save"
LISTS = {"access": svc.SECTIONS, "breakout": svc.BREAKOUT_COLUMNS, "cdr": svc.CDR_COLUMNS}


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


def _row(d) -> DomainRow:
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
        last_checked=d.last_checked_at.strftime("%Y-%m-%d %H:%M UTC")
        if d.last_checked_at
        else "not yet",
        certificate=cert,
        url=portal_url(d.host, routes.PORTAL),
    )


def _items(kind: str, chosen: list[str]) -> list[ListItem]:
    labels = LISTS[kind]
    order = [k for k in chosen if k in labels] + [k for k in labels if k not in chosen]
    return [ListItem(key=k, label=labels[k], on=k in chosen) for k in order]


def _preview(session, template_id: int | None) -> list[str]:
    """Lines saying what a sign-up's approval copies from the template (or nothing)."""
    from portal_app.services.signups import template_preview

    preview = template_preview(session=session, actor=actor(), template_customer_id=template_id)
    if preview is None:
        return []
    lines = [f"{k}: {v}" for k, v in preview.fields.items()]
    lines.append("Routes: " + (", ".join(preview.routes) or "none"))
    lines.append("Payments: " + ("; ".join(preview.payments) or "none"))
    lines.append("Alerts: " + ("; ".join(preview.alerts) or "none"))
    lines.append("Packages: " + (", ".join(preview.packages) or "none"))
    lines.append("Contracts: " + (", ".join(preview.contracts) or "none"))
    return lines


class DomainsState(CustomerPickerMixin, AppState):
    rows: list[DomainRow] = []
    editing: str = ""  # "", "new" or the id
    form: dict[str, str] = {}
    signup: dict[str, bool] = {}
    swatches: dict[str, str] = {}
    currencies: list[str] = []
    access: list[ListItem] = []
    breakout: list[ListItem] = []
    cdr: list[ListItem] = []
    logo_options: list[list[str]] = []
    has_smtp_password: bool = False
    errors: dict[str, str] = {}
    confirm_delete: str = ""
    confirm_label: str = ""
    delete_customers: int = 0
    delete_targets: list[list[str]] = []
    template_id: str = "none"  # the Template Customer: "none" or an id (searched, not listed)
    template_label: str = ""
    template_preview: list[str] = []
    checking: str = ""  # id of the domain being verified now
    mail_testing: bool = False
    mail_answer: str = ""
    mail_ok: bool = False
    code_locked: bool = False  # the Javascript and CSS: administrators only
    _watch_id: int = 0

    def _reload(self) -> None:
        self.rows = _rows(actor())

    @guarded(Need.AREA, Area.PORTAL)
    def load(self):
        self.editing, self.errors = "", {}
        self._reload()
        return DomainsState.watch

    def _fill(self, domain) -> None:
        d = domain or svc.domain_blank()
        self.form = {
            "host": d.host,
            "brand_name": d.brand_name,
            # An amount of the first currency (services/domains.py says why).
            "customer_limit": plain_minor(d.customer_limit, (d.currencies or ["USD"])[0]),
            "custom_js": d.custom_js,
            "custom_css": d.custom_css,
            "footer": d.footer,
            "accent_color": d.accent_color,
            "header_color": d.header_color,
            "logo_file_id": str(d.logo_file_id or "none"),
            "smtp_server": d.smtp_server,
            "smtp_username": d.smtp_username,
            "smtp_from": d.smtp_from,
        }
        # The brand's switches: sign-ups, and the automatic top-up (domain_payments.py).
        self.signup = {
            "customer": d.customer_signup,
            "carrier": d.carrier_signup,
            "auto_topup": d.auto_topup,
        }
        # Swatches show stored (validated) colours only, never what was typed.
        self.swatches = {"accent_color": d.accent_color, "header_color": d.header_color}
        self.currencies = list(d.currencies)
        self.access = _items("access", list(d.access))
        self.breakout = _items("breakout", list(d.breakout_columns))
        self.cdr = _items("cdr", list(d.cdr_columns))
        self.has_smtp_password = bool(d.smtp_password_enc)
        self.code_locked = not actor().is_admin
        with session_scope() as session:
            files = logo_choices(session=session, actor=actor())
            self.logo_options = [[str(i), n] for i, n in files]
            self._template(session, d.template_customer_id)
        self._picked()

    def _template(self, session, template_id: int | None) -> None:
        pick = customer_pick(
            session=session, actor=actor(), customer_id=template_id, areas=TEMPLATE_AREAS
        )
        self.template_id = str(pick.id) if pick else "none"
        self.template_label = label_of(pick) if pick else ""
        self.template_preview = _preview(session, pick.id if pick else None)

    @guarded(Need.AREA, Area.PORTAL)
    def find_customers(self, text: str):
        """Template Customer: the matches for what the operator typed so far."""
        try:
            self._find(actor(), text, TEMPLATE_AREAS)
        except ServiceError as exc:
            return rx.toast.error(exc.message)

    @guarded(Need.AREA, Area.PORTAL)
    def pick_customer(self, customer_id: int):
        """Make a customer the picker offered the Template Customer, and preview it."""
        if not any(r.id == customer_id for r in self.pick_rows):
            return
        with session_scope() as session:
            self._template(session, customer_id)
        self._picked()

    @guarded(Need.AREA, Area.PORTAL)
    def clear_template(self):
        self.template_id, self.template_label, self.template_preview = "none", "", []

    @guarded(Need.AREA, Area.PORTAL)
    def open_editor(self, domain_id: str):
        self.errors, self.mail_answer = {}, ""
        if domain_id == "new":
            self._fill(None)
            self.editing = "new"
            return
        target = parse_id(domain_id)
        if target is None:
            return rx.toast.error("That domain no longer exists.")
        try:
            with session_scope() as session:
                self._fill(svc.domain_get(session=session, actor=actor(), domain_id=target))
        except ServiceError:
            return rx.toast.error("That domain no longer exists.")
        self.editing = str(target)

    @guarded(Need.AREA, Area.PORTAL)
    def close_editor(self):
        self.editing, self.errors, self.confirm_delete = "", {}, ""

    @guarded(Need.AREA, Area.PORTAL)
    def toggle_item(self, kind: str, key: str):
        if kind not in LISTS:
            return
        items = getattr(self, kind)
        setattr(
            self, kind, [dataclasses.replace(i, on=not i.on) if i.key == key else i for i in items]
        )

    @guarded(Need.AREA, Area.PORTAL)
    def move_item(self, kind: str, key: str, delta: int):
        if kind not in LISTS or delta not in (-1, 1):
            return
        items = list(getattr(self, kind))
        index = next((n for n, i in enumerate(items) if i.key == key), None)
        if index is None or not 0 <= index + delta < len(items):
            return
        items[index], items[index + delta] = items[index + delta], items[index]
        setattr(self, kind, items)

    @guarded(Need.AREA, Area.PORTAL)
    def add_currency(self, code: str):
        code = code.strip().upper()
        if code in active_currencies() and code not in self.currencies:
            self.currencies = [*self.currencies, code]

    @guarded(Need.AREA, Area.PORTAL)
    def remove_currency(self, code: str):
        self.currencies = [c for c in self.currencies if c != code]

    @guarded(Need.AREA, Area.PORTAL)
    def save(self, form_data: dict):
        if not self.editing:
            return
        data = {
            k: str(form_data.get(k, ""))[: svc.MAX_CODE + 1] for k in svc.EDITABLE if k in form_data
        }
        data |= {
            "customer_signup": checked(form_data.get("customer_signup")),
            "carrier_signup": checked(form_data.get("carrier_signup")),
            "auto_topup": checked(form_data.get("auto_topup")),
            "currencies": list(self.currencies),
            "template_customer_id": self.template_id,
            "access": [i.key for i in self.access if i.on],
            "breakout_columns": [i.key for i in self.breakout if i.on],
            "cdr_columns": [i.key for i in self.cdr if i.on],
            "smtp_password": str(form_data.get("smtp_password", ""))[:256],
            "smtp_password_clear": checked(form_data.get("smtp_password_clear")),
        }
        try:
            with session_scope() as session:
                if self.editing == "new":
                    svc.domain_create(
                        session=session, actor=actor(), data=data, settings=get_settings()
                    )
                else:
                    svc.domain_update(
                        session=session,
                        actor=actor(),
                        domain_id=int(self.editing),
                        data=data,
                        settings=get_settings(),
                    )
        except ValidationError as exc:
            self.errors = exc.fields
            self.form = self.form | {
                k: v for k, v in data.items() if isinstance(v, str) and k in self.form
            }
            # One toast per save (the same id): a later success replaces this warning.
            return rx.toast.error("Some fields need attention: see the marked tabs.", id=SAVE_TOAST)
        except ServiceError as exc:
            return rx.toast.error(exc.message, id=SAVE_TOAST)
        created = self.editing == "new"
        self.editing, self.errors = "", {}
        self._reload()
        return rx.toast.success(
            "Domain added: create the CNAME record, then Verify now."
            if created
            else "Domain saved.",
            id=SAVE_TOAST,
        )

    @guarded(Need.AREA, Area.PORTAL)
    def ask_delete(self, domain_id: str):
        row = next((r for r in self.rows if str(r.id) == domain_id), None)
        if row is None:
            return
        with session_scope() as session:
            self.delete_customers = customers_on_domain(
                session=session, actor=actor(), domain_id=row.id
            )
        self.delete_targets = [[str(r.id), r.host] for r in self.rows if r.id != row.id]
        self.confirm_delete, self.confirm_label = domain_id, row.host

    @guarded(Need.AREA, Area.PORTAL)
    def confirm_delete_now(self, form_data: dict):
        target, self.confirm_delete = self.confirm_delete, ""
        customers_to = str(form_data.get("customers_to", ""))[:20]
        try:
            with session_scope() as session:
                moved = svc.domain_delete(
                    session=session, actor=actor(), domain_id=int(target), customers_to=customers_to
                )
        except ValueError:
            return rx.toast.error("That domain no longer exists.")
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success(
            f"Domain deleted; {moved} customer(s) moved." if moved else "Domain deleted."
        )

    @guarded(Need.AREA, Area.PORTAL, background=True)
    async def verify_now(self, domain_id: str):
        """Check DNS now, off the event loop; the page stays responsive meanwhile."""
        target = parse_id(domain_id)
        if target is None:
            return
        if not await run_blocking(_verify_allowed, target):
            yield rx.toast.info("Checked a moment ago: try again in a few seconds.")
            return
        async with self:
            self.checking = domain_id
        try:
            result, _changed = await asyncio.to_thread(_check, target)
        except ServiceError as exc:  # deleted meanwhile
            yield rx.toast.error(exc.message)
            return
        finally:
            rows = await run_blocking(_rows, actor())
            async with self:
                self.checking = ""
                self.rows = rows
        yield (
            rx.toast.success(result.explanation)
            if result.outcome == "verified"
            else rx.toast.warning(result.explanation)
        )

    @guarded(Need.AREA, Area.PORTAL, background=True)
    async def test_email(self):
        """Send a test message through this domain's saved SMTP to the operator."""
        from portal_app.services import mail

        who = actor()
        async with self:
            if self.editing in ("", "new"):
                self.mail_ok, self.mail_answer = False, "Save the domain first, then test it."
                return
            domain_id, self.mail_testing, self.mail_answer = int(self.editing), True, ""

        def send() -> str:
            with session_scope() as session:
                return mail.smtp_test(session=session, actor=who, to=who.label, domain_id=domain_id)

        try:
            answer, ok = await asyncio.to_thread(send), True
        except ServiceError as exc:
            answer, ok = exc.message, False
        async with self:
            self.mail_testing, self.mail_ok = False, ok
            self.mail_answer = (
                f"Sent to {who.label}. The server answered: {answer}" if ok else answer
            )

    @guarded(Need.AREA, Area.PORTAL, background=True)
    async def watch(self):
        """While this page is open, statuses found by the background checks show up live
        (woken by the worker's one poller; the session is re-checked every round)."""
        async with self:
            self._watch_id += 1
            mine = self._watch_id
        until, seen = time.monotonic() + WATCH_SECONDS, DOMAINS.version
        while time.monotonic() < until:
            version = await DOMAINS.wait(seen, RECHECK_SECONDS)
            decision = await recheck(self, WATCH_RULE)
            if not decision.allowed:
                return
            rows = await run_blocking(_rows, decision.actor) if version != seen else None
            async with self:
                on_page = self.router.url.path.rstrip("/") == routes.PORTAL_DOMAINS
                if self._watch_id != mine or not on_page:
                    return
                if rows is not None:
                    self.rows = rows
            seen = version


def _rows(who) -> list[DomainRow]:
    with session_scope() as session:
        return [_row(d) for d in svc.domain_list(session=session, actor=who)]


def _stamp() -> tuple:
    with session_scope() as session:
        return svc.domain_status_stamp(session=session)


DOMAINS = live.topic("domains", _stamp)


def _verify_allowed(domain_id: int) -> bool:
    from portal_app.services import domain_checks

    with session_scope() as session:
        return domain_checks.verify_allowed(session=session, domain_id=domain_id)


def _check(domain_id: int):
    from portal_app.services import domain_checks

    with session_scope() as session:
        return domain_checks.domain_check_now(
            session=session, domain_id=domain_id, settings=get_settings()
        )
