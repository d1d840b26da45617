"""A domain's Template Customer: what approving a sign-up would copy from it (the domain
editor's preview), and the copy into a newly approved customer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.models import (
    Area,
    Customer,
    CustomerRateCard,
    LedgerEntry,
    LedgerKind,
    PortalDomain,
)

from .errors import PermissionDenied
from .identity import Actor
from .policy import hidden_kinds


@dataclass(frozen=True)
class TemplatePreview:
    """What approving a sign-up copies from the domain's Template Customer."""

    template: str
    fields: dict[str, str]
    routes: list[str]
    payments: list[str]
    alerts: list[str]
    packages: list[str]
    contracts: list[str]


def template_preview(
    *, session: Session, actor: Actor, template_customer_id: int | None
) -> TemplatePreview | None:
    """What approving a sign-up would copy from this template customer (domain editor)."""
    from portal_app.models import RateCard

    from .money import format_minor

    if not actor.can(Area.PORTAL):
        raise PermissionDenied()
    template = session.get(Customer, template_customer_id) if template_customer_id else None
    if template is None or template.kind in hidden_kinds(actor):  # a carrier's: carrier data
        return None
    cards = session.exec(
        select(RateCard.name)
        .join(CustomerRateCard, CustomerRateCard.card_id == RateCard.id)
        .where(CustomerRateCard.customer_id == template.id)
    ).all()
    entries = session.exec(
        select(LedgerEntry)
        .where(
            LedgerEntry.customer_id == template.id,
            LedgerEntry.kind.in_([LedgerKind.PAYMENT.value, LedgerKind.CREDIT.value]),
        )
        .order_by(LedgerEntry.id)
    ).all()
    from portal_app.models import Contract, CustomerAlert, CustomerPackage, Package

    alerts = session.exec(
        select(CustomerAlert).where(CustomerAlert.customer_id == template.id)
    ).all()
    packages = session.exec(
        select(Package.name)
        .join(CustomerPackage, CustomerPackage.package_id == Package.id)
        .where(CustomerPackage.customer_id == template.id)
    ).all()
    contracts = session.exec(select(Contract.name).where(Contract.customer_id == template.id)).all()
    return TemplatePreview(
        alerts=[
            f"below {format_minor(a.threshold, template.currency)} → {a.recipients}" for a in alerts
        ],
        packages=list(packages),
        contracts=list(contracts),
        template=template.name,
        fields={
            "Credit limit": format_minor(template.credit_limit, template.currency),
            "Portal access": ", ".join(
                f"{k}: {v}" for k, v in (template.portal_access or {}).items()
            )
            or "the domain's",
        },
        routes=list(cards),
        payments=[
            f"{format_minor(e.amount, e.currency)} {e.kind} {e.reference}".strip() for e in entries
        ],
    )


def template_apply(*, session: Session, actor: Actor, customer: Customer) -> dict:
    """Copy the domain's Template Customer into a newly approved customer: its credit
    limit (when set), portal access overrides, routes in the customer's currency, and
    its payments and credits as new ledger entries (e.g. the $5.00 welcome credit)."""
    from .ledger import ledger_add
    from .money import plain_minor

    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    template = (
        session.get(Customer, domain.template_customer_id)
        if domain and domain.template_customer_id
        else None
    )
    if template is None or template.id == customer.id:
        return {}
    copied: dict = {}
    if template.credit_limit and template.currency == customer.currency:
        customer.credit_limit = template.credit_limit
        copied["credit_limit"] = template.credit_limit
    if template.portal_access:
        customer.portal_access = dict(template.portal_access)
        copied["portal_access"] = dict(template.portal_access)
    session.add(customer)
    from portal_app.models import RateCard

    cards = session.exec(
        select(RateCard)
        .join(CustomerRateCard, CustomerRateCard.card_id == RateCard.id)
        .where(CustomerRateCard.customer_id == template.id, RateCard.currency == customer.currency)
    ).all()
    for card in cards:
        session.add(CustomerRateCard(customer_id=customer.id, card_id=card.id))
    copied["routes"] = [c.name for c in cards]
    entries = session.exec(
        select(LedgerEntry)
        .where(
            LedgerEntry.customer_id == template.id,
            LedgerEntry.kind.in_([LedgerKind.PAYMENT.value, LedgerKind.CREDIT.value]),
            LedgerEntry.currency == customer.currency,
        )
        .order_by(LedgerEntry.id)
    ).all()
    # The template's money is the operator's standing offer, not this approver's own
    # payment: it is recorded by the system on the approver's behalf.
    system = Actor(kind="system", id=None, label=f"template, approved by {actor.label}")
    for entry in entries:
        ledger_add(
            session=session,
            actor=system,
            customer_id=customer.id,
            kind=entry.kind,
            amount=plain_minor(entry.amount, entry.currency),
            reference=entry.reference or "Welcome",
            note=f"From template {template.name}",
        )
    copied["payments"] = [e.amount for e in entries]
    from .alerts import alerts_copy
    from .contracts import contracts_copy
    from .customer_packages import packages_copy

    for copy in (alerts_copy, packages_copy, contracts_copy):
        copied |= copy(session=session, template=template, customer=customer)
    return copied
