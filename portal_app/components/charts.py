"""One bar chart for every report and dashboard: the same axes, grid and colours."""

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
