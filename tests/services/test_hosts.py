"""The one host-name validator (services/hosts.py ``host_name``, IDNA 2008 through the
idna library): what it stores, what it refuses and why, and how a stored IDN is shown."""

from __future__ import annotations

import pytest

from portal_app.services.hosts import (
    EMPTY,
    INVALID,
    IP_ADDRESS,
    HostError,
    host_display,
    host_name,
    normalize_host,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("portal.acme.com", "portal.acme.com"),
        ("Portal.ACME.com.", "portal.acme.com"),
        ("  smtp.acme.com ", "smtp.acme.com"),
        ("Portal.Bücher.example", "portal.xn--bcher-kva.example"),
        ("portal.xn--bcher-kva.example", "portal.xn--bcher-kva.example"),
        ("ПОРТАЛ.пример.рф", "xn--80awhdgm.xn--e1afmkfd.xn--p1ai"),
        ("localhost", "localhost"),
        ("a" * 63 + ".test", "a" * 63 + ".test"),
    ],
)
def test_host_names_are_stored_as_lower_case_a_labels(typed, stored):
    assert host_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("", EMPTY),
        ("   ", EMPTY),
        (None, EMPTY),
        ("127.0.0.1", IP_ADDRESS),
        ("[::1]", IP_ADDRESS),
        ("127.1", IP_ADDRESS),  # an all-numeric last label reads as an address
        ("portal..acme.com", INVALID),
        ("portal.acme.com..", INVALID),
        (".acme.com", INVALID),
        ("-portal.acme.com", INVALID),
        ("portal-.acme.com", INVALID),
        ("under_score.acme.com", INVALID),
        ("portal.acme.com:587", INVALID),
        ("https://portal.acme.com", INVALID),
        ("portal.acme.com/login", INVALID),
        ("por tal.acme.com", INVALID),
        ("portal\u202e.acme.com", INVALID),  # a bidi control is no letter
        ("xn--zz.acme.com", INVALID),  # not valid Punycode
        ("a" * 64 + ".test", INVALID),
        (".".join(["a" * 63] * 4) + ".test", INVALID),  # over 253 characters
    ],
)
def test_what_is_not_a_host_name(typed, kind):
    with pytest.raises(HostError) as info:
        host_name(typed)
    assert info.value.kind == kind
    assert info.value.message


def test_addresses_only_where_an_address_will_do():
    assert host_name("10.0.0.5", ip=True) == "10.0.0.5"
    assert host_name("[2001:DB8::1]", ip=True) == "2001:db8::1"
    with pytest.raises(HostError) as info:
        host_name("10.0.0.300", ip=True)  # no address, and no name either
    assert info.value.kind == INVALID


def test_a_domain_needs_two_labels_where_asked():
    assert host_name("acme.com", min_labels=2) == "acme.com"
    with pytest.raises(HostError):
        host_name("localhost", min_labels=2)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("portal.xn--bcher-kva.example", "portal.bücher.example"),
        ("portal.acme.com", "portal.acme.com"),
        ("xn--zz.acme.com", "xn--zz.acme.com"),  # undecodable: shown as stored
    ],
)
def test_host_display_shows_the_u_label(stored, shown):
    assert host_display(stored) == shown


def test_a_request_host_in_unicode_matches_the_stored_a_label():
    assert normalize_host("Portal.Bücher.example:3000") == "portal.xn--bcher-kva.example"
    assert normalize_host("bad\u202e.bücher.example") == ""
