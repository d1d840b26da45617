"""The root of the app's states: who is logged in (from the HttpOnly session cookie)."""

from __future__ import annotations

import reflex as rx
from reflex_base.registry import RegistrationContext

from portal_app import routes
from portal_app.services.hosts import is_control_host
from portal_app.services.identity import Area, Role
from portal_app.settings import get_settings

from .guard import Need, guarded, maybe_actor
from .session_cookie import end_session, session_token_of


def setvar(self, var_name: str, value: str) -> None:
    """Reflex's generic setter: never callable from the browser in this app."""


def lock_setvar(cls) -> None:
    """Replace Reflex's generic ``setvar`` handler with one the guard always refuses."""
    handler = cls._create_event_handler(guarded(Need.NOBODY)(setvar))
    cls.setvar = cls.event_handlers["setvar"] = handler
    RegistrationContext.register_event_handler(handler, states=(cls,))


class AppState(rx.State):
    """A small view of the logged-in operator for the layout. The session token itself
    is in an HttpOnly cookie the server reads from the websocket handshake
    (state/session_cookie.py); no var holds it."""

    logged_in: bool = False
    identity_checked: bool = False
    control_host: bool = True
    me_name: str = ""
    me_email: str = ""
    me_is_admin: bool = False
    me_areas: list[str] = []
    pending_count: int = 0  # sign-ups waiting for approval (kept live by PendingState)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        lock_setvar(cls)

    @property
    def session_token(self) -> str:
        """This connection's session token (its cookie), or ""; never sent to the page."""
        return session_token_of(self)

    def _device(self) -> str:
        """This browser's device cookie (services/devices.py), or ""."""
        from portal_app.services.devices import DEVICE_COOKIE

        from .session_cookie import cookie_of

        return cookie_of(self, DEVICE_COOKIE)

    def _host(self) -> str:
        return self.router.url.netloc or self.router.headers.host

    def _client(self) -> tuple[str, str]:
        """(client address, user agent) for throttling and the session record."""
        return self.router.session.client_ip or "", self.router.headers.user_agent[:255]

    def _set_identity(self, who) -> None:
        self.identity_checked = True
        self.logged_in = who is not None
        self.me_name = who.label if who else ""
        self.me_email = who.label if who else ""
        self.me_is_admin = bool(who and who.is_admin)
        self.me_areas = [a.value for a in Area if who and who.can(a)]

    @guarded(Need.PUBLIC)
    def sync_identity(self):
        """On every control-panel page load: who is this, or off to the login page."""
        self.control_host = is_control_host(self._host(), get_settings().control_hosts)
        who = maybe_actor() if self.control_host else None
        self._set_identity(who)
        if who is not None:
            from portal_app.services.db import session_scope
            from portal_app.services.users import user_get

            with session_scope() as session:
                me = user_get(session=session, actor=who, user_id=who.id)
                self.me_name, self.me_email = me.name, me.email
            if who.totp_required and self.router.url.path.rstrip("/") != routes.PERSONAL:
                return [
                    rx.redirect(routes.PERSONAL),
                    rx.toast.warning("This account requires two-factor authentication."),
                ]
        elif self.control_host:
            return rx.redirect(routes.LOGIN)
        if not self.control_host:
            from .brand import BrandState

            return BrandState.load_brand

    @guarded(Need.PUBLIC)
    def logout(self):
        """End this browser's session on the server; the cookie goes with the answer."""
        from portal_app.services.db import session_scope
        from portal_app.services.sessions import session_revoke

        if token := self.session_token:
            with session_scope() as session:
                session_revoke(session=session, token=token)
        self._set_identity(None)
        return end_session()


lock_setvar(AppState)

ROLE_LABELS = {Role.USER.value: "User", Role.ADMIN.value: "Administrator"}
