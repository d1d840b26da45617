"""Setup > Integrations > Portal: the list of brand domains and the tabbed editor.

The Template Customer (domain_template.py) and the DNS statuses, Verify now and the live
watch (domain_status.py) are mixins of this one state.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.services import domains as svc
from portal_app.services.alert_limits import FIELDS as ALERT_LIMITS
from portal_app.services.customers import customers_on_domain
from portal_app.services.db import session_scope
from portal_app.services.domain_validation import MAX_CODE
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.files import logo_choices
from portal_app.services.identity import Area
from portal_app.services.money import active_currencies, plain_minor
from portal_app.services.validation import parse_id
from portal_app.settings import get_settings

from .base import AppState
from .domain_rows import LISTS, DomainRow, ListItem, domain_rows, list_items
from .domain_status import DomainStatusMixin
from .domain_template import DomainTemplateMixin
from .guard import Need, actor, checked, guarded

SAVE_TOAST = "domain-save"


class DomainsState(DomainTemplateMixin, DomainStatusMixin, AppState):
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
    mail_testing: bool = False
    mail_answer: str = ""
    mail_ok: bool = False
    code_locked: bool = False  # the Javascript and CSS: administrators only

    def _reload(self) -> None:
        self.rows = domain_rows(actor())

    @guarded(Need.AREA, Area.PORTAL)
    def load(self):
        self.editing, self.errors = "", {}
        self._reload()
        return DomainsState.watch

    def _fill(self, domain) -> None:
        if domain is None:
            with session_scope() as session:
                domain = svc.domain_blank(session=session)
        d = domain

        self.form = {
            "host": d.host,
            "brand_name": d.brand_name,
            # An amount of the first currency (services/domain_validation.py says why).
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
            **{k: str(getattr(d, k)) for k in ALERT_LIMITS},
        }
        # The brand's switches: sign-ups, and the automatic top-up (domain_payments.py).
        self.signup = {
            "customer": d.customer_signup,
            "carrier": d.carrier_signup,
            "auto_topup": d.auto_topup,
            "alert_editable": d.alert_editable,
        }
        # Swatches show stored (validated) colours only, never what was typed.
        self.swatches = {"accent_color": d.accent_color, "header_color": d.header_color}
        self.currencies = list(d.currencies)
        self.access = list_items("access", list(d.access))
        self.breakout = list_items("breakout", list(d.breakout_columns))
        self.cdr = list_items("cdr", list(d.cdr_columns))
        self.has_smtp_password = bool(d.smtp_password_enc)
        self.code_locked = not actor().is_admin
        with session_scope() as session:
            files = logo_choices(session=session, actor=actor())
            self.logo_options = [[str(i), n] for i, n in files]
            self._template(session, d.template_customer_id)
        self._picked()

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
            k: str(form_data.get(k, ""))[: MAX_CODE + 1] for k in svc.EDITABLE if k in form_data
        }
        data |= {
            "customer_signup": checked(form_data.get("customer_signup")),
            "carrier_signup": checked(form_data.get("carrier_signup")),
            "auto_topup": checked(form_data.get("auto_topup")),
            "alert_editable": checked(form_data.get("alert_editable")),
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
    async def test_email(self):
        """Send a test message through this domain's saved SMTP to the operator."""
        from portal_app.services import smtp_details

        who = actor()
        async with self:
            if self.editing in ("", "new"):
                self.mail_ok, self.mail_answer = False, "Save the domain first, then test it."
                return
            domain_id, self.mail_testing, self.mail_answer = int(self.editing), True, ""

        def send() -> str:
            with session_scope() as session:
                return smtp_details.smtp_test(
                    session=session, actor=who, to=who.label, domain_id=domain_id
                )

        try:
            answer, ok = await asyncio.to_thread(send), True
        except ServiceError as exc:
            answer, ok = exc.message, False
        async with self:
            self.mail_testing, self.mail_ok = False, ok
            self.mail_answer = (
                f"Sent to {who.label}. The server answered: {answer}" if ok else answer
            )
