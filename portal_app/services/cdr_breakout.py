"""Report › Breakout Report: a customer's calls in a range per destination (or prefix):
calls, connected, minutes, cost, ASR, ACD and PDD (the queries' shape and the access
check are services/cdrs.py's)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import case, func
from sqlmodel import Session

from portal_app.models import Cdr

from .cdrs import REPORT_AREAS, CdrQuery, _conditions, _shape, cdr_check
from .cursor_reads import fetch_rows
from .identity import Actor


@functools.cache
def _breakout_statement(shape: tuple[bool, bool, bool], by: str) -> sa.Select:
    key = Cdr.prefix if by == "prefix" else Cdr.destination
    connected = func.sum(case((Cdr.status == "answered", 1), else_=0))
    return (
        sa.select(
            key,
            func.min(Cdr.prefix),
            func.count(),
            func.coalesce(connected, 0),
            func.coalesce(func.sum(Cdr.duration), 0),
            func.coalesce(func.sum(Cdr.billed_duration), 0),
            func.coalesce(func.sum(Cdr.cost), 0),
            func.coalesce(func.avg(Cdr.pdd_ms), 0),
            func.coalesce(func.max(Cdr.rate), 0),
        )
        .where(*_conditions(shape))
        .group_by(key)
        .order_by(func.sum(Cdr.cost).desc(), key)
        .limit(sa.bindparam("limit"))
    )


@dataclass(frozen=True)
class BreakoutRow:
    key: str  # destination name or prefix
    prefix: str
    calls: int
    connected: int
    seconds: int
    billed_seconds: int
    cost: int
    pdd_ms: float
    rate: int

    @property
    def asr(self) -> float:
        return 100.0 * self.connected / self.calls if self.calls else 0.0

    @property
    def acd(self) -> float:
        return self.seconds / self.connected if self.connected else 0.0


def breakout(
    *, session: Session, actor: Actor, query: CdrQuery, by: str = "destination", limit: int = 500
) -> list[BreakoutRow]:
    """Per destination (or prefix): calls, connected, minutes, cost, ASR, ACD, PDD.

    Operators allowed the CDR or the Report area may ask (Report › Breakout Report)."""
    cdr_check(session=session, actor=actor, customer_id=query.customer_id, areas=REPORT_AREAS)
    shape, params = _shape(query)
    params["limit"] = limit
    rows = fetch_rows(session, _breakout_statement(shape, by), params)
    return [
        BreakoutRow(
            str(k or "Unknown"),
            str(p or ""),
            *(int(v) for v in rest[:5]),
            float(rest[5]),
            int(rest[6]),
        )
        for k, p, *rest in rows
    ]
