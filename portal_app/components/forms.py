"""Form fields with a visible label and the field's error message beneath it."""

from __future__ import annotations

import reflex as rx


def error_text(errors, key: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(
            errors[key], class_name="cp-field-error", size="2", id=f"{key}-error", role="alert"
        ),
    )


def field(label: str, control: rx.Component, errors=None, key: str = "", hint=None) -> rx.Component:
    """A labelled control. ``key`` is the form name the errors dict uses."""
    parts = [rx.el.label(label, html_for=key or None, class_name="cp-label"), control]
    if hint is not None:
        parts.append(rx.text(hint, size="1", color_scheme="gray"))
    if errors is not None and key:
        parts.append(error_text(errors, key))
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
