"""A carrier's routes on its Alerts & contracts tab (state/carrier_routes.py)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.alerts import line, section
from portal_app.components.forms import error_text, field, text_input
from portal_app.state.carrier_routes import CarrierRoutesState as R


def carrier_routes_section() -> rx.Component:
    e = R.errors
    return rx.cond(
        R.is_carrier,
        rx.vstack(
            section(
                "Carrier routes",
                rx.text(
                    "The route names this carrier's calls carry in the CDRs: its Carrier "
                    "Portal shows it the calls that left on them, and the rates of their "
                    "rate cards as what it is paid.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.foreach(R.routes, lambda r: line(r, R.delete_route)),
                rx.form(
                    rx.hstack(
                        field(
                            "Route",
                            text_input("carrier_route", e, placeholder="CarrierA-LON"),
                            e,
                            "carrier_route",
                        ),
                        rx.vstack(
                            rx.el.label(
                                "Paid on rate card",
                                html_for="carrier_route_card",
                                id="carrier_route_card-label",
                                class_name="cp-label",
                            ),
                            rx.select.root(
                                rx.select.trigger(
                                    id="carrier_route_card",
                                    aria_labelledby="carrier_route_card-label",
                                    width="100%",
                                ),
                                rx.select.content(
                                    rx.select.item("No rate card", value="none"),
                                    rx.foreach(R.cards, lambda c: rx.select.item(c[1], value=c[0])),
                                ),
                                name="carrier_route_card",
                                default_value="none",
                            ),
                            error_text(e, "carrier_route_card"),
                            spacing="1",
                            width="100%",
                        ),
                        rx.button("Add route", type="submit", variant="soft", id="route-add"),
                        align="end",
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=R.add_route,
                    key=R.form_key,
                ),
            ),
            rx.separator(width="100%"),
            spacing="4",
            width="100%",
        ),
    )
