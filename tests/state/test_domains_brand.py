"""DomainsState (the Portal editor) and BrandState (what a brand host shows)."""

from __future__ import annotations

from portal_app.models import AuditEvent, DomainStatus, PortalDomain
from portal_app.settings import get_settings
from portal_app.state.brand import BrandState
from portal_app.state.domains import DomainsState

from .helpers import call, count, fresh, make_state, preset

FORM = {
    "host": "portal.acme.test",
    "brand_name": "Acme",
    "customer_limit": "5",
    "footer": "Copyright Acme",
    "custom_css": "h1 { color: red; }",
    "custom_js": "",
    "smtp_server": "",
    "smtp_username": "",
    "smtp_from": "",
}


def test_admin_adds_a_domain_with_its_tabs_choices(db, admin):
    state = make_state(DomainsState, token=admin.token)
    call(state, "load")
    call(state, "open_editor", domain_id="new")
    assert state.editing == "new"
    assert [i.key for i in state.access if i.on][:2] == ["balance", "cdr"]
    call(state, "toggle_item", kind="access", key="breakout")
    call(state, "move_item", kind="cdr", key="cli", delta=-1)
    call(state, "add_currency", code="eur")
    call(state, "add_currency", code="NOPE")
    out = call(state, "save", form_data=FORM | {"customer_signup": "on"})
    assert out.toasts[0][0] == "success"
    assert state.editing == ""
    (domain,) = fresh(db, PortalDomain)
    assert domain.host == "portal.acme.test" and domain.customer_signup
    assert "breakout" in domain.access
    assert domain.cdr_columns[:2] == ["cli", "call_start"]
    assert domain.currencies == ["USD", "EUR"]
    assert domain.customer_limit == 500
    assert [r.host for r in state.rows] == ["portal.acme.test"]
    assert count(db, AuditEvent, AuditEvent.action == "domain.create") == 1


def test_bad_input_marks_fields_and_saves_nothing(db, admin):
    state = make_state(DomainsState, token=admin.token)
    call(state, "open_editor", domain_id="new")
    out = call(state, "save", form_data=FORM | {"host": "10.0.0.1", "brand_name": ""})
    assert out.toasts == [("error", "Some fields need attention: see the marked tabs.")]
    assert set(state.errors) == {"host", "brand_name"}
    assert state.editing == "new" and state.form["host"] == "10.0.0.1"
    assert count(db, PortalDomain) == 0


def test_an_idn_domain_is_stored_as_its_a_label_and_shown_as_people_read_it(db, admin):
    state = make_state(DomainsState, token=admin.token)
    call(state, "open_editor", domain_id="new")
    form = FORM | {"host": "Portal.Bücher.test", "brand_name": "Acme \u202eexe.fdp"}
    out = call(state, "save", form_data=form)
    assert out.toasts[0][0] == "success"
    (domain,) = fresh(db, PortalDomain)
    assert (domain.host, domain.brand_name) == ("portal.xn--bcher-kva.test", "Acme exe.fdp")
    [row] = state.rows
    assert (row.host, row.shown, row.brand) == (domain.host, "portal.bücher.test", "Acme exe.fdp")


def test_a_url_or_an_internal_smtp_server_is_marked_at_its_field(db, admin, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    get_settings.cache_clear()
    try:
        state = make_state(DomainsState, token=admin.token)
        call(state, "open_editor", domain_id="new")
        form = FORM | {"host": "https://portal.acme.test/login", "smtp_server": "10.0.0.5:587"}
        call(state, "save", form_data=form)
        assert set(state.errors) == {"host", "smtp_server"}
        assert "without https:// or a path" in state.errors["host"]
        assert "10.0.0.5 leads to a private network" in state.errors["smtp_server"]
        assert state.form["smtp_server"] == "10.0.0.5:587"  # what was typed stays
        assert count(db, PortalDomain) == 0
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_user_without_the_portal_area_is_refused(db, clerk):
    state = make_state(DomainsState, token=clerk.token)
    preset(state, editing="new")
    out = call(state, "save", form_data=FORM)
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert count(db, PortalDomain) == 0


def test_operator_handlers_do_nothing_on_a_brand_host(db, admin):
    state = make_state(
        DomainsState,
        token=admin.token,
        origin="http://portal.acme.test:3000",
        host="portal.acme.test:3000",
    )
    preset(state, editing="new")
    out = call(state, "save", form_data=FORM)
    assert out.events == [] and out.changed == set()
    assert count(db, PortalDomain) == 0


def _domain(db, host: str, status: DomainStatus) -> PortalDomain:
    domain = PortalDomain(
        host=host,
        brand_name=host.split(".")[0].title(),
        currencies=["USD"],
        custom_css="h1 { color: red; }",
        footer="Copyright " + host,
        custom_js="console.log('brand');",
        status=status.value,
    )
    db.add(domain)
    db.commit()
    return domain


def test_brand_host_shows_its_verified_brand_and_nothing_else(db):
    _domain(db, "portal.acme.test", DomainStatus.VERIFIED)
    _domain(db, "portal.globex.test", DomainStatus.PENDING)

    acme = make_state(BrandState, origin="http://PORTAL.ACME.TEST:3000", path="/portal/login")
    out = call(acme, "load_brand")
    assert acme.found and acme.brand_name == "Portal"
    assert acme.footer == "Copyright portal.acme.test"
    assert any("document.title" in str(e) for e in out.events)
    assert any("console.log('brand')" in str(e) for e in out.events)
    # The brand's root and the control panel's addresses lead to its portal.
    for path in ("/", "/login", "/management/customers/"):
        root = make_state(BrandState, origin="http://portal.acme.test:3000", path=path)
        assert call(root, "load_brand").redirects == ["/portal"]

    for origin in (
        "http://portal.globex.test",
        "http://portal.acme.test.evil.test",
        "http://unknown.test",
    ):
        other = make_state(BrandState, origin=origin)
        call(other, "load_brand")
        assert other.checked and not other.found
        assert other.brand_name == other.footer == other.custom_css == ""


def test_a_portal_operator_sees_the_code_read_only_and_cannot_change_it(db, admin):
    from portal_app.models import Grant

    from .helpers import seed_group, seed_operator

    web = seed_operator(db, "web@example.com", group_id=seed_group(db, "Web", portal=Grant.ALLOW))
    state = make_state(DomainsState, token=admin.token)
    call(state, "open_editor", domain_id="new")
    assert state.code_locked is False
    call(state, "save", form_data=FORM | {"custom_js": "alert(1);"})
    (domain,) = fresh(db, PortalDomain)

    state = make_state(DomainsState, token=web.token)
    call(state, "open_editor", domain_id=str(domain.id))
    assert state.code_locked is True and state.form["custom_js"] == "alert(1);"
    out = call(state, "save", form_data=FORM | {"custom_js": "steal();"})
    assert out.toasts == [("error", "Some fields need attention: see the marked tabs.")]
    assert set(state.errors) == {"custom_js"}
    out = call(state, "save", form_data=FORM | {"custom_js": "alert(1);", "brand_name": "Acme 2"})
    assert out.toasts[0][0] == "success"
    (domain,) = fresh(db, PortalDomain)
    assert (domain.brand_name, domain.custom_js) == ("Acme 2", "alert(1);")


def test_the_editor_saves_the_automatic_top_up_switch_and_shows_it_again(db, admin):
    state = make_state(DomainsState, token=admin.token)
    call(state, "open_editor", domain_id="new")
    assert state.signup["auto_topup"] is False
    call(state, "save", form_data=FORM | {"auto_topup": "on"})
    (domain,) = fresh(db, PortalDomain)
    assert domain.auto_topup is True
    call(state, "open_editor", domain_id=str(domain.id))
    assert state.signup["auto_topup"] is True
    call(state, "save", form_data=FORM)  # a switch left off is absent from the form
    assert fresh(db, PortalDomain)[0].auto_topup is False
