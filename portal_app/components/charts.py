"""One bar chart for every report and dashboard: the same axes, grid and colours."""

from __future__ import annotations

import reflex as rx


def bar_chart(
    data, x_key: str, y_key: str, name: str, *, color: str = "accent", height: int = 260
) -> rx.Component:
    """Bars of ``y_key`` per ``x_key``. No animation: live state updates would restart
    it, and a dashboard could be caught showing empty bars."""
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key=x_key, tick={"fontSize": 10}, interval="preserveStartEnd"),
        rx.recharts.y_axis(tick={"fontSize": 10}, width=50),
        rx.recharts.tooltip(),
        rx.recharts.bar(
            data_key=y_key, name=name, fill=rx.color(color, 9), is_animation_active=False
        ),
        data=data,
        height=height,
        width="100%",
    )
