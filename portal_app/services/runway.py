"""How long a customer's money lasts: the available amount (balance plus credit limit)
against the average daily cost of its calls over the last 7 days.

"About 3 days at the last 7 days' spend" tells a prepaid customer when to pay, and an
operator which customer is about to be cut off. Costs are the CDRs' own (micro-units, in
the customer's currency: the currency lock keeps every call in it), summed from the
call rollups' quarter hours and the calls at the window's two ends
(``call_rollups.cost_between``): exact, and a few hundred rows whatever the traffic.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from portal_app.models import Customer
from portal_app.models.base import utcnow

from .call_rollups import cost_expression, cost_params
from .cursor_reads import fetch_rows
from .errors import NotFound
from .identity import Actor
from .ledger import check_read, sum_expression
from .money import format_minor, micros_to_minor

WINDOW_DAYS = 7


@dataclasses.dataclass(frozen=True)
class Runway:
    available: int  # minor units: balance + credit limit
    daily_spend: int  # minor units a day, the window's average
    days: float | None  # None when nothing was spent in the window
    text: str  # for people, in the customer's currency


@functools.cache
def _statement() -> sa.Select:
    """The customer's currency and credit limit, its balance and the window's call cost:
    one statement on the cursor (an event's worth of Session round trips before)."""
    table = Customer.__table__
    customer_id = sa.bindparam("customer_id", type_=sa.Integer)
    figures = (sum_expression(customer_id), cost_expression(customer_id))
    return sa.select(table.c.currency, table.c.credit_limit, *figures).where(
        table.c.id == customer_id
    )


def balance_runway(
    *, session: Session, actor: Actor, customer_id: int, now: datetime | None = None
) -> Runway:
    """The customer's runway. Readable by whoever may read its balance."""
    check_read(session, actor, customer_id)
    now = now or utcnow()
    params = cost_params(now - timedelta(days=WINDOW_DAYS), now)
    found = fetch_rows(session, _statement(), {"customer_id": customer_id, **params})
    if not found:
        raise NotFound()
    cur, credit_limit, money, micros = found[0]
    spent = micros_to_minor(int(micros), cur)
    available = int(money) + int(credit_limit)
    daily = micros_to_minor(int(micros) // WINDOW_DAYS, cur) if spent > 0 else 0
    days = None if spent <= 0 else max(available, 0) * WINDOW_DAYS / spent
    return Runway(available, daily, days, _text(available, daily, days, cur))


def _text(available: int, daily: int, days: float | None, cur: str) -> str:
    if days is None:
        return f"No calls cost anything in the last {WINDOW_DAYS} days."
    rate = f"{format_minor(daily, cur)} a day"
    if available <= 0:
        return f"Nothing left to spend, at the last {WINDOW_DAYS} days' {rate}."
    if days < 1:
        return f"Less than a day at the last {WINDOW_DAYS} days' spend ({rate})."
    if days >= 365:
        return f"More than a year at the last {WINDOW_DAYS} days' spend ({rate})."
    whole = math.floor(days)
    unit = "day" if whole == 1 else "days"
    return f"About {whole} {unit} at the last {WINDOW_DAYS} days' spend ({rate})."
