"""One bar chart and one figure card for every report and dashboard: the same axes, grid,
colours and type sizes."""

from __future__ import annotations

import reflex as rx


def bar_chart(
    data, x_key: str, y_key: str, name, *, color: str = "accent", height: int = 260, unit=None
) -> rx.Component:
    """Bars of ``y_key`` per ``x_key``. No animation: live state updates would restart
    it, and a dashboard could be caught showing empty bars. ``unit`` (a currency code for
    money) labels the value axis: amounts of different currencies never share one."""
    y_axis = {"tick": {"fontSize": 10}, "width": 50}
    if unit is not None:
        y_axis["label"] = {"value": unit, "angle": -90, "position": "insideLeft", "fontSize": 11}
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key=x_key, tick={"fontSize": 10}, interval="preserveStartEnd"),
        rx.recharts.y_axis(**y_axis),
        rx.recharts.tooltip(),
        rx.recharts.bar(
            data_key=y_key, name=name, fill=rx.color(color, 9), is_animation_active=False
        ),
        data=data,
        height=height,
        width="100%",
    )


def figure_card(
    label: str,
    value,
    id_: str,
    *,
    size: str = "5",
    label_size: str = "1",
    min_width="130px",
    tone=None,
) -> rx.Component:
    """A headline figure (calls, minutes, balance…) with its label, in a card that shares a
    row with others and wraps on a phone."""
    return rx.card(
        rx.vstack(
            rx.text(label, size=label_size, color_scheme="gray"),
            rx.text(value, size=size, weight="bold", id=id_, color=tone),
            spacing="1",
        ),
        flex="1",
        min_width=min_width,
    )
