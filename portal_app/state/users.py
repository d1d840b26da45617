"""Setup > My Account > Users: operator users and groups."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import dates, security_settings
from portal_app.services import groups as group_svc
from portal_app.services import users as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area, Grant
from portal_app.services.validation import parse_id

from .base import ROLE_LABELS, AppState
from .guard import Need, actor, checked, guarded

AREA_LABELS = {
    Area.CUSTOMER: "Customer",
    Area.CARRIER: "Carrier",
    Area.CARD: "Card",
    Area.CDR: "CDR",
    Area.LOG: "Log",
    Area.REPORT: "Report",
    Area.PORTAL: "Portal",
    Area.PAYMENT: "Payment",
    Area.SETUP: "Setup",
    Area.USER: "User",
}


@dataclasses.dataclass
class UserRow:
    id: int
    name: str
    email: str
    role: str
    role_label: str
    group_id: str
    group_name: str
    enabled: bool
    totp: bool
    last_login: str


@dataclasses.dataclass
class GroupRow:
    id: int
    name: str
    members: int
    summary: str


_as_id = parse_id  # ids arrive from the browser


class UsersState(AppState):
    users: list[UserRow] = []
    groups: list[GroupRow] = []
    password_hint: str = "At least 10 characters."  # the account\x27s minimum (Settings)

    # The user dialog: "" closed, "new", or the id being edited.
    user_dialog: str = ""
    user_form: dict[str, str] = {}
    group_dialog: str = ""
    group_form: dict[str, str] = {}
    errors: dict[str, str] = {}
    confirm_delete: str = ""  # "user:ID" or "group:ID"
    confirm_label: str = ""

    def _reload(self) -> None:
        with session_scope() as session:
            self.password_hint = security_settings.password_hint(session=session)

            groups = group_svc.group_list(session=session, actor=actor())
            names = {g.id: g.name for g in groups}
            counts = group_svc.group_member_counts(session=session)
            self.groups = [
                GroupRow(
                    id=g.id,
                    name=g.name,
                    members=counts.get(g.id, 0),
                    summary=_grant_summary(g.grants),
                )
                for g in groups
            ]
            fmt = dates.formatter(session=session)
            self.users = [
                UserRow(
                    id=u.id,
                    name=u.name,
                    email=u.email,
                    role=u.role,
                    role_label=ROLE_LABELS.get(u.role, u.role),
                    group_id=str(u.group_id or ""),
                    group_name=names.get(u.group_id, "—") if u.group_id else "—",
                    enabled=u.enabled,
                    totp=u.totp_enabled,
                    last_login=fmt.datetime(u.last_login_at, "never"),
                )
                for u in svc.user_list(session=session, actor=actor())
            ]

    @guarded(Need.AREA, Area.USER)
    def load(self):
        # A page load starts with no dialog open (state outlives an in-app navigation).
        self.user_dialog = self.group_dialog = self.confirm_delete = ""
        self.errors = {}
        self._reload()

    @guarded(Need.AREA, Area.USER)
    def open_user(self, user_id: str):
        """Open the add (``new``) or edit dialog for a user."""
        self.errors = {}
        if user_id == "new":
            self.user_form = {
                "name": "",
                "email": "",
                "role": "user",
                "group_id": "none",
                "enabled": "on",
            }
            self.user_dialog = "new"
            return
        row = next((u for u in self.users if u.id == _as_id(user_id)), None)
        if row is None:
            return rx.toast.error("That user no longer exists.")
        self.user_form = {
            "name": row.name,
            "email": row.email,
            "role": row.role,
            "group_id": row.group_id or "none",
            "enabled": "on" if row.enabled else "",
        }
        self.user_dialog = str(row.id)

    @guarded(Need.AREA, Area.USER)
    def close_dialogs(self):
        self.user_dialog = self.group_dialog = self.confirm_delete = ""
        self.errors = {}

    @guarded(Need.AREA, Area.USER)
    def save_user(self, form_data: dict):
        if not isinstance(form_data, dict) or not self.user_dialog:
            return
        data = {
            "name": form_data.get("name", ""),
            "email": form_data.get("email", ""),
            "password": form_data.get("password", ""),
            "role": form_data.get("role", ""),
            "group_id": form_data.get("group_id") or None,
            "enabled": checked(form_data.get("enabled")),
        }
        try:
            with session_scope() as session:
                if self.user_dialog == "new":
                    svc.user_create(session=session, actor=actor(), data=data)
                else:
                    svc.user_update(
                        session=session,
                        actor=actor(),
                        user_id=_as_id(self.user_dialog) or 0,
                        data=data,
                    )
        except ValidationError as exc:
            self.errors = exc.fields
            self.user_form = {k: str(v or "") for k, v in data.items() if k != "password"}
            self.user_form["enabled"] = "on" if data["enabled"] else ""
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        created = self.user_dialog == "new"
        self.user_dialog, self.errors = "", {}
        self._reload()
        return rx.toast.success(f"User {'added' if created else 'saved'}.")

    @guarded(Need.AREA, Area.USER)
    def open_group(self, group_id: str):
        self.errors = {}
        grants = {a.value: Grant.SELECT.value for a in Area}
        if group_id == "new":
            self.group_form = {"name": ""} | grants
            self.group_dialog = "new"
            return
        gid = _as_id(group_id)
        with session_scope() as session:
            group = next(
                (g for g in group_svc.group_list(session=session, actor=actor()) if g.id == gid),
                None,
            )
            if group is None:
                return rx.toast.error("That group no longer exists.")
            self.group_form = {"name": group.name} | grants | dict(group.grants)
        self.group_dialog = str(gid)

    @guarded(Need.AREA, Area.USER)
    def save_group(self, form_data: dict):
        if not isinstance(form_data, dict) or not self.group_dialog:
            return
        data = {
            "name": form_data.get("name", ""),
            "grants": {a.value: form_data.get(f"grant_{a.value}", "select") for a in Area},
        }
        try:
            with session_scope() as session:
                if self.group_dialog == "new":
                    group_svc.group_create(session=session, actor=actor(), data=data)
                else:
                    group_svc.group_update(
                        session=session,
                        actor=actor(),
                        group_id=_as_id(self.group_dialog) or 0,
                        data=data,
                    )
        except ValidationError as exc:
            self.errors = exc.fields
            self.group_form = {"name": str(data["name"])} | {
                k: str(v) for k, v in data["grants"].items()
            }
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        created = self.group_dialog == "new"
        self.group_dialog, self.errors = "", {}
        self._reload()
        return rx.toast.success(f"Group {'added' if created else 'saved'}.")

    @guarded(Need.AREA, Area.USER)
    def ask_delete(self, kind: str, item_id: str):
        if kind not in ("user", "group") or _as_id(item_id) is None:
            return
        rows = self.users if kind == "user" else self.groups
        row = next((r for r in rows if r.id == _as_id(item_id)), None)
        if row is None:
            return
        self.confirm_delete = f"{kind}:{row.id}"
        self.confirm_label = f"{kind} {row.name}"

    @guarded(Need.AREA, Area.USER)
    def confirm_delete_now(self):
        kind, _, raw_id = self.confirm_delete.partition(":")
        self.confirm_delete = ""
        item_id = _as_id(raw_id)
        if item_id is None:
            return
        try:
            with session_scope() as session:
                if kind == "user":
                    svc.user_delete(session=session, actor=actor(), user_id=item_id)
                else:
                    group_svc.group_delete(session=session, actor=actor(), group_id=item_id)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success(f"{kind.capitalize()} deleted.")


def _grant_summary(grants: dict[str, str]) -> str:
    allowed = [AREA_LABELS[a] for a in Area if grants.get(a.value) == Grant.ALLOW.value]
    denied = [AREA_LABELS[a] for a in Area if grants.get(a.value) == Grant.DENY.value]
    parts = []
    if allowed:
        parts.append("Allow: " + ", ".join(allowed))
    if denied:
        parts.append("Deny: " + ", ".join(denied))
    return " · ".join(parts) or "No permissions"
