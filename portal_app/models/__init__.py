"""SQLModel tables. Importing this package registers every table on the metadata."""

from .account import AccountConfig
from .audit import AuditEvent
from .auth import AuthEpoch, AuthSession, RateLimit, SessionTicket
from .calls import MICROS, Cdr, CustomerRateCard, RateCard, RateEntry
from .contacts import Contact, PasswordLink
from .customers import Customer, CustomerStatus, CustomerType, LedgerEntry, LedgerKind
from .extras import Contract, CustomerAlert, CustomerPackage, Package
from .imports import ImportBatch, cdr_staging, rate_staging
from .operators import Area, Grant, OperatorGroup, OperatorUser, RecoveryCode, Role
from .outbox import OutboxMessage, OutboxStatus
from .portal import DomainStatus, PortalDomain, PublicFile
from .signups import Signup

__all__ = [
    "AccountConfig",
    "Area",
    "AuditEvent",
    "AuthEpoch",
    "AuthSession",
    "Cdr",
    "Contract",
    "Contact",
    "Customer",
    "CustomerAlert",
    "CustomerPackage",
    "CustomerRateCard",
    "CustomerStatus",
    "CustomerType",
    "DomainStatus",
    "Grant",
    "ImportBatch",
    "LedgerEntry",
    "LedgerKind",
    "MICROS",
    "OperatorGroup",
    "OperatorUser",
    "OutboxMessage",
    "OutboxStatus",
    "Package",
    "PasswordLink",
    "PortalDomain",
    "PublicFile",
    "RateCard",
    "RateLimit",
    "RateEntry",
    "RecoveryCode",
    "Role",
    "SessionTicket",
    "Signup",
    "cdr_staging",
    "rate_staging",
]
