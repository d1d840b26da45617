"""The domain editor's Template Customer: searched as the operator types (never a list of
every customer), with a preview of what approving a sign-up copies from it.

A mixin of DomainsState (its only user), so its handlers are guarded here.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services.customer_search import customer_pick
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError
from portal_app.services.identity import Area

from .customer_picker import CustomerPickerMixin, label_of
from .guard import Need, actor, guarded

TEMPLATE_AREAS = (Area.PORTAL, Area.CUSTOMER)  # who may pick a Template Customer


def _preview(session, template_id: int | None) -> list[str]:
    """Lines saying what a sign-up's approval copies from the template (or nothing)."""
    from portal_app.services.signup_templates import template_preview

    preview = template_preview(session=session, actor=actor(), template_customer_id=template_id)
    if preview is None:
        return []
    lines = [f"{k}: {v}" for k, v in preview.fields.items()]
    lines.append("Routes: " + (", ".join(preview.routes) or "none"))
    lines.append("Payments: " + ("; ".join(preview.payments) or "none"))
    lines.append("Alerts: " + ("; ".join(preview.alerts) or "none"))
    lines.append("Packages: " + (", ".join(preview.packages) or "none"))
    lines.append("Contracts: " + (", ".join(preview.contracts) or "none"))
    return lines


class DomainTemplateMixin(CustomerPickerMixin, mixin=True):
    template_id: str = "none"  # the Template Customer: "none" or an id (searched, not listed)
    template_label: str = ""
    template_preview: list[str] = []

    def _template(self, session, template_id: int | None) -> None:
        pick = customer_pick(
            session=session, actor=actor(), customer_id=template_id, areas=TEMPLATE_AREAS
        )
        self.template_id = str(pick.id) if pick else "none"
        self.template_label = label_of(pick) if pick else ""
        self.template_preview = _preview(session, pick.id if pick else None)

    @guarded(Need.AREA, Area.PORTAL)
    def find_customers(self, text: str):
        """Template Customer: the matches for what the operator typed so far."""
        try:
            self._find(actor(), text, TEMPLATE_AREAS)
        except ServiceError as exc:
            return rx.toast.error(exc.message)

    @guarded(Need.AREA, Area.PORTAL)
    def pick_customer(self, customer_id: int):
        """Make a customer the picker offered the Template Customer, and preview it."""
        if not any(r.id == customer_id for r in self.pick_rows):
            return
        with session_scope() as session:
            self._template(session, customer_id)
        self._picked()

    @guarded(Need.AREA, Area.PORTAL)
    def clear_template(self):
        self.template_id, self.template_label, self.template_preview = "none", "", []
