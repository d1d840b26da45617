"""Who is asking: the identity every service call receives as ``actor=``."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal_app.models import Area, Grant, Role


@dataclass(frozen=True)
class Actor:
    """An authenticated operator (or the system itself, for CLI and tasks)."""

    kind: str  # "operator" or "system"
    id: int | None
    label: str
    role: str = Role.USER.value
    grants: dict[str, str] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return self.kind == "system" or self.role == Role.ADMIN.value

    def can(self, area: Area | str) -> bool:
        """Administrators may do everything; a User what their group allows.

        A group's SELECT (no choice) falls back to the default, which is deny.
        """
        if self.is_admin:
            return True
        return self.grants.get(str(area)) == Grant.ALLOW.value


SYSTEM = Actor(kind="system", id=None, label="system")
