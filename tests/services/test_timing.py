"""Known and unknown emails take the same time at login and sign-up, so timing cannot
tell which emails have a login (SQLite and PostgreSQL). "Forgot password" answers at a
floor: tests/state/test_answer_times.py.

A ratio of medians over interleaved samples, with the generous margin the issue asks
for (30 %): the unknown path does the same work (a dummy argon2 verify at login, the
same hash at sign-up), and mail is only queued, never sent while the visitor waits.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable

from sqlmodel import Session

from portal_app.models import PortalDomain
from portal_app.services import portal_auth as pa
from portal_app.services import signups as su
from portal_app.services.auth import login_password
from portal_app.services.errors import AuthFailed

from .test_contacts import PW, brand, contact, customer
from .test_signups import FORM

MARGIN = 1.3


def _medians(db: Session, known: Callable[[int], object], unknown: Callable[[int], object], n: int):
    """Median seconds of each path (call + commit), samples interleaved against drift."""
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for i in range(n):
        for name, call in (("known", known), ("unknown", unknown)):
            started = time.perf_counter()
            with contextlib.suppress(AuthFailed):
                call(i)
            db.commit()
            times[name].append(time.perf_counter() - started)
    return statistics.median(times["known"]), statistics.median(times["unknown"])


def _close(known: float, unknown: float) -> None:
    assert max(known, unknown) <= MARGIN * min(known, unknown), (known, unknown)


def test_operator_login_takes_as_long_for_an_unknown_email(db, make_user):
    make_user(email="ann@example.com")

    def attempt(email: str) -> Callable[[int], object]:
        return lambda i: login_password(
            session=db, email=email, password="wrong-password", client=f"10.7.{i}.1"
        )

    _close(*_medians(db, attempt("ann@example.com"), attempt("nobody@example.com"), 9))


def test_contact_login_takes_as_long_for_an_unknown_email(db):
    acme = brand(db, "acme.example.test")
    contact(db, customer(db, acme), "pat@example.com")

    def attempt(email: str) -> Callable[[int], object]:
        return lambda i: pa.contact_login_password(
            session=db, email=email, password=PW + "x", domain_id=acme.id, client=f"10.8.{i}.1"
        )

    _close(*_medians(db, attempt("pat@example.com"), attempt("nobody@example.com"), 9))


def test_sign_up_takes_as_long_for_an_email_that_has_a_login(db):
    domain = PortalDomain(
        host="signup.example.test",
        brand_name="Signup",
        status="verified",
        customer_signup=True,
        currencies=["USD"],
    )
    db.add(domain)
    db.commit()
    contact(db, customer(db, domain), "pat@example.com")

    def start(email: Callable[[int], str]) -> Callable[[int], object]:
        return lambda i: su.signup_start(
            session=db, domain=domain, data=FORM | {"email": email(i)}, client=f"10.10.{i}.1"
        )

    known = start(lambda i: "pat@example.com")
    unknown = start(lambda i: f"new{i}@newco.example")
    _close(*_medians(db, known, unknown, 9))
