"""Page loaders that run only when the guard would let them.

A page the viewer may not use already says so ("No access to Users", "Not available"):
its loaders, refused by the guard, would add an error toast on top of that page. The
gate runs first on every page and sends on only the loaders this viewer's session
allows; each of them is still checked by the guard when it runs.
"""

from __future__ import annotations

from typing import Any

from portal_app.services.policy import Need, Rule, contact_refusal, control_host, decide

from .base import AppState
from .guard import RULE_ATTR, NotGuarded, guarded, maybe_actor, portal

_LOADERS: dict[str, list[Any]] = {}


def gated(route: str, loaders: list[Any]) -> list[Any]:
    """The on_load list of ``route``: the gate, which sends on the allowed ``loaders``."""
    _LOADERS[_key(route)] = list(loaders)
    return [PageGate.enter]


def _key(path: str) -> str:
    return path.rstrip("/") or "/"


def _rule(handler: Any) -> Rule | None:
    return getattr(getattr(handler, "fn", None), RULE_ATTR, None)


def may_run(rule: Rule | None, who, ctx, on_control: bool) -> bool:
    """Whether the guard would run a handler of ``rule`` or refuse it without a message
    (a login redirect still runs: it is how a page without a session ends)."""
    if rule is None or rule.need is Need.PUBLIC:
        return True
    if rule.need is Need.CONTACT:
        if on_control or ctx is None:
            return not on_control
        return contact_refusal(rule, ctx) is None
    if not on_control:
        return False
    return who is None or decide(rule, who) is None


class PageGate(AppState):
    # Whether this page's loaders have run. Dialogs wait for it (components/forms.py
    # dialog_open): state outlives a reload, so a dialog left open would otherwise show
    # from the snapshot until its page's loader closes it. Reflex's own is_hydrated turns
    # true before the loaders the gate sends on have run.
    loaded: bool = False

    @guarded(Need.PUBLIC)
    def enter(self):
        """Public: it only chooses which of the page's loaders to send on."""
        self.loaded = False
        try:
            ctx = portal()
        except NotGuarded:
            ctx = None
        on_control = control_host(self._host())
        who = maybe_actor()
        loaders = _LOADERS.get(_key(self.router.url.path), [])
        return [*(h for h in loaders if may_run(_rule(h), who, ctx, on_control)), PageGate.done]

    @guarded(Need.PUBLIC)
    def done(self):
        """Public: a UI flag, after the page's loaders (it reads and changes no data)."""
        self.loaded = True
