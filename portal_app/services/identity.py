"""Who is asking: the identity every service call receives as ``actor=``.

The permission vocabulary (areas, grants, roles) is re-exported here, so the UI layers
name permissions without importing the tables (the import-linter contract).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal_app.models import Area, Grant, Role

__all__ = ["SYSTEM", "Actor", "Area", "Grant", "Role"]


@dataclass(frozen=True)
class Actor:
    """An authenticated operator, a customer's contact, or the system (CLI and tasks).

    A contact has no role and no grants: every operator check refuses it. What a
    contact may see is decided by ``customer_id`` alone (see services/portal.py).
    """

    kind: str  # "operator", "contact" or "system"
    id: int | None
    label: str
    role: str = Role.USER.value
    grants: dict[str, str] = field(default_factory=dict)
    customer_id: int | None = None  # contacts only: the one customer they act for
    # Operators only: the account requires 2FA and this operator has none yet, so only
    # what sets it up is allowed (services/policy.py, Rule.before_totp).
    totp_required: bool = False

    @property
    def is_admin(self) -> bool:
        return self.kind == "system" or (self.kind == "operator" and self.role == Role.ADMIN.value)

    @property
    def is_contact(self) -> bool:
        return self.kind == "contact"

    def can(self, area: Area | str) -> bool:
        """Administrators may do everything; a User what their group allows.

        A group's SELECT (no choice) falls back to the default, which is deny.
        """
        if self.is_admin:
            return True
        if self.kind != "operator":
            return False
        return self.grants.get(str(area)) == Grant.ALLOW.value


SYSTEM = Actor(kind="system", id=None, label="system")
