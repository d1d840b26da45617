"""Fuzz: every handler of the app, called with arbitrary JSON arguments by an anonymous
browser, by a contact of one customer and by an operator allowed only the rate cards.

Hypothesis draws each argument from the declared type or from any JSON value (huge
integers, NaN, deep nesting, ids of the other customer, strings that look like ids).
Whatever comes in:
- no handler fails (the guard's "Something went wrong" answer is a bug found),
- nothing of the other customer reaches the caller's browser,
- the anonymous caller and the contact change nothing in the database but their own
  login bookkeeping, and the operator changes nothing outside the rate cards.
"""

from __future__ import annotations

import inspect

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, func, select

from portal_app.models import Grant
from portal_app.state.arguments import UPLOAD_FILES, arg_types
from tests.permissions import app_states

from .helpers import call, make_state, seed_group, seed_operator
from .portal_seed import seed_tenant, sent_text

FAILURE = "Something went wrong and nothing was changed. Please try again."
# Rows a refused or anonymous call may still write: the throttles' own records.
BOOKKEEPING = {"rate_limit", "auth_epoch", "session_ticket", "outbox_message"}
FIELDS = [
    "name", "email", "password", "amount", "kind", "currency", "credit_limit", "host",
    "brand_name", "customer_id", "domain", "status", "search", "first", "last", "code",
    "reason", "threshold", "note", "reference", "role", "group_id", "country", "phone",
]  # fmt: skip
EXAMPLES = 3


def _handlers() -> list[tuple[type, str]]:
    found = []
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            if not getattr(handler, "is_background", False):
                found.append((cls, name))
    return sorted(found, key=lambda pair: (pair[0].__name__, pair[1]))


def _json(other_ids: list[int]) -> st.SearchStrategy:
    ids = st.sampled_from(other_ids)
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | ids
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=30)
        | ids.map(str)
        | st.sampled_from(["new", "all", "9" * 30, "-1", "", "1e3", "\u202egnp.exe"])
    )
    keys = st.sampled_from(FIELDS) | st.text(max_size=10)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=12,
    )


def _for(declared: type, other_ids: list[int]) -> st.SearchStrategy:
    anything = _json(other_ids)
    typed = {
        str: st.text(max_size=40) | st.sampled_from([str(i) for i in other_ids]),
        int: st.integers(min_value=-(2**64), max_value=2**64) | st.sampled_from(other_ids),
        float: st.floats(allow_nan=True, allow_infinity=True),
        bool: st.booleans(),
        dict: st.dictionaries(st.sampled_from(FIELDS), anything, max_size=8),
        list: st.lists(anything, max_size=5),
    }.get(declared, anything)
    return typed | anything


def _counts(db) -> dict[str, int]:
    db.commit()
    return {
        t.name: db.exec(select(func.count()).select_from(t)).one()
        for t in SQLModel.metadata.sorted_tables
    }


@pytest.fixture()
def world(db):
    alpha = seed_tenant(db, "ALPHA", "alpha.example.test")
    bravo = seed_tenant(db, "BRAVO", "bravo.example.test")
    cards = seed_group(db, "Cards only", card=Grant.ALLOW)
    carder = seed_operator(db, "cards@example.com", group_id=cards)
    return alpha, bravo, carder


PRINCIPALS = ["anonymous", "contact", "cards-operator"]


@pytest.mark.parametrize("who", PRINCIPALS)
def test_every_handler_survives_arbitrary_json(db, world, who):
    alpha, bravo, carder = world
    other_ids = [bravo.customer_id, bravo.contact_id, bravo.domain_id, 2**63, 0, -1]
    token, router = {
        "anonymous": ("", {}),
        "contact": (alpha.token, alpha.router()),
        "cards-operator": (carder.token, {}),
    }[who]
    may_change = BOOKKEEPING | ({"rate_card", "rate_entry"} if who == "cards-operator" else set())
    before = _counts(db)
    failures, leaks, seen = [], [], []
    for cls, name in _handlers():
        fn = inspect.unwrap(cls.event_handlers[name].fn)
        types = {k: v for k, v in arg_types(fn).items() if v != UPLOAD_FILES}
        if len(types) != len(arg_types(fn)):
            continue  # upload handlers take files only from the upload endpoint
        args = st.fixed_dictionaries({k: _for(v, other_ids) for k, v in types.items()})
        _runner(cls, name, args, token, router, bravo, failures, leaks, seen)()
    # Positive controls: the walk reached the app's handlers, and the callers' own data
    # did come back where they may see it (so a leak check could fail).
    assert len({call for call, _ in seen}) > 150
    if who == "contact":
        assert any("ALPHA" in text for _, text in seen)
    assert failures == [], f"handlers failed: {failures[:5]}"
    assert leaks == [], f"the other customer's data reached the browser: {leaks[:5]}"
    after = _counts(db)
    changed = {t for t in after if after[t] != before[t]} - may_change
    assert changed == set(), f"{who} changed {changed}"


def _runner(cls, name, args, token, router, bravo, failures, leaks, seen):
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(payload=args)
    def run(payload):
        state = make_state(cls, token=token, **router)
        try:
            out = call(state, name, **payload)
        except (TypeError, ValueError):
            return  # Reflex's own payload coercion refused it before the guard
        text = sent_text(out)
        seen.append((f"{cls.__name__}.{name}", text if "ALPHA" in text else ""))
        if ("error", FAILURE) in out.toasts:
            failures.append(f"{cls.__name__}.{name}({payload!r})")
        if any(secret in text for secret in bravo.secrets) or "BRAVO" in text:
            leaks.append(f"{cls.__name__}.{name}({payload!r})")

    return run
