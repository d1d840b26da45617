"""Session tickets carry a new session into the HttpOnly cookie: once, within a minute,
on the host and for the client they were issued to (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.models import SessionTicket
from portal_app.models.base import utcnow
from portal_app.services.tickets import ticket_claim, ticket_issue, tickets_purge

WHERE = {"host": "localhost:3000", "client_ip": "192.0.2.1", "user_agent": "Firefox"}


def _issue(db: Session, token: str = "the-session-token") -> str:
    ticket = ticket_issue(session=db, token=token, principal="operator", **WHERE)
    db.commit()
    return ticket


def test_a_ticket_gives_its_session_once(db):
    ticket = _issue(db)
    assert ticket_claim(session=db, ticket=ticket, **WHERE) == ("the-session-token", "operator")
    db.commit()
    assert ticket_claim(session=db, ticket=ticket, **WHERE) is None
    (row,) = db.exec(select(SessionTicket)).all()
    assert row.token_enc == "" and row.used_at is not None  # the token left with the claim


def test_the_token_is_stored_encrypted(db):
    _issue(db, "plain-token-value")
    (row,) = db.exec(select(SessionTicket)).all()
    assert "plain-token-value" not in row.token_enc


@pytest.mark.parametrize(
    "other",
    [
        {"host": "acme.example.test"},
        {"host": "LOCALHOST:4000"},  # the same host on another port is the same host
        {"client_ip": "198.51.100.7"},
        {"user_agent": "curl/8"},
    ],
    ids=["other-host", "same-host-other-port", "other-address", "other-browser"],
)
def test_a_ticket_works_only_for_its_host_and_client(db, other):
    ticket = _issue(db)
    claimed = ticket_claim(session=db, ticket=ticket, **(WHERE | other))
    if other == {"host": "LOCALHOST:4000"}:
        assert claimed is not None
    else:
        assert claimed is None
        assert ticket_claim(session=db, ticket=ticket, **WHERE) is not None  # still unused


def test_an_expired_or_unknown_ticket_gives_nothing(db):
    ticket = _issue(db)
    row = db.exec(select(SessionTicket)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    assert ticket_claim(session=db, ticket=ticket, **WHERE) is None
    assert ticket_claim(session=db, ticket="no-such-ticket", **WHERE) is None
    assert ticket_claim(session=db, ticket="x" * 500, **WHERE) is None
    assert tickets_purge(session=db) == 1


def test_two_claims_at_once_give_one_session(db, engine):
    ticket = _issue(db)
    barrier, results = threading.Barrier(4), []

    def claim() -> None:
        with Session(engine) as session:
            barrier.wait()
            got = ticket_claim(session=session, ticket=ticket, **WHERE)
            session.commit()
            results.append(got)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is not None for r in results) == [False, False, False, True]
