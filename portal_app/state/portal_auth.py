"""Customer portal login, "forgot password" and the set-password link page."""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from portal_app import routes
from portal_app.services import portal_auth as svc
from portal_app.services import security_settings
from portal_app.services.contacts import PRINCIPAL
from portal_app.services.db import session_scope
from portal_app.services.errors import AuthFailed, Throttled, ValidationError
from portal_app.services.offloop import run_blocking
from portal_app.services.password_reset import FORGOT_ANSWER_SECONDS, password_forgot
from portal_app.services.portal import domain_for_host

from .base import AppState
from .guard import Need, guarded, resolve_portal
from .session_cookie import hand_over

PENDING_SECONDS = 300
FORGOT_ANSWER = (
    "If that email belongs to a login of this portal, a link to choose a new password "
    "is on its way. It works once and expires in one hour."
)


def _domain_id(host: str) -> int | None:
    with session_scope() as session:
        domain = domain_for_host(session=session, host=host)
        return domain.id if domain else None


def _password_step(
    email: str, password: str, domain_id: int | None, device: str, client: str, agent: str
):
    with session_scope() as session:
        return svc.contact_login_password(
            session=session,
            email=email,
            password=password,
            domain_id=domain_id,
            client=client,
            user_agent=agent,
            device=device,
        )


def _code_step(
    contact_id: int, code: str, domain_id: int | None, device: str, client: str, agent: str
):
    with session_scope() as session:
        return svc.contact_login_code(
            session=session,
            contact_id=contact_id,
            code=code,
            domain_id=domain_id,
            client=client,
            user_agent=agent,
            device=device,
        )


def _forgot(email: str, host: str, client: str) -> None:
    """Queue a reset link when the email is a login here; the same work otherwise."""
    with session_scope() as session:
        domain = domain_for_host(session=session, host=host)
        domain_id = domain.id if domain else None
        password_forgot(session=session, email=email, domain_id=domain_id, client=client)


def _use_link(token: str, host: str, new: str, confirm: str) -> str:
    with session_scope() as session:
        domain = domain_for_host(session=session, host=host)
        return svc.password_link_use(
            session=session,
            token=token,
            domain_id=domain.id if domain else None,
            new=new,
            confirm=confirm,
        ).email


class PortalLoginState(AppState):
    error: str = ""
    notice: str = ""
    step: str = "password"  # or "code"
    busy: bool = False
    link_email: str = ""  # the set-password page: whose link this is, "" when dead
    link_checked: bool = False
    password_hint: str = "At least 10 characters."  # the account\x27s minimum (Settings)
    errors: dict[str, str] = {}
    _pending_contact: int = 0
    _pending_until: float = 0.0
    _link_token: str = ""

    @guarded(Need.PUBLIC)
    def load_login(self):
        """Already logged in here? Straight to the portal."""
        self.error, self.notice, self.step, self._pending_contact = "", "", "password", 0
        if self.router.url.query_parameters.get("welcome") == "1":
            self.notice = "Your password is set. Log in with your email and new password."
        if resolve_portal(str(self.session_token or ""), self._host()) is not None:
            return rx.redirect(routes.PORTAL)

    @guarded(Need.PUBLIC)
    def submit_password(self, form_data: dict):
        email = str(form_data.get("email", ""))[:254]
        password = str(form_data.get("password", ""))[:256]
        if not email or not password:
            self.error = "Enter your email and password."
            return
        self.error, self.notice, self.busy = "", "", True
        yield
        try:
            domain_id = _domain_id(self._host())
            result = _password_step(email, password, domain_id, self._device(), *self._client())
        except (AuthFailed, Throttled) as exc:
            self.error = exc.message
            return
        finally:
            self.busy = False
        if result.needs_totp:
            self.step, self._pending_contact = "code", result.user_id
            self._pending_until = time.time() + PENDING_SECONDS
            return
        yield self._start(result.token)

    @guarded(Need.PUBLIC)
    def submit_code(self, form_data: dict):
        if not self._pending_contact or time.time() > self._pending_until:
            self.step, self._pending_contact = "password", 0
            self.error = "That took too long. Enter your email and password again."
            return
        code = str(form_data.get("code", ""))[:32]
        try:
            token = _code_step(
                self._pending_contact,
                code,
                _domain_id(self._host()),
                self._device(),
                *self._client(),
            )
        except (AuthFailed, Throttled) as exc:
            self.error = exc.message
            return
        yield self._start(token)

    def _start(self, token: str):
        """Into the HttpOnly cookie (the claim ends this browser's previous session)."""
        self.step, self.error, self._pending_contact = "password", "", 0
        return hand_over(self, token, PRINCIPAL)

    @guarded(Need.PUBLIC)
    def restart(self):
        self.step, self.error, self._pending_contact = "password", "", 0

    @guarded(Need.PUBLIC)
    async def submit_forgot(self, form_data: dict):
        """The same answer whether or not the email exists (no account probing), and at
        the same time: async, so the wait for the floor holds no worker thread."""
        email = str(form_data.get("email", "")).strip()[:254]
        if not email:
            self.error = "Enter the email you log in with."
            return
        self.error, self.busy = "", True
        yield
        started = time.monotonic()
        try:
            await run_blocking(_forgot, email, self._host(), self._client()[0])
        finally:
            # A known email does a little more work: answer at one floor for all.
            await asyncio.sleep(max(0.0, FORGOT_ANSWER_SECONDS - (time.monotonic() - started)))
            self.busy = False
        self.notice = FORGOT_ANSWER

    @guarded(Need.PUBLIC)
    def load_link(self):
        """The set-password page: is the link in the address still good?"""
        self.errors, self.notice, self.link_checked = {}, "", True
        token = str(self.router.url.query_parameters.get("token", ""))[:128]
        self._link_token = token
        try:
            with session_scope() as session:
                domain = domain_for_host(session=session, host=self._host())
                self.password_hint = security_settings.password_hint(session=session)
                self.link_email = svc.password_link_check(
                    session=session, token=token, domain_id=domain.id if domain else None
                ).email

        except AuthFailed:
            self.link_email = ""

    @guarded(Need.PUBLIC)
    def submit_new_password(self, form_data: dict):
        new = str(form_data.get("new_password", ""))[:300]
        confirm = str(form_data.get("confirm_password", ""))[:300]
        self.busy = True
        yield
        try:
            email = _use_link(self._link_token, self._host(), new, confirm)
        except ValidationError as exc:
            self.errors = exc.fields
            return
        except AuthFailed:
            self.link_email = ""
            return
        finally:
            self.busy = False
        self._link_token, self.link_email, self.errors = "", "", {}
        yield rx.redirect(routes.PORTAL_LOGIN + "?welcome=1")
        yield rx.toast.success(f"Password set for {email}.")
