"""My Account > Personal Information: name, password and two-factor authentication."""

from __future__ import annotations

import reflex as rx

from portal_app.services import credentials, profile, security_settings, totp
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.validation import format_phone

from . import own_account
from .base import AppState
from .guard import Need, actor, guarded
from .session_cookie import hand_over


class ProfileState(AppState):
    name: str = ""
    email: str = ""
    mobile: str = ""  # formatted for people; stored in E.164
    totp_enabled: bool = False
    errors: dict[str, str] = {}
    password_form_key: int = 0
    password_hint: str = "At least 10 characters."  # the account\x27s minimum (Settings)
    # Enrolment: the QR code and secret are shown only until confirmed or cancelled.
    enrolling: bool = False
    qr_data_uri: str = ""
    manual_secret: str = ""
    recovery_codes: list[str] = []

    def _refresh(self) -> None:
        with session_scope() as session:
            me = profile.profile_get(session=session, actor=actor())
            self.name, self.email, self.totp_enabled = me.name, me.email, me.totp_enabled
            self.mobile = format_phone(me.mobile)
            self.password_hint = security_settings.password_hint(session=session)

    @guarded(Need.OPERATOR, before_totp=True)
    def load(self):
        self.errors, self.enrolling, self.qr_data_uri, self.manual_secret = {}, False, "", ""
        self.recovery_codes = []
        self._refresh()

    @guarded(Need.OPERATOR)
    def save_name(self, form_data: dict):
        try:
            with session_scope() as session:
                form = {k: str(form_data.get(k, ""))[:200] for k in ("name", "mobile")}
                profile.profile_update(session=session, actor=actor(), data=form)
        except ValidationError as exc:
            self.errors = exc.fields
            return
        self.errors = {}
        self._refresh()
        self.me_name = self.name
        return rx.toast.success("Personal information saved.")

    @guarded(Need.OPERATOR)
    def change_password(self, form_data: dict):
        if not isinstance(form_data, dict):
            return
        client = self._client()
        try:
            token = own_account.change_password(actor(), form_data, *client)
        except ValidationError as exc:
            self.errors = exc.fields
            return
        self.errors = {}
        self.password_form_key += 1
        yield rx.toast.success("Password changed. Your other sessions were logged out.")
        yield hand_over(self, token, "operator")

    @guarded(Need.OPERATOR, before_totp=True)
    def start_totp(self):
        try:
            with session_scope() as session:
                enrolment = credentials.totp_begin(session=session, actor=actor())
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors = {}
        self.enrolling = True
        self.qr_data_uri = enrolment.qr_svg_data_uri
        self.manual_secret = enrolment.secret

    @guarded(Need.OPERATOR, before_totp=True)
    def cancel_totp(self):
        self.enrolling, self.qr_data_uri, self.manual_secret, self.errors = False, "", "", {}

    @guarded(Need.OPERATOR, before_totp=True)
    def confirm_totp(self, form_data: dict):
        try:
            with session_scope() as session:
                codes = credentials.totp_confirm(
                    session=session, actor=actor(), code=str(form_data.get("totp_code", ""))[:16]
                )
        except ValidationError as exc:
            self.errors = exc.fields
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.enrolling, self.qr_data_uri, self.manual_secret, self.errors = False, "", "", {}
        self.recovery_codes = codes
        self._refresh()
        return rx.toast.success("Two-factor authentication is on.")

    @guarded(Need.OPERATOR)
    def hide_recovery_codes(self):
        self.recovery_codes = []

    @guarded(Need.OPERATOR)
    def disable_totp(self, form_data: dict):
        password = str(form_data.get("totp_password", ""))
        try:
            own_account.with_password(credentials.totp_disable, actor(), password)
        except ValidationError as exc:
            self.errors = exc.fields
            return
        self.errors = {}
        self._refresh()
        yield rx.toast.success("Two-factor authentication is off.")

    @guarded(Need.OPERATOR)
    def regenerate_codes(self, form_data: dict):
        password = str(form_data.get("codes_password", ""))
        try:
            codes = own_account.with_password(totp.recovery_codes_regenerate, actor(), password)
        except ValidationError as exc:
            self.errors = {"codes_password": next(iter(exc.fields.values()))}
            return
        except ServiceError as exc:
            yield rx.toast.error(exc.message)
            return
        self.errors = {}
        self.recovery_codes = codes
