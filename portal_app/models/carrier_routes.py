"""Which carrier a call left on: a carrier's route names, as CDRs carry them in ``route``.

A CDR's ``route`` is free text from the switch (CDR import, the demo). The operator
names each carrier's routes on its Alerts & contracts tab; a route belongs to one
carrier at most, so the Carrier Portal shows a carrier the calls it terminated and
nobody else's. Each route may name the rate card the carrier is paid on (its supplier
card): the Carrier Portal's "rates you are paid".
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class CarrierRoute(SQLModel, table=True):
    __tablename__ = "carrier_route"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    route: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    card_id: int | None = Field(default=None, foreign_key="rate_card.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
