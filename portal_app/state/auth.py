"""The operator login form: password, then the second factor when enabled."""

from __future__ import annotations

import time

import reflex as rx

from portal_app import routes
from portal_app.services import auth
from portal_app.services.db import session_scope
from portal_app.services.errors import AuthFailed, Throttled
from portal_app.services.hosts import is_control_host
from portal_app.settings import get_settings

from .base import AppState
from .guard import Need, guarded
from .session_cookie import hand_over

PENDING_SECONDS = 300


def _password_step(email: str, password: str, device: str, client: str, agent: str):
    with session_scope() as session:
        return auth.login_password(
            session=session,
            email=email,
            password=password,
            client=client,
            user_agent=agent,
            device=device,
        )


def _code_step(user_id: int, code: str, device: str, client: str, agent: str) -> str:
    with session_scope() as session:
        return auth.login_second_factor(
            session=session,
            user_id=user_id,
            code=code,
            client=client,
            user_agent=agent,
            device=device,
        )


class LoginState(AppState):
    error: str = ""
    step: str = "password"  # or "code"
    busy: bool = False
    _pending_user_id: int = 0
    _pending_until: float = 0.0

    def _start_session(self, token: str):
        """Into the HttpOnly cookie (the claim ends this browser's previous session)."""
        self.step, self.error, self._pending_user_id = "password", "", 0
        return hand_over(self, token, "operator")

    @guarded(Need.PUBLIC)
    def submit_password(self, form_data: dict):
        """Check email and password off the event loop (argon2 is slow on purpose)."""
        if not is_control_host(self._host(), get_settings().control_hosts):
            self.error = "Operator login is not available on this address."
            return
        email = str(form_data.get("email", ""))[:254]
        password = str(form_data.get("password", ""))[:256]
        if not email or not password:
            self.error = "Enter your email and password."
            return
        self.error, self.busy = "", True
        yield
        try:
            result = _password_step(email, password, self._device(), *self._client())
        except (AuthFailed, Throttled) as exc:
            self.error = exc.message
            return
        finally:
            self.busy = False
        if result.needs_totp:
            self.step = "code"
            self._pending_user_id = result.user_id
            self._pending_until = time.time() + PENDING_SECONDS
            return
        yield self._start_session(result.token)

    @guarded(Need.PUBLIC)
    def submit_code(self, form_data: dict):
        """Second step: a TOTP code (accepted once) or a recovery code."""
        if not self._pending_user_id or time.time() > self._pending_until:
            self.step, self._pending_user_id = "password", 0
            self.error = "That took too long. Enter your email and password again."
            return
        code = str(form_data.get("code", ""))[:32]
        try:
            token = _code_step(self._pending_user_id, code, self._device(), *self._client())
        except (AuthFailed, Throttled) as exc:
            self.error = exc.message
            return
        yield self._start_session(token)

    @guarded(Need.PUBLIC)
    def restart(self):
        self.step, self.error, self._pending_user_id = "password", "", 0

    @guarded(Need.PUBLIC)
    def load_login(self):
        """Already logged in? Go to the dashboard instead of the form."""
        self.error = ""
        from .guard import resolve_actor

        self.control_host = is_control_host(self._host(), get_settings().control_hosts)
        if not self.control_host:
            from .brand import BrandState

            return BrandState.load_brand
        if resolve_actor(self.session_token) is not None:
            return rx.redirect(routes.DASHBOARD)
