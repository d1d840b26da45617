"""SQLModel tables. Importing this package registers every table on the metadata."""

from .account import AccountConfig
from .audit import AuditEvent
from .auth import AuthSession, LoginFailure
from .operators import Area, Grant, OperatorGroup, OperatorUser, RecoveryCode, Role

__all__ = [
    "AccountConfig",
    "Area",
    "AuditEvent",
    "AuthSession",
    "Grant",
    "LoginFailure",
    "OperatorGroup",
    "OperatorUser",
    "RecoveryCode",
    "Role",
]
