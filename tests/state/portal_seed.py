"""Two brands, one customer on each, contacts with live portal sessions: the world the
portal state tests and the isolation property test run in. Every string that belongs
to one customer carries its marker, so a leak to the other shows up in a search."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session

from portal_app.models import Customer, PortalDomain
from portal_app.services.contacts import contact_create
from portal_app.services.identity import SYSTEM
from portal_app.services.ledger import ledger_add
from portal_app.services.sessions import session_create

PASSWORD = "contact-pass-123"
ACCESS = ["balance", "cdr", "contacts", "profile"]


@dataclasses.dataclass(frozen=True)
class Tenant:
    marker: str
    host: str
    domain_id: int
    customer_id: int
    contact_id: int
    email: str
    token: str
    secrets: tuple[str, ...]  # strings no portal browser may ever receive

    @property
    def origin(self) -> str:
        return f"http://{self.host}:3000"

    def router(self, path: str = "/portal") -> dict:
        return {"origin": self.origin, "host": f"{self.host}:3000", "path": path}


def seed_tenant(db: Session, marker: str, host: str, entries: int = 3) -> Tenant:
    domain = PortalDomain(
        host=host, brand_name=f"Brand {marker}", status="verified", access=list(ACCESS)
    )
    db.add(domain)
    db.flush()
    customer = Customer(name=f"Customer {marker}", domain_id=domain.id, currency="EUR")
    db.add(customer)
    db.flush()
    contact, _ = contact_create(
        session=db,
        actor=SYSTEM,
        customer_id=customer.id,
        data={
            "name": f"Contact {marker}",
            "email": f"{marker.lower()}@{host}",
            "password": PASSWORD,
            "public_notes": f"Public note {marker}",
            "private_notes": f"Private note {marker}",
        },
    )
    contact_create(
        session=db,
        actor=SYSTEM,
        customer_id=customer.id,
        data={
            "name": f"Colleague {marker}",
            "email": f"colleague-{marker.lower()}@{host}",
            "password": PASSWORD,
        },
    )
    for n in range(entries):
        ledger_add(
            session=db,
            actor=SYSTEM,
            customer_id=customer.id,
            kind="payment",
            amount=f"{n + 1}.25",
            reference=f"Ref {marker} {n}",
            note=f"Internal {marker} {n}",
        )
    token = session_create(session=db, user_id=contact.id, principal="contact")
    db.commit()
    return Tenant(
        marker=marker,
        host=host,
        domain_id=domain.id,
        customer_id=customer.id,
        contact_id=contact.id,
        email=contact.email,
        token=token,
        secrets=(f"Private note {marker}", f"Internal {marker}"),
    )


def sent_text(outcome) -> str:
    """Everything one handler call sent to the browser, as text: the state delta and the
    events, with downloads (base64 data URLs) decoded."""
    import base64
    import json
    import re

    text = json.dumps(outcome.delta, default=str) + json.dumps(
        [e.payload for e in outcome.events], default=str
    )
    for data in re.findall(r"data:[\w/.+-]+;base64,([A-Za-z0-9+/=]+)", text):
        text += base64.b64decode(data).decode("utf-8", "replace")
    return text
