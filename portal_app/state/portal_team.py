"""The portal's Contacts section for an Owner: invite a colleague, change a role,
remove a login, withdraw an invitation. Everyone with the section sees the list
(PortalState.load_team); only an Owner's own session passes these handlers' rule
(``writes=Writes.TEAM``, services/policy.py), and the services check again."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import contact_roles, dates, invites
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError

from .base import AppState
from .guard import Need, Writes, guarded, portal
from .portal import PortalState

SECTION = "contacts"


@dataclasses.dataclass
class InviteRow:
    id: int
    email: str
    role_label: str
    expires: str
    invited_by: str


def _invites(ctx) -> list[InviteRow]:
    with session_scope() as session:
        rows = invites.invite_list(session=session, actor=ctx.actor, customer_id=ctx.customer.id)
        fmt = dates.formatter(session=session)
        return [
            InviteRow(
                id=r.id,
                email=r.email,
                role_label=contact_roles.role_label(r.role),
                expires=fmt.datetime(r.expires_at),
                invited_by=r.invited_by,
            )
            for r in rows
        ]


class PortalTeamState(AppState):
    invites: list[InviteRow] = []
    errors: dict[str, str] = {}
    form_key: int = 0
    confirm_remove: int = 0
    confirm_name: str = ""  # for the confirmation's words only

    @guarded(Need.CONTACT, section=SECTION)
    def load(self):
        """Pending invitations (shown to Owners and to read-only views alike)."""
        self.errors, self.confirm_remove = {}, 0
        self.invites = _invites(portal())

    def _after(self, message: str):
        self.invites = _invites(portal())
        return [PortalState.load_team, rx.toast.success(message)]

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.TEAM)
    def invite(self, form_data: dict):
        email = str(form_data.get("invite_email") or "")[:254]
        role = str(form_data.get("invite_role") or "")[:16]
        try:
            with session_scope() as session:
                invites.invite_create(session=session, actor=portal().actor, email=email, role=role)
        except ValidationError as exc:
            self.errors = {f"invite_{k}": v for k, v in exc.fields.items()}
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors, self.form_key = {}, self.form_key + 1
        return self._after(f"Invitation sent to {email.strip()}. The link works for 7 days.")

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.TEAM)
    def set_role(self, contact_id: int, role: str):
        try:
            with session_scope() as session:
                c = contact_roles.contact_role_set(
                    session=session, actor=portal().actor, contact_id=contact_id, role=role
                )
                name, label = c.name, contact_roles.role_label(c.role)
        except ServiceError as exc:
            return [PortalState.load_team, rx.toast.error(exc.message)]
        return self._after(f"{name} is now {label}.")

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.TEAM)
    def ask_remove(self, contact_id: int, name: str):
        self.confirm_remove, self.confirm_name = contact_id, str(name)[:120]

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.TEAM)
    def cancel_remove(self):
        self.confirm_remove = 0

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.TEAM)
    def remove(self):
        contact_id, self.confirm_remove = self.confirm_remove, 0
        if not contact_id:
            return
        try:
            with session_scope() as session:
                c = contact_roles.contact_remove(
                    session=session, actor=portal().actor, contact_id=contact_id
                )
                name = c.name
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        return self._after(f"{name} can no longer log in.")

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.TEAM)
    def revoke_invite(self, invite_id: int):
        try:
            with session_scope() as session:
                invites.invite_revoke(session=session, actor=portal().actor, invite_id=invite_id)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        return self._after("Invitation withdrawn: its link no longer works.")
