"""My Servers (spec 004, My Account): the account's SIP switches and media servers, and
the history of their health probes (a SIP OPTIONS request over UDP, tasks.py).

``server.last_*`` is the newest probe, kept on the row so the list needs no join;
``server_probe`` is the history, pruned by the probe task to the last days.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class ServerRole(enum.StrEnum):
    SIP_SWITCH = "sip_switch"
    MEDIA_SERVER = "media_server"
    OTHER = "other"


class ProbeResult(enum.StrEnum):
    UP = "up"  # answered 200 OK
    REACHABLE = "reachable"  # answered with another SIP status (503, 404, …)
    DOWN = "down"  # no SIP answer within the timeout, or the host could not be reached


class Server(SQLModel, table=True):
    __tablename__ = "server"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    host: str = Field(max_length=253)  # A-label host name or an IP address
    port: int = 5060
    transport: str = Field(default="udp", max_length=8)  # only UDP is probed today
    role: str = Field(default=ServerRole.SIP_SWITCH.value, max_length=16)
    location: str = Field(default="", max_length=120)
    notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    maintenance: bool = False  # not probed while set
    last_status: str = Field(default="", max_length=16)  # "": not checked yet
    last_code: int | None = None  # the SIP status code of the last answer
    last_checked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    last_seen_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    last_latency_ms: int | None = None
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class ServerProbe(SQLModel, table=True):
    """One health probe of a server."""

    __tablename__ = "server_probe"
    __table_args__ = (sa.Index("ix_server_probe_server_at", "server_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = Field(foreign_key="server.id", ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_column=ts_column(index=True))
    result: str = Field(max_length=16)
    code: int | None = None
    latency_ms: int | None = None
    error: str = Field(default="", max_length=300)
