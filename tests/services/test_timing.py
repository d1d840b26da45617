"""Known and unknown emails take the same time at login and sign-up, so timing cannot
tell which emails have a login (SQLite and PostgreSQL). "Forgot password" answers at a
floor: tests/state/test_answer_times.py.

A ratio of the fastest of interleaved samples, with the generous margin the issue asks
for (30 %): the unknown path does the same work (a dummy argon2 verify at login, the
same hash at sign-up), and mail is only queued, never sent while the visitor waits.
The fastest sample, not the median: on a busy machine (CI runs browser tests on the
other core) other work only ever adds time to a sample, so the minimum is the path's
own cost, where a median of 9 moved by a third between two equal paths.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from portal_app.models import OperatorUser, PortalDomain
from portal_app.services import portal_auth as pa
from portal_app.services import signups as su
from portal_app.services.auth import login_password
from portal_app.services.errors import AuthFailed

from .test_contacts import PW, brand, contact, customer
from .test_signups import FORM

MARGIN = 1.3


def _fastest(db: Session, known: Callable[[int], object], unknown: Callable[[int], object], n: int):
    """Fastest seconds of each path (call + commit), samples interleaved against drift.
    Each call gets a number of its own (its client address: the throttle's rows are
    new for both paths) and the paths take turns going first in their pair, so neither
    is always the one that follows the other's commit."""
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for i in range(n):
        pair = [("known", known, 2 * i), ("unknown", unknown, 2 * i + 1)]
        for name, call, number in pair if i % 2 == 0 else pair[::-1]:
            started = time.perf_counter()
            with contextlib.suppress(AuthFailed):
                call(number)
            db.commit()
            times[name].append(time.perf_counter() - started)
    return min(times["known"]), min(times["unknown"])


def _close(known: float, unknown: float) -> None:
    assert max(known, unknown) <= MARGIN * min(known, unknown), (known, unknown)


def test_operator_login_takes_as_long_for_an_unknown_email(db, make_user):
    make_user(email="ann@example.com")

    def attempt(email: str) -> Callable[[int], object]:
        return lambda i: login_password(
            session=db, email=email, password="wrong-password", client=f"10.7.{i}.1"
        )

    _close(*_fastest(db, attempt("ann@example.com"), attempt("nobody@example.com"), 9))


def test_the_comparison_sees_a_path_that_skips_the_hash(db, make_user):
    """Positive control: an unknown email answered without the dummy verify is caught."""
    make_user(email="ann@example.com")

    def known(i: int) -> object:
        return login_password(
            session=db, email="ann@example.com", password="wrong-password", client=f"10.9.{i}.1"
        )

    def skips_the_hash(i: int) -> object:
        return db.exec(select(OperatorUser).where(OperatorUser.email == "nobody@example.com"))

    with pytest.raises(AssertionError):
        _close(*_fastest(db, known, skips_the_hash, 5))


def test_contact_login_takes_as_long_for_an_unknown_email(db):
    acme = brand(db, "acme.example.test")
    contact(db, customer(db, acme), "pat@example.com")

    def attempt(email: str) -> Callable[[int], object]:
        return lambda i: pa.contact_login_password(
            session=db, email=email, password=PW + "x", domain_id=acme.id, client=f"10.8.{i}.1"
        )

    _close(*_fastest(db, attempt("pat@example.com"), attempt("nobody@example.com"), 9))


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
    _close(*_fastest(db, known, unknown, 9))
