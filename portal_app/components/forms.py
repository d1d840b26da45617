"""Form fields with a visible label and the field's error message beneath it."""

from __future__ import annotations

import reflex as rx

from portal_app.services.validation import COUNTRIES
from portal_app.state.page_gate import PageGate

# Dialog titles are h2: the page's own title is its one h1 (Radix renders them as h1).
H2 = {"as": "h2"}


def dialog_open(condition) -> rx.Var:
    """A dialog's ``open``: ``condition`` once the page and its loaders have run. State
    outlives a reload, so a dialog left open would otherwise flash open from the snapshot
    until the page's own loader closes it (and a contrast check caught mid-fade fails)."""
    return rx.State.is_hydrated & PageGate.loaded & condition


def error_text(errors, key: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(
            errors[key], class_name="cp-field-error", size="2", id=f"{key}-error", role="alert"
        ),
    )


def _control(component, key: str):
    """The component inside ``component`` whose id is ``key`` (the labelled control)."""
    own = getattr(component, "id", None)
    if isinstance(own, str) and own == key:
        return component
    for child in getattr(component, "children", None) or []:
        if (found := _control(child, key)) is not None:
            return found
    return None


def _first_id(component) -> str:
    own = getattr(component, "id", None)
    if isinstance(own, str) and own:
        return own
    for child in getattr(component, "children", None) or []:
        if found := _first_id(child):
            return found
    return ""


def field(label, control: rx.Component, errors=None, key: str = "", hint=None) -> rx.Component:
    """A labelled control. ``key`` is the form name the errors dict uses and the control's
    id (without it, the first id found in ``control``).

    The label is tied to the control twice: ``for`` (inputs) and ``aria-labelledby`` (also
    custom controls such as select triggers, which are buttons); the hint and the error
    describe it (``aria-describedby``), so a screen reader reads all three."""
    key = key or _first_id(control)
    parts = [
        rx.el.label(
            label, html_for=key or None, id=f"{key}-label" if key else None, class_name="cp-label"
        ),
        control,
    ]
    target = _control(control, key) if key else None
    described = []
    if hint is not None:
        parts.append(
            rx.text(hint, size="1", color_scheme="gray", id=f"{key}-hint" if key else None)
        )
        if key:
            described.append(f"{key}-hint")
    if errors is not None and key:
        parts.append(error_text(errors, key))
    if target is not None:
        target.custom_attrs["aria-labelledby"] = f"{key}-label"
        if errors is not None:
            with_error = " ".join([*described, f"{key}-error"])
            target.custom_attrs["aria-describedby"] = rx.cond(
                errors.contains(key), with_error, " ".join(described)
            )
        elif described:
            target.custom_attrs["aria-describedby"] = " ".join(described)
    return rx.flex(*parts, direction="column", spacing="1", width="100%")


def text_input(name: str, errors=None, **props) -> rx.Component:
    invalid = errors.contains(name) if errors is not None else False
    return rx.input(
        name=name, id=name, aria_invalid=rx.cond(invalid, "true", "false"), width="100%", **props
    )


def select_input(key: str, options: list[tuple[str, str]], default_value, **props):
    """A native-feeling select whose value is submitted with the form."""
    return rx.select.root(
        rx.select.trigger(id=key, width="100%"),
        rx.select.content(*[rx.select.item(label, value=value) for value, label in options]),
        name=key,
        default_value=default_value,
        **props,
    )


def dialog_buttons(on_cancel, save_id: str, cancel_label: str = "Cancel") -> rx.Component:
    """The Cancel / Save row at the foot of every editing dialog."""
    return rx.hstack(
        rx.button(
            cancel_label, variant="soft", color_scheme="gray", type="button", on_click=on_cancel
        ),
        rx.button("Save", type="submit", id=save_id),
        justify="end",
        width="100%",
        margin_top="1.5em",
    )


def form_tab(key: str, body: rx.Component) -> rx.Component:
    """A tab whose fields stay mounted (hidden by CSS) so one form submits every tab."""
    return rx.tabs.content(
        rx.box(body, padding_top="1em"), value=key, force_mount=True, class_name="cp-tab"
    )


def _file_input(component):
    if getattr(component, "tag", None) == "input" and "file" in str(getattr(component, "type", "")):
        return component
    for child in getattr(component, "children", None) or []:
        if (found := _file_input(child)) is not None:
            return found
    return None


def named_upload(upload: rx.Component, label: str) -> rx.Component:
    """``upload`` (an ``rx.upload.root`` or a component holding one) with an accessible
    name on the dropzone's file input, which the dropzone creates without a label."""
    if (file_input := _file_input(upload)) is not None:
        file_input.custom_attrs["aria-label"] = label
    return upload


def switch_field(name: str, label, value) -> rx.Component:
    """A switch submitted with its form as ``name`` ("on" when set), named by its label."""
    return rx.el.label(
        rx.hstack(
            rx.switch(name=name, id=name, default_checked=value),
            rx.text(label, size="2"),
            align="center",
        )
    )


def country_input(name: str, errors=None, **props) -> rx.Component:
    """A searchable country picker: a text box with Babel's country names as suggestions
    (a native ``datalist``: typing "king" offers United Kingdom). The browser sends the
    name; the service stores the ISO 3166-1 alpha-2 code (``validation.country_code``) and
    refuses anything else with a message next to the field."""
    options = f"{name}-countries"
    return rx.fragment(
        text_input(
            name,
            errors,
            custom_attrs={"list": options},
            auto_complete="off",
            placeholder="Start typing a country",
            **props,
        ),
        rx.el.datalist(*[rx.el.option(value=n) for n in COUNTRIES.values()], id=options),
    )
