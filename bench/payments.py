"""Stripe webhooks per second with the exactly-once guarantee, against a plain INSERT.

For each database (SQLite file; PostgreSQL too when its binaries are installed, a
throw-away server from tests/pgserver.py), N payment attempts are written, then one
signed ``payment_intent.succeeded`` webhook per attempt goes through the real path
(``payment_webhook``: signature check, attempt lookup, checks, ledger entry with its
audit row, the UNIQUE ``payment_credit`` row, receipt in the outbox), one transaction
each, followed by the same N webhooks again (all duplicates). The baseline is a plain
INSERT of the same ledger row, one transaction each. Prints rates and ratios.

Usage: .venv/bin/python bench/payments.py [--n 500]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_TMP = Path(tempfile.mkdtemp(prefix="portal-bench-"))
os.environ.setdefault("PORTAL_DATABASE_URL", f"sqlite:///{_TMP / 'payments.db'}")
os.environ.setdefault("PORTAL_SECRET_KEY", "bench-secret-key-" + "x" * 40)

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

from portal_app.models import Customer, LedgerEntry, PaymentAttempt  # noqa: E402
from portal_app.services.db import make_engine, session_scope  # noqa: E402
from portal_app.services.identity import SYSTEM  # noqa: E402
from portal_app.services.payment_gateways import gateway_create  # noqa: E402
from portal_app.services.payment_settle import payment_webhook  # noqa: E402
from portal_app.settings import PROJECT_ROOT  # noqa: E402
from tests import pgserver  # noqa: E402
from tests import stripeserver as ls  # noqa: E402


def migrate(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def seed(engine: sa.Engine, n: int) -> list[tuple[bytes, dict]]:
    """N pending attempts and the signed webhook that pays each."""
    with session_scope(engine) as session:
        gateway = gateway_create(
            session=session,
            actor=SYSTEM,
            data={
                "provider": "stripe",
                "name": "Cards",
                "mode": "test",
                "public_key": ls.PUBLIC_KEY,
                "secret_key": ls.SECRET_KEY,
                "webhook_secret": ls.WEBHOOK_SECRET,
                "currencies": "USD",
            },
        )
        customer = Customer(name="Bench", currency="USD")
        session.add(customer)
        session.flush()
        hooks = []
        for i in range(n):
            attempt = PaymentAttempt(
                customer_id=customer.id,
                gateway_id=gateway["id"],
                gateway_name="Cards",
                provider="stripe",
                amount=1000,
                currency="USD",
                provider_ref=f"pi_bench{i}",
                idempotency_key=f"bench-{i}",
            )
            session.add(attempt)
            session.flush()
            intent = {
                "id": attempt.provider_ref,
                "object": "payment_intent",
                "status": "succeeded",
                "amount": 1000,
                "amount_received": 1000,
                "currency": "usd",
                "metadata": {"attempt_id": str(attempt.id), "customer_id": str(customer.id)},
            }
            hooks.append(ls.signed(ls.intent_event(intent)))
    return hooks


def plain_inserts(engine: sa.Engine, n: int, customer_id: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        with session_scope(engine) as session:
            session.add(
                LedgerEntry(
                    customer_id=customer_id,
                    amount=1000,
                    currency="USD",
                    kind="payment",
                    reference=f"plain{i}",
                    actor_label="bench",
                )
            )
    return n / (time.perf_counter() - start)


def run(engine: sa.Engine, n: int, label: str) -> None:
    migrate(engine)
    hooks = seed(engine, n)
    start = time.perf_counter()
    outcomes = [payment_webhook("stripe", p, h, engine=engine).outcome for p, h in hooks]
    credited = n / (time.perf_counter() - start)
    start = time.perf_counter()
    again = [payment_webhook("stripe", p, h, engine=engine).outcome for p, h in hooks]
    duplicate = n / (time.perf_counter() - start)
    assert outcomes == ["credited"] * n and again == ["duplicate"] * n
    with session_scope(engine) as session:
        customer_id = session.exec(sa.select(Customer.id)).scalars().first()
    plain = plain_inserts(engine, n, customer_id)
    print(
        f"{label:10} plain INSERT {plain:8.0f}/s | exactly-once credit {credited:7.0f}/s "
        f"(ratio {plain / credited:4.1f}x) | duplicates refused {duplicate:7.0f}/s "
        f"(ratio {plain / duplicate:4.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args()
    run(make_engine(os.environ["PORTAL_DATABASE_URL"]), args.n, "SQLite")
    if pgserver.available():
        with pgserver.postgres() as url:
            engine = make_engine(url)
            with contextlib.closing(engine.connect()):
                pass
            run(engine, args.n, "PostgreSQL")
            engine.dispose()
    else:
        print("PostgreSQL is not installed: only SQLite measured")


if __name__ == "__main__":
    main()
