"""What the guard's session check costs per event: cached against resolved from scratch.

Every event asks the policy about its session. A resolved session is cached per process
and re-checked with one read of the auth epoch (services/principals.py); a miss reads the
session row, the operator and the group (or contact, customer and domain). This measures
``policy.authorize`` both ways on a real SQLite file, for an operator and for a contact,
and prints the medians and their ratio. Run: ``.venv/bin/python bench/guard_cost.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_TMP = Path(tempfile.mkdtemp(prefix="bench-guard-"))
os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_TMP / 'bench.db'}"

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlmodel import Session  # noqa: E402

from portal_app.models import Area, Contact, Customer, DomainStatus, PortalDomain  # noqa: E402
from portal_app.services import principals  # noqa: E402
from portal_app.services.db import get_engine  # noqa: E402
from portal_app.services.groups import group_create  # noqa: E402
from portal_app.services.identity import SYSTEM  # noqa: E402
from portal_app.services.policy import Need, Rule, authorize  # noqa: E402
from portal_app.services.sessions import session_create  # noqa: E402
from portal_app.services.users import user_create  # noqa: E402
from portal_app.settings import PROJECT_ROOT  # noqa: E402

RUNS = 2000


def _seed() -> tuple[str, str]:
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    with Session(get_engine(), expire_on_commit=False) as session:
        group = group_create(
            session=session, actor=SYSTEM, data={"name": "Ops", "grants": {"customer": "allow"}}
        )
        session.flush()
        user = user_create(
            session=session,
            actor=SYSTEM,
            data={
                "name": "Op",
                "email": "op@example.com",
                "password": "bench-password-1",
                "role": "user",
                "group_id": group.id,
            },
        )
        domain = PortalDomain(host="acme.example.test", brand_name="Acme", currencies=["USD"])
        domain.status, domain.access = DomainStatus.VERIFIED.value, ["balance", "cdr"]
        session.add(domain)
        session.flush()
        customer = Customer(name="Bluebird", domain_id=domain.id)
        session.add(customer)
        session.flush()
        contact = Contact(customer_id=customer.id, name="Bea", email="bea@example.com")
        session.add(contact)
        session.flush()
        operator = session_create(session=session, user_id=user.id)
        portal = session_create(session=session, user_id=contact.id, principal="contact")
        session.commit()
    return operator, portal


def _median(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    operator, portal = _seed()
    cases = [
        ("operator, Customer area", Rule(Need.AREA, Area.CUSTOMER), operator, "localhost"),
        (
            "contact, Balance section",
            Rule(Need.CONTACT, section="balance"),
            portal,
            "acme.example.test",
        ),
    ]
    print(f"policy.authorize per event, median of {RUNS} (µs); ratio = uncached / cached")
    for name, rule, token, host in cases:

        def check(rule=rule, token=token, host=host) -> None:
            assert authorize(rule, token=token, host=host).allowed  # as the guard calls it

        def uncached() -> None:
            principals.cache_clear()
            check()

        check()  # warm
        hit, miss = _median(check), _median(uncached)
        print(f"{name:28} cached {hit * 1e6:7.0f}  uncached {miss * 1e6:7.0f}  ×{miss / hit:.2f}")


if __name__ == "__main__":
    main()
