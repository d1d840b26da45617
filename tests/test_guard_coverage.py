"""Every event handler the server will dispatch is covered by the guard.

This walks Reflex's registry of dispatchable handlers (the table the event processor
looks names up in), not just our classes, so inherited handlers, built-in setters and
framework states are all seen. A handler is acceptable only if it went through
``guarded(...)``, or it is one of the framework's own handlers listed below with the
reason it is safe.
"""

from __future__ import annotations

import inspect

import pytest
import reflex as rx
from reflex_base.registry import RegistrationContext

import portal_app.portal_app  # noqa: F401  (builds the app and registers every state)
from portal_app.state.base import AppState
from portal_app.state.guard import ARG_TYPES, NEED_ATTR, Need
from tests.permissions import app_states

# Reflex's own handlers on its own states. Each touches no app data.
FRAMEWORK = {
    "reflex___state____state.hydrate": "sends the caller its own state",
    "reflex___state____state.hydrate_and_load": "hydration + the page's on_load handlers, "
    "which are guarded themselves",
    "reflex___state____state.set_is_hydrated": "a UI flag",
    "reflex___state____state.reflex___state____on_load_internal_state.set_is_hydrated": "UI flag",
    "reflex___state____state.reflex___state____on_load_internal_state.on_load_internal": "queues "
    "the guarded on_load handlers of the page",
    "reflex___state____state.reflex___state____update_vars_internal_state."
    "update_vars_internal": "sets client-storage vars only (our one: the session cookie, "
    "the browser's own)",
    "reflex___state____state.reflex___state____frontend_event_exception_state."
    "handle_frontend_exception": "logs a browser error",
}
# Reflex's generic setvar on its own states calls set_<var>, which only exists with
# auto setters; the test below proves there are none.
FRAMEWORK_SETVAR_STATES = {
    "reflex___state____state",
    "reflex___state____state.reflex___state____frontend_event_exception_state",
    "reflex___state____state.reflex___state____update_vars_internal_state",
    "reflex___state____state.reflex___state____on_load_internal_state",
    "reflex___state____state.reflex___istate___shared____shared_state_base_internal",
}


def _registry():
    return RegistrationContext.get().event_handlers


def test_every_dispatchable_handler_is_guarded_or_a_known_framework_handler():
    uncovered = []
    for name, registered in _registry().items():
        fn = registered.handler.fn
        if hasattr(fn, NEED_ATTR) or name in FRAMEWORK:
            continue
        state_name, _, handler = name.rpartition(".")
        if handler == "setvar" and state_name in FRAMEWORK_SETVAR_STATES:
            continue
        uncovered.append(name)
    assert uncovered == []


def test_the_registry_has_our_handlers():
    """Guards against the walk above passing because it saw nothing."""
    names = set(_registry())
    ours = [n for n in names if "portal_app___state" in n]
    assert len(ours) >= 36
    assert any(n.endswith("users_state.save_user") for n in ours)


@pytest.mark.parametrize("state_cls", app_states(), ids=lambda c: c.__name__)
def test_each_state_class_handlers_are_guarded_and_typed(state_cls):
    for name, handler in state_cls.event_handlers.items():
        need = getattr(handler.fn, NEED_ATTR, None)
        assert need is not None, f"{state_cls.__name__}.{name} is not guarded"
        params = list(inspect.signature(handler.fn).parameters.values())[1:]
        hints = inspect.get_annotations(inspect.unwrap(handler.fn), eval_str=True)
        for param in params:
            assert hints.get(param.name) in ARG_TYPES, f"{name}({param.name}) type"
    setvar_need = getattr(state_cls.event_handlers["setvar"].fn, NEED_ATTR)
    assert setvar_need == (Need.NOBODY, None)


def test_framework_states_have_no_setters_for_setvar_to_reach():
    for cls in (rx.State, *rx.State.get_substates()):
        if issubclass(cls, AppState):
            continue
        setters = [n for n in cls.event_handlers if n.startswith("set_") and n != "set_is_hydrated"]
        assert setters == [], f"{cls.__name__} has setters {setters}"
        assert not any(
            callable(getattr(cls, f"set_{var}", None))
            for var in cls.base_vars
            if var != "is_hydrated"
        )


def test_every_handler_rule_matches_the_committed_table():
    """A weakened, added or removed guard is a diff against tests/handler_permissions.txt."""
    from tests.permissions import committed_rows, current_rows, diff

    committed = committed_rows()
    assert len(committed) > 100, "the committed table is missing or empty"
    changed = diff(current_rows(), committed)
    assert changed == [], (
        "handler rules differ from tests/handler_permissions.txt; if intended, run "
        "`.venv/bin/python -m tests.permissions --write` and review the diff:\n"
        + "\n".join(changed)
    )


def test_the_table_comparison_catches_a_weakened_guard():
    """Positive control: the app's rows with one rule weakened differ from the table."""
    from tests.permissions import committed_rows, current_rows, diff

    rows = current_rows()
    target = next(r for r in rows if r.endswith("UsersState.save_user\tarea:user"))
    weakened = [r.replace("area:user", "operator") if r == target else r for r in rows]
    assert diff(weakened, committed_rows()) == [
        "+ " + target.replace("area:user", "operator"),
        "- " + target,
    ]
