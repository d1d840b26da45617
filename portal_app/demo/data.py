"""The demo's fixed content: logins, brands, customers, contacts and their ledgers."""

from __future__ import annotations

DEMO_LOGINS = [
    ("admin@example.com", "admin-password-1", "Administrator"),
    ("support@example.com", "support-password-1", "User in the Support group"),
]


DEMO_BRANDS = [
    # host, brand, accent colour (also the logo's), header colour, CSS, footer
    (
        "acme.localhost",
        "Acme Telecom",
        (220, 38, 38),
        "#7f1d1d",
        ":root { --cp-radius: 2px; }\nh1 { letter-spacing: 0.02em; }",
        "Copyright Acme Telecom Ltd",
    ),
    (
        "globex.localhost",
        "Globex Voice",
        (22, 163, 74),
        "#14532d",
        "body { font-family: Georgia, serif; }",
        "Globex Voice · Calls that connect",
    ),
]


DEMO_CUSTOMERS = [
    # name, kind, domain host, currency, credit limit (minor units)
    ("Acme Sign-up Template", "customer", "acme.localhost", "USD", 500),
    ("Bluebird Call Centre", "customer", "acme.localhost", "USD", 25_000),
    ("Northwind Trading", "customer", "acme.localhost", "EUR", 10_000),
    ("Transit One Carrier", "carrier", "acme.localhost", "USD", 0),
    ("Globex Retail", "customer", "globex.localhost", "EUR", 15_000),
    ("Initech VoIP", "carrier", "globex.localhost", "USD", 0),
]


# Portal logins: customer, contact name, email, password, public notes, private notes.
DEMO_CONTACTS = [
    (
        "Bluebird Call Centre",
        "Bea Bluebird",
        "bea@bluebird.example",
        "bluebird-pass-1",
        "Welcome to Acme Telecom! Your account manager is Sam (support@example.com).\n"
        "Planned maintenance: Sunday 02:00-04:00 UTC.",
        "Pays by bank transfer around the 1st. Prefers email over phone.",
    ),
    (
        "Northwind Trading",
        "Nils Northwind",
        "nils@northwind.example",
        "northwind-pass-1",
        "Your EUR account is billed monthly.",
        "Asked about a rate review in Q1.",
    ),
    (
        "Transit One Carrier",
        "Theo Transit",
        "noc@transitone.example",
        "transit-pass-1",
        "",
        "NOC on call 24/7.",
    ),
    (
        "Globex Retail",
        "Gina Globex",
        "gina@globexretail.example",
        "globex-pass-1",
        "Thank you for choosing Globex Voice.",
        "",
    ),
]


# Northwind shows how Edit > Config > Portal Access overrides its domain.
DEMO_OVERRIDE = ("Northwind Trading", {"contacts": "hide", "breakout": "show"})
# Transit One's portal: the Carrier Portal and its own (editable) low-balance alerts.
DEMO_CARRIER_ACCESS = ("Transit One Carrier", {"carrier_portal": "show", "alerts": "show"})
# Each demo carrier terminates the calls of one of the demo's routes (demo/calls.py).
DEMO_CARRIER_ROUTES = [("Transit One Carrier", "CarrierA-LON"), ("Initech VoIP", "CarrierB-FRA")]


# customer, kind, amount, reference, days ago
DEMO_LEDGER = [
    # The spec's example: every approved sign-up on Acme starts with a $5.00 credit.
    ("Acme Sign-up Template", "credit", "5.00", "Welcome credit", 90),
    ("Bluebird Call Centre", "payment", "250.00", "Bank transfer 1001", 40),
    ("Bluebird Call Centre", "charge", "182.35", "Usage October", 25),
    ("Bluebird Call Centre", "credit", "10.00", "Goodwill credit", 20),
    ("Bluebird Call Centre", "payment", "200.00", "Bank transfer 1002", 10),
    ("Bluebird Call Centre", "charge", "96.40", "Usage November 1-15", 3),
    ("Northwind Trading", "payment", "100.00", "SEPA 77812", 30),
    ("Northwind Trading", "charge", "131.20", "Usage October", 12),
    ("Transit One Carrier", "payment", "1000.00", "Wire TX-5531", 15),
    ("Globex Retail", "credit", "5.00", "Welcome credit", 60),
    ("Globex Retail", "payment", "75.00", "Card payment", 8),
]
