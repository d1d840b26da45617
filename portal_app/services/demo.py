"""Demo data for a first run: an administrator, a group and a restricted user."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import Area, Grant, OperatorUser, Role

from .account import account_config_update
from .identity import SYSTEM
from .users import group_create, user_create

DEMO_LOGINS = [
    ("admin@example.com", "admin-password-1", "Administrator"),
    ("support@example.com", "support-password-1", "User in the Support group"),
]


def demo_load(*, session: Session) -> bool:
    """Load demo data once. Returns False when the database already has users."""
    if session.exec(select(OperatorUser.id)).first() is not None:
        return False
    account_config_update(
        session=session,
        actor=SYSTEM,
        data={
            "company_name": "Demo Telecom Ltd",
            "address_line1": "1 Exchange Street",
            "city": "London",
            "country": "GB",
            "post_code": "EC1A 1AA",
            "currency": "GBP",
            "date_format": "DD/MM/YYYY",
            "phone": "+44 20 7946 0000",
        },
    )
    grants = {a.value: Grant.SELECT.value for a in Area}
    grants.update(
        {
            Area.CUSTOMER.value: Grant.ALLOW.value,
            Area.CDR.value: Grant.ALLOW.value,
            Area.REPORT.value: Grant.ALLOW.value,
            Area.USER.value: Grant.DENY.value,
        }
    )
    support = group_create(
        session=session, actor=SYSTEM, data={"name": "Support", "grants": grants}
    )
    (admin_email, admin_pw, _), (support_email, support_pw, _) = DEMO_LOGINS
    user_create(
        session=session,
        actor=SYSTEM,
        data={
            "name": "Ada Admin",
            "email": admin_email,
            "password": admin_pw,
            "role": Role.ADMIN.value,
            "enabled": True,
        },
    )
    user_create(
        session=session,
        actor=SYSTEM,
        data={
            "name": "Sam Support",
            "email": support_email,
            "password": support_pw,
            "role": Role.USER.value,
            "group_id": support.id,
            "enabled": True,
        },
    )
    session.flush()
    return True
