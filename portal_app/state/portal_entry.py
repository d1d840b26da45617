"""Ways into the portal other than the login form: accepting a colleague's invitation
(services/invites.py) and an operator's read-only "view as" tab (services/view_as.py).

Both are public handlers on the brand host: the invitation's token, or the view's
single-use session ticket, is what admits; the host only picks the brand.
"""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import invites
from portal_app.services.contacts import PRINCIPAL
from portal_app.services.db import session_scope
from portal_app.services.errors import AuthFailed, ValidationError
from portal_app.services.portal import domain_for_host

from .base import AppState
from .guard import Need, guarded
from .session_cookie import hand_over, post_ticket


def _domain_id(session, host: str) -> int | None:
    domain = domain_for_host(session=session, host=host)
    return domain.id if domain else None


class PortalEntryState(AppState):
    invite_email: str = ""  # whom the invitation is for; "" when it cannot be used
    invite_problem: str = ""  # why not: expired, used, withdrawn, another brand's
    invite_checked: bool = False
    errors: dict[str, str] = {}
    busy: bool = False
    _invite_token: str = ""

    @guarded(Need.PUBLIC)
    def load_invite(self):
        """The invitation page: is the link in the address good here, and if not, why."""
        self.errors, self.invite_checked, self.invite_problem = {}, True, ""
        self._invite_token = str(self.router.url.query_parameters.get("token", ""))[:128]
        try:
            with session_scope() as session:
                self.invite_email = invites.invite_check(
                    session=session,
                    token=self._invite_token,
                    domain_id=_domain_id(session, self._host()),
                ).email
        except AuthFailed as exc:
            self.invite_email, self.invite_problem = "", exc.message

    @guarded(Need.PUBLIC)
    def accept_invite(self, form_data: dict):
        """Name and password chosen: the contact exists and is logged in."""
        data = {k: str(form_data.get(k) or "")[:300] for k in ("name", "new_password")}
        data["confirm_password"] = str(form_data.get("confirm_password") or "")[:300]
        self.busy = True
        yield
        client, agent = self._client()
        try:
            with session_scope() as session:
                _, token = invites.invite_accept(
                    session=session,
                    token=self._invite_token,
                    domain_id=_domain_id(session, self._host()),
                    data=data,
                    client=client,
                    user_agent=agent,
                )
        except ValidationError as exc:
            self.errors = exc.fields
            return
        except AuthFailed as exc:
            self.invite_email, self.invite_problem = "", exc.message
            return
        finally:
            self.busy = False
        self._invite_token, self.errors = "", {}
        yield hand_over(self, token, PRINCIPAL)

    @guarded(Need.PUBLIC)
    def enter_view(self):
        """The operator's new tab: post the view's ticket to /api/session, whose answer
        sets this brand host's cookie (only for the browser the ticket was made for)."""
        ticket = str(self.router.url.query_parameters.get("ticket", ""))[:128]
        if ticket:
            return post_ticket(ticket)
        return rx.redirect(routes.PORTAL_LOGIN)
