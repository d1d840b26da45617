"""The portal's Profile section: the contact's own name, password and 2FA."""

from __future__ import annotations

import reflex as rx

from portal_app.services import credentials, login_alerts, security_settings
from portal_app.services.contacts import PRINCIPAL
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError

from . import own_account
from .base import AppState
from .guard import Need, Writes, guarded, portal
from .session_cookie import hand_over


class PortalProfileState(AppState):
    name: str = ""
    email: str = ""
    totp_enabled: bool = False
    login_alerts: bool = False
    errors: dict[str, str] = {}
    password_form_key: int = 0
    password_hint: str = "At least 10 characters."  # the account\x27s minimum (Settings)
    enrolling: bool = False
    qr_data_uri: str = ""
    manual_secret: str = ""

    def _refresh(self) -> None:
        contact = portal().contact
        self.name, self.email, self.totp_enabled = contact.name, contact.email, contact.totp_enabled
        self.login_alerts = contact.login_alerts
        with session_scope() as session:
            self.password_hint = security_settings.password_hint(session=session)

    @guarded(Need.CONTACT, section="profile")
    def load(self):
        self.errors, self.enrolling, self.qr_data_uri, self.manual_secret = {}, False, "", ""
        self._refresh()

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def save_name(self, form_data: dict):
        try:
            with session_scope() as session:
                contact = credentials.profile_rename(
                    session=session, actor=portal().actor, name=str(form_data.get("name", ""))[:200]
                )
        except ValidationError as exc:
            self.errors = exc.fields
            return
        self.errors, self.name = {}, contact.name
        from .portal import PortalState

        return [PortalState.load_portal, rx.toast.success("Your name is saved.")]

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def set_login_alerts(self, on: bool):
        """The contact's "email me every time I log in" switch."""
        with session_scope() as session:
            contact = login_alerts.contact_login_alerts_set(
                session=session, actor=portal().actor, on=bool(on)
            )
        self.login_alerts = contact.login_alerts
        words = "You will get an email at every login." if on else "Login emails are off."
        return rx.toast.success(words)

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def change_password(self, form_data: dict):
        client = self._client()
        try:
            token = own_account.change_password(portal().actor, form_data, *client)
        except ValidationError as exc:
            self.errors = exc.fields
            return
        self.errors = {}
        self.password_form_key += 1
        yield rx.toast.success("Password changed. Your other sessions were logged out.")
        yield hand_over(self, token, PRINCIPAL)

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def start_totp(self):
        try:
            with session_scope() as session:
                enrolment = credentials.totp_begin(session=session, actor=portal().actor)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors, self.enrolling = {}, True
        self.qr_data_uri, self.manual_secret = enrolment.qr_svg_data_uri, enrolment.secret

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def cancel_totp(self):
        self.enrolling, self.qr_data_uri, self.manual_secret, self.errors = False, "", "", {}

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def confirm_totp(self, form_data: dict):
        try:
            with session_scope() as session:
                credentials.totp_confirm(
                    session=session,
                    actor=portal().actor,
                    code=str(form_data.get("totp_code", ""))[:16],
                )
        except ValidationError as exc:
            self.errors = exc.fields
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.enrolling, self.qr_data_uri, self.manual_secret, self.errors = False, "", "", {}
        self.totp_enabled = True
        return rx.toast.success("Two-factor authentication is on.")

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def disable_totp(self, form_data: dict):
        try:
            own_account.with_password(
                credentials.totp_disable, portal().actor, str(form_data.get("totp_password", ""))
            )
        except ValidationError as exc:
            self.errors = exc.fields
            return
        self.errors, self.totp_enabled = {}, False
        yield rx.toast.success("Two-factor authentication is off.")
