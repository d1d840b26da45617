"""SQLModel tables. Importing this package registers every table on the metadata."""

from .account import AccountConfig
from .audit import AuditEvent
from .auth import AuthSession, LoginFailure
from .customers import Customer, CustomerStatus, CustomerType, LedgerEntry, LedgerKind
from .operators import Area, Grant, OperatorGroup, OperatorUser, RecoveryCode, Role
from .portal import DomainStatus, PortalDomain, PublicFile

__all__ = [
    "AccountConfig",
    "Area",
    "AuditEvent",
    "AuthSession",
    "Customer",
    "CustomerStatus",
    "CustomerType",
    "DomainStatus",
    "Grant",
    "LedgerEntry",
    "LedgerKind",
    "LoginFailure",
    "OperatorGroup",
    "OperatorUser",
    "PortalDomain",
    "PublicFile",
    "RecoveryCode",
    "Role",
]
