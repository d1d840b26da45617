"""The Contacts tab of the customer dialog: the customer's portal logins."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import contacts as svc
from portal_app.services import dates, security_settings
from portal_app.services.db import session_scope
from portal_app.services.email_log import delivery_note
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.mail import MailError

from .base import AppState
from .guard import Need, actor, checked, guarded

FORM_FIELDS = ("name", "email", "public_notes", "private_notes")
# The customer form in the same dialog has "name" and "email" fields of its own.
_FORM_NAMES = {
    "name": "contact_name",
    "email": "contact_email",
    "password": "contact_password",
    "role": "contact_role",
}


@dataclasses.dataclass
class ContactRow:
    id: int
    name: str
    email: str
    last_login: str
    totp: bool
    has_password: bool
    role: str = ""


def _create(who, customer_id: int, data: dict) -> tuple[int, bool, str]:
    """Create (argon2 when the operator sets the password); returns the id,
    whether a password link was queued, and where it goes without SMTP."""
    with session_scope() as session:
        contact, token = svc.contact_create(
            session=session, actor=who, customer_id=customer_id, data=data
        )
        if token is None:
            return contact.id, False, ""
        return contact.id, True, delivery_note(session=session, customer_id=customer_id)


def _reset(who, contact_id: int) -> tuple[str, str]:
    with session_scope() as session:
        contact, _ = svc.contact_reset_password(session=session, actor=who, contact_id=contact_id)
        return contact.email, delivery_note(session=session, customer_id=contact.customer_id)


def _update(who, contact_id: int, data: dict) -> None:
    with session_scope() as session:
        svc.contact_update(session=session, actor=who, contact_id=contact_id, data=data)


def _link_toast(email: str, note: str):
    if note:
        return rx.toast.info(f"A link to set the password for {email} is queued. {note}")
    return rx.toast.success(f"A link to set the password is on its way to {email}.")


class ContactsState(AppState):
    customer_id: int = 0
    rows: list[ContactRow] = []
    editing: str = ""  # "", "new" or a contact id
    form: dict[str, str] = {}
    auto_password: bool = True
    password_hint: str = "At least 10 characters."  # the account\x27s minimum (Settings)
    errors: dict[str, str] = {}
    confirm_delete: int = 0
    busy: bool = False

    def _fetch(self) -> None:
        with session_scope() as session:
            contacts = svc.contact_list(
                session=session, actor=actor(), customer_id=self.customer_id
            )
            fmt = dates.formatter(session=session)
            self.password_hint = security_settings.password_hint(session=session)

        self.rows = [
            ContactRow(
                id=c.id,
                name=c.name,
                email=c.email,
                last_login=fmt.datetime(c.last_login_at, "Never"),
                totp=c.totp_enabled,
                has_password=c.password_hash is not None,
                role=c.role,
            )
            for c in contacts
        ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_contacts(self, customer_id: int):
        self.customer_id, self.rows, self.editing, self.errors = max(customer_id, 0), [], "", {}
        self.confirm_delete = 0
        if self.customer_id:
            try:
                self._fetch()
            except ServiceError as exc:
                self.customer_id = 0
                return rx.toast.error(exc.message)

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_contact(self, contact_id: int):
        """0 opens an empty form for a new contact."""
        if not self.customer_id:
            return
        self.errors, self.auto_password = {}, contact_id == 0
        if contact_id == 0:
            self.form, self.editing = dict.fromkeys(FORM_FIELDS, ""), "new"
            return
        try:
            with session_scope() as session:
                c = svc.contact_get(session=session, actor=actor(), contact_id=contact_id)
                if c.customer_id != self.customer_id:
                    return
                self.form = {k: getattr(c, k) for k in FORM_FIELDS}
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.editing = str(contact_id)

    @guarded(Need.AREA, Area.CUSTOMER)
    def close_contact(self):
        self.editing, self.errors = "", {}

    @guarded(Need.AREA, Area.CUSTOMER)
    def set_auto_password(self, value: bool):
        self.auto_password = value

    @guarded(Need.AREA, Area.CUSTOMER)
    def save_contact(self, form_data: dict):
        if not self.editing or not self.customer_id:
            return
        # A field that is not rendered (the password, when auto-generated) comes as null.
        data = {k: str(form_data.get(_FORM_NAMES.get(k, k)) or "")[:4100] for k in FORM_FIELDS}
        data["password"] = str(form_data.get("contact_password") or "")[:300]
        data["auto_password"] = self.editing == "new" and checked(form_data.get("auto_password"))
        data["role"] = str(form_data.get("contact_role") or "")[:16]  # a new contact's only
        self.busy = True
        yield
        try:
            if self.editing == "new":
                _, queued, note = _create(actor(), self.customer_id, data)
            else:
                _update(actor(), int(self.editing), data)
                queued, note = False, ""
        except ValidationError as exc:
            self.errors = {_FORM_NAMES.get(k, k): v for k, v in exc.fields.items()}
            self.form = {k: data[k] for k in FORM_FIELDS}
            return
        except ServiceError as exc:
            yield rx.toast.error(exc.message)
            return
        finally:
            self.busy = False
        created = self.editing == "new"
        self.editing, self.errors = "", {}
        self._fetch()
        yield rx.toast.success("Contact added." if created else "Contact saved.")
        if queued:
            yield _link_toast(data["email"], note)

    @guarded(Need.AREA, Area.CUSTOMER)
    def send_password_link(self, contact_id: int):
        """Reset: the current password stops working, the contact gets a link."""
        try:
            email, note = _reset(actor(), contact_id)
        except MailError as exc:
            yield rx.toast.error(f"The password was not reset: {exc.message}", duration=12000)
            return
        except ServiceError as exc:
            yield rx.toast.error(exc.message)
            return
        self._fetch()
        yield _link_toast(email, note)

    @guarded(Need.AREA, Area.CUSTOMER)
    def reset_2fa(self, contact_id: int):
        try:
            with session_scope() as session:
                contact = svc.contact_reset_2fa(
                    session=session, actor=actor(), contact_id=contact_id
                )
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._fetch()
        return rx.toast.success(f"Two-factor authentication is off for {contact.email}.")

    @guarded(Need.AREA, Area.CUSTOMER)
    def ask_delete(self, contact_id: int):
        self.confirm_delete = contact_id if any(r.id == contact_id for r in self.rows) else 0

    @guarded(Need.AREA, Area.CUSTOMER)
    def cancel_delete(self):
        self.confirm_delete = 0

    @guarded(Need.AREA, Area.CUSTOMER)
    def delete_contact(self):
        if not self.confirm_delete:
            return
        try:
            with session_scope() as session:
                svc.contact_delete(session=session, actor=actor(), contact_id=self.confirm_delete)
        except ServiceError as exc:
            self.confirm_delete = 0
            return rx.toast.error(exc.message)
        self.confirm_delete = 0
        self._fetch()
        return rx.toast.success("Contact deleted. Its portal sessions ended.")

    @rx.var
    def delete_label(self) -> str:
        row = next((r for r in self.rows if r.id == self.confirm_delete), None)
        return f"{row.name} ({row.email})" if row else ""
