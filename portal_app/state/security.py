"""My Account › Settings: the account's security settings (administrators only)."""

from __future__ import annotations

import reflex as rx

from portal_app.services import security_settings as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ValidationError
from portal_app.settings import get_settings

from .base import AppState
from .guard import Need, actor, checked, guarded

TEXT = ("session_idle_minutes", "session_days", "min_password_length")


class SecurityState(AppState):
    values: dict[str, str] = {}
    require_totp: bool = False
    errors: dict[str, str] = {}
    form_key: int = 0
    env_idle: int = 0  # what an empty lifetime box means
    env_days: int = 0

    def _fill(self, row) -> None:
        self.values = {k: "" if getattr(row, k) is None else str(getattr(row, k)) for k in TEXT}
        self.require_totp = row.require_totp
        self.form_key += 1

    @guarded(Need.ADMIN)
    def load(self):
        with session_scope() as session:
            self._fill(svc.security_settings_get(session=session, actor=actor()))
        env = get_settings()
        self.env_idle, self.env_days, self.errors = env.session_idle_minutes, env.session_days, {}

    @guarded(Need.ADMIN)
    def save(self, form_data: dict):
        data = {k: str(form_data.get(k, ""))[:20] for k in TEXT}
        data["require_totp"] = "on" if checked(form_data.get("require_totp")) else ""
        try:
            with session_scope() as session:
                self._fill(svc.security_settings_update(session=session, actor=actor(), data=data))
        except ValidationError as exc:
            self.errors, self.values = exc.fields, {k: data[k] for k in TEXT}
            return
        self.errors = {}
        return rx.toast.success("Security settings saved.")
