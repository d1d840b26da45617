"""The operator's side of contact roles (customer dialog, Contacts tab): set a
contact's role, see and withdraw pending invitations, and "View as this contact"
(a read-only portal tab, services/view_as.py)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import contact_roles, dates, invites, view_as
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError
from portal_app.services.identity import Area

from .base import AppState
from .contacts import ContactsState
from .guard import Need, actor, guarded


@dataclasses.dataclass
class PendingInvite:
    id: int
    email: str
    role_label: str
    invited_by: str
    expires: str


class ContactAccessState(AppState):
    customer_id: int = 0
    invites: list[PendingInvite] = []
    # "View as": the brand-host link for the operator to click (a click opens a tab
    # where a script-opened window would meet the popup blocker). It carries a
    # single-use ticket valid one minute for this browser only (services/tickets.py).
    view_url: str = ""
    view_name: str = ""

    def _fetch(self) -> None:
        with session_scope() as session:
            rows = invites.invite_list(session=session, actor=actor(), customer_id=self.customer_id)
            fmt = dates.formatter(session=session)
            self.invites = [
                PendingInvite(
                    id=r.id,
                    email=r.email,
                    role_label=contact_roles.role_label(r.role),
                    invited_by=r.invited_by,
                    expires=fmt.datetime(r.expires_at),
                )
                for r in rows
            ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_access(self, customer_id: int):
        self.customer_id, self.invites = max(customer_id, 0), []
        self.view_url = self.view_name = ""
        if self.customer_id:
            try:
                self._fetch()
            except ServiceError:
                self.customer_id = 0

    @guarded(Need.AREA, Area.CUSTOMER)
    def set_role(self, contact_id: int, role: str):
        """An operator overrides a role (the last-Owner rule holds for them too)."""
        try:
            with session_scope() as session:
                c = contact_roles.contact_role_set(
                    session=session, actor=actor(), contact_id=contact_id, role=role
                )
                message = f"{c.name} is now {contact_roles.role_label(c.role)}."
        except ServiceError as exc:
            return [ContactsState.open_contacts(self.customer_id), rx.toast.error(exc.message)]
        return [ContactsState.open_contacts(self.customer_id), rx.toast.success(message)]

    @guarded(Need.AREA, Area.CUSTOMER)
    def revoke_invite(self, invite_id: int):
        try:
            with session_scope() as session:
                invites.invite_revoke(session=session, actor=actor(), invite_id=invite_id)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._fetch()
        return rx.toast.success("Invitation withdrawn: its link no longer works.")

    @guarded(Need.AREA, Area.CUSTOMER)
    def view_as(self, contact_id: int):
        """Open the contact's portal, read-only, in a new tab on the brand's host."""
        client, agent = self._client()
        try:
            with session_scope() as session:
                self.view_url = view_as.view_as_start(
                    session=session,
                    actor=actor(),
                    contact_id=contact_id,
                    client_ip=client,
                    user_agent=agent,
                )
                self.view_name = contact_roles.team_member(
                    session=session, actor=actor(), contact_id=contact_id
                ).name
        except ServiceError as exc:
            self.view_url = self.view_name = ""
            return rx.toast.error(exc.message)

    @guarded(Need.AREA, Area.CUSTOMER)
    def view_opened(self):
        """The link was used (it works once): hide it."""
        self.view_url = self.view_name = ""
