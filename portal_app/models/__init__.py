"""SQLModel tables. Importing this package registers every table on the metadata."""

from .account import AccountConfig
from .alerts import CustomerAlert
from .audit import AuditEvent
from .auth import AuthEpoch, AuthSession, RateLimit, SessionTicket
from .autotopup import AutoTopup, TopupState
from .calls import MICROS, Cdr, CustomerRateCard, RateCard, RateEntry
from .carrier_routes import CarrierRoute
from .contacts import Contact, ContactInvite, ContactRole, PasswordLink
from .contracts import Contract
from .customers import Customer, CustomerStatus, CustomerType, LedgerEntry, LedgerKind
from .imports import ImportBatch, cdr_staging, rate_staging
from .operators import Area, Grant, OperatorGroup, OperatorUser, RecoveryCode, Role
from .outbox import OutboxMessage, OutboxStatus
from .packages import (
    CustomerPackage,
    Frequency,
    LookupUsage,
    Package,
    PackageCharge,
    PackageService,
)
from .payments import (
    AttemptStatus,
    CreditKind,
    GatewayMode,
    PaymentAttempt,
    PaymentCredit,
    PaymentEvent,
    PaymentGateway,
    Provider,
)
from .portal import DomainStatus, PortalDomain, PublicFile
from .rollups import AccountRollup, CallPeak, CallRollup, CallRollupDay
from .servers import ProbeResult, Server, ServerProbe, ServerRole
from .signups import Signup

__all__ = [
    "AccountRollup",
    "CallPeak",
    "CallRollup",
    "CallRollupDay",
    "AccountConfig",
    "AttemptStatus",
    "Area",
    "AuditEvent",
    "AuthEpoch",
    "AuthSession",
    "AutoTopup",
    "CarrierRoute",
    "Cdr",
    "Contract",
    "CreditKind",
    "Contact",
    "ContactInvite",
    "ContactRole",
    "Customer",
    "CustomerAlert",
    "CustomerPackage",
    "CustomerRateCard",
    "CustomerStatus",
    "CustomerType",
    "DomainStatus",
    "GatewayMode",
    "Grant",
    "ImportBatch",
    "LedgerEntry",
    "LedgerKind",
    "MICROS",
    "OperatorGroup",
    "OperatorUser",
    "OutboxMessage",
    "OutboxStatus",
    "Frequency",
    "LookupUsage",
    "Package",
    "PackageCharge",
    "PackageService",
    "PasswordLink",
    "PaymentAttempt",
    "PaymentCredit",
    "PaymentEvent",
    "PaymentGateway",
    "PortalDomain",
    "ProbeResult",
    "Provider",
    "PublicFile",
    "RateCard",
    "RateLimit",
    "RateEntry",
    "RecoveryCode",
    "Role",
    "Server",
    "ServerProbe",
    "ServerRole",
    "SessionTicket",
    "TopupState",
    "Signup",
    "cdr_staging",
    "rate_staging",
]
