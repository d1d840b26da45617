"""A customer's contracts: added and removed on the customer's dialog, audited on the
customer, and copied from a Template Customer to an approved sign-up."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import Contract, Customer

from .alerts import customer_audit
from .customers import customer_get
from .errors import NotFound, ValidationError
from .identity import Actor
from .validation import clean_name


def contract_list(*, session: Session, actor: Actor, customer_id: int) -> list[Contract]:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    return list(
        session.exec(
            select(Contract).where(Contract.customer_id == customer.id).order_by(Contract.id)
        ).all()
    )


def contract_add(
    *, session: Session, actor: Actor, customer_id: int, name: str, months: str, notes: str
) -> Contract:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    errors: dict[str, str] = {}
    name = clean_name(name)
    if not name or len(name) > 120:
        errors["contract_name"] = "Enter the contract's name."
    if not str(months or "").isdigit() or not 1 <= int(months) <= 120:
        errors["contract_months"] = "Enter a term of 1 to 120 months."
    if errors:
        raise ValidationError(errors)
    contract = Contract(
        customer_id=customer.id, name=name, months=int(months), notes=str(notes or "")[:1000]
    )
    session.add(contract)
    customer_audit(
        session, actor, "customer.contract_add", customer.id, {"name": name, "months": int(months)}
    )
    return contract


def contract_delete(*, session: Session, actor: Actor, contract_id: int) -> None:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound("That contract no longer exists.")
    customer_get(session=session, actor=actor, customer_id=contract.customer_id)
    customer_audit(
        session,
        actor,
        "customer.contract_delete",
        contract.customer_id,
        {"contract": contract.name},
    )
    session.delete(contract)


def contracts_copy(*, session: Session, template: Customer, customer: Customer) -> dict:
    contracts = session.exec(select(Contract).where(Contract.customer_id == template.id)).all()
    for c in contracts:
        session.add(
            Contract(
                customer_id=customer.id,
                name=c.name,
                months=c.months,
                notice_days=c.notice_days,
                notes=c.notes,
            )
        )
    return {"contracts": [c.name for c in contracts]}
