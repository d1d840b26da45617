"""FilesState (Management > File > Public) and SmtpState (the SMTP Details card).

Handlers run as Reflex runs them, with the real services, database and a real SMTP
server underneath. Uploads get the ``rx.UploadFile`` objects Reflex's upload endpoint
builds; the same handler called with a JSON payload (what a websocket can carry) is
refused by the guard.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import reflex as rx
from PIL import Image
from reflex_base.event import resolve_upload_handler_param

from portal_app import routes
from portal_app.models import AccountConfig, Area, AuditEvent, PortalDomain, PublicFile
from portal_app.services.files import NOT_AN_IMAGE
from portal_app.settings import get_settings
from portal_app.state.files import UPLOAD_ID, FilesState
from portal_app.state.guard import NEED_ATTR, UPLOAD_FILES, Need
from portal_app.state.smtp import SmtpState
from tests.smtpserver import PASSWORD, QUIET, USERNAME, foreign_server, smtp_server

from .helpers import call, count, fresh, make_state, preset

pytestmark = [pytest.mark.filterwarnings(w) for w in QUIET]
NO_PERMISSION = ("error", "You do not have permission to do that.")


def png(width: int = 100, height: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "PNG")
    return out.getvalue()


def upload_file(name: str, data: bytes) -> rx.UploadFile:
    """What Reflex's upload endpoint hands the handler for one file."""
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


def _cleared_selection(out) -> bool:
    return any(UPLOAD_ID in json.dumps(e.payload) for e in out.events)


# FilesState -------------------------------------------------------------------------


def test_upload_handlers_are_guarded_and_still_reflex_upload_handlers():
    for name in ("upload", "upload_scaled"):
        handler = FilesState.event_handlers[name]
        assert getattr(handler.fn, NEED_ATTR) == (Need.AREA, Area.PORTAL)
        assert resolve_upload_handler_param(handler) == ("files", UPLOAD_FILES)


def test_upload_lists_and_previews_the_file(db, admin):
    state = make_state(FilesState, token=admin.token)
    call(state, "load")
    assert state.files == []
    out = call(state, "upload", files=[upload_file("Brand Logo.png", png())])
    assert out.toasts == [("success", "Uploaded brand-logo.png.")]
    assert _cleared_selection(out)
    assert state.errors == {} and not state.too_wide and not state.uploading
    [row] = state.files
    assert (row.name, row.url, row.kind, row.dims) == (
        "brand-logo.png",
        "/public/brand-logo.png",
        "PNG",
        "100 × 40 px",
    )
    assert row.preview.startswith("/public/brand-logo.png?v=") and row.logo_of == ""
    assert count(db, AuditEvent, AuditEvent.action == "file.upload") == 1


def test_a_text_file_named_png_gets_an_error_next_to_the_field(db, admin):
    state = make_state(FilesState, token=admin.token)
    out = call(state, "upload", files=[upload_file("logo.png", b"hello, not an image")])
    assert state.errors == {"file": NOT_AN_IMAGE} and not state.too_wide
    assert out.toasts == [] and not _cleared_selection(out)
    assert count(db, PublicFile) == 0


def test_too_wide_offers_scaling_and_scaling_stores_350_px(db, admin):
    state = make_state(FilesState, token=admin.token)
    wide = png(700, 100)
    out = call(state, "upload", files=[upload_file("wide.png", wide)])
    assert state.too_wide and out.toasts == []
    assert state.errors["file"] == (
        "The image is 700 px wide; logos can be at most 350 px. Scale it down?"
    )
    assert count(db, PublicFile) == 0

    out = call(state, "upload_scaled", files=[upload_file("wide.png", wide)])
    assert out.toasts == [("success", "Uploaded wide.png.")]
    assert not state.too_wide and state.errors == {}
    assert state.files[0].dims == "350 × 50 px"
    [stored] = fresh(db, PublicFile)
    assert (stored.width, stored.height) == (350, 50)


def test_more_than_one_file_or_too_big_is_refused_before_the_service(db, admin):
    state = make_state(FilesState, token=admin.token)
    call(state, "upload", files=[upload_file("a.png", png()), upload_file("b.png", png())])
    assert state.errors == {"file": "Choose one image file."}
    call(state, "upload", files=[upload_file("big.png", png() + b"\0" * 3 * 1024 * 1024)])
    assert state.errors == {"file": "The file is 3.0 MB; logos can be at most 2 MB."}
    assert count(db, PublicFile) == 0


def test_delete_asks_first_and_is_refused_while_a_brand_uses_the_logo(db, admin):
    state = make_state(FilesState, token=admin.token)
    call(state, "upload", files=[upload_file("acme.png", png())])
    file_id = state.files[0].id
    db.add(PortalDomain(host="portal.acme.test", brand_name="Acme", logo_file_id=file_id))
    db.commit()
    call(state, "load")
    assert state.files[0].logo_of == "Acme"

    call(state, "ask_delete", file_id=file_id)
    assert (state.confirm_id, state.confirm_name) == (file_id, "acme.png")
    call(state, "cancel_delete")
    assert state.confirm_id == 0

    call(state, "ask_delete", file_id=file_id)
    out = call(state, "confirm_delete_now")
    assert out.toasts == [
        ("error", "acme.png is the logo of Acme. Choose another logo for those brands first.")
    ]
    assert state.confirm_id == 0 and count(db, PublicFile) == 1

    domain = fresh(db, PortalDomain)[0]
    domain.logo_file_id = None
    db.add(domain)
    db.commit()
    call(state, "ask_delete", file_id=file_id)
    out = call(state, "confirm_delete_now")
    assert out.toasts == [("success", "Deleted acme.png.")]
    assert state.files == [] and count(db, PublicFile) == 0


@pytest.mark.parametrize("handler", ["load", "upload", "upload_scaled", "confirm_delete_now"])
def test_a_user_without_the_portal_area_is_refused(db, clerk, handler):
    state = make_state(FilesState, token=clerk.token)
    preset(state, confirm_id=1)  # a delete was asked: only the guard stands in the way
    payload = {"files": [upload_file("x.png", png())]} if "upload" in handler else {}
    out = call(state, handler, **payload)
    assert out.toasts == [NO_PERMISSION] and out.changed == set()
    assert (
        count(db, PublicFile) == 0
        and count(db, AuditEvent, AuditEvent.entity == "public_file") == 0
    )


def test_without_a_session_files_redirect_to_login(db):
    out = call(make_state(FilesState), "upload", files=[upload_file("x.png", png())])
    assert out.redirects == [routes.LOGIN] and count(db, PublicFile) == 0


@pytest.mark.parametrize(
    "files",
    [
        [{"file": "aGVsbG8=", "path": "x.png", "size": 5}],
        ["x.png"],
        "x.png",
        None,
    ],
    ids=["dicts", "strings", "string", "none"],
)
def test_upload_refuses_a_websocket_payload(db, admin, files):
    state = make_state(FilesState, token=admin.token)
    out = call(state, "upload", files=files)
    assert out.toasts == [("error", "That request was malformed.")]
    assert count(db, PublicFile) == 0


# SmtpState --------------------------------------------------------------------------

FORM = {
    "email": "noc@carrier.example",
    "username": USERNAME,
    "password": PASSWORD,
    "server": "smtp.carrier.example:587",
    "from": "billing@carrier.example",
}


def _form(extra: dict | None = None) -> dict:
    """The form as the page submits it: every SMTP field name is prefixed with smtp_."""
    return {f"smtp_{key}": value for key, value in (FORM | (extra or {})).items()}


def _visible(state) -> str:
    """Everything the browser could ever receive from the state tree, as text."""
    return json.dumps(state._get_root_state().dict(), default=str)


def test_password_is_saved_but_never_reaches_the_browser(db, admin):
    state = make_state(SmtpState, token=admin.token)
    call(state, "load")
    assert state.can_edit and not state.has_password and state.values["server"] == ""
    out = call(state, "save", form_data=_form())
    assert out.toasts == [("success", "SMTP details saved.")]
    assert state.has_password and state.values == {k: v for k, v in FORM.items() if k != "password"}
    assert state.form_key == 2  # a fresh form: the password box is empty again
    stored = fresh(db, AccountConfig)[0].smtp_password_enc
    for text in (_visible(state), json.dumps(out.delta, default=str)):
        assert PASSWORD not in text and stored not in text

    reloaded = make_state(SmtpState, token=admin.token)
    out = call(reloaded, "load")
    assert reloaded.has_password
    assert PASSWORD not in _visible(reloaded) and stored not in _visible(reloaded)
    assert PASSWORD not in json.dumps(out.delta, default=str)


def test_bad_details_come_back_as_field_errors_without_the_password(db, admin):
    state = make_state(SmtpState, token=admin.token)
    call(state, "save", form_data=_form({"server": "smtp.example.com:0", "from": "nope"}))
    assert set(state.errors) == {"smtp_server", "smtp_from"}
    assert state.values["server"] == "smtp.example.com:0"  # what was typed stays
    assert PASSWORD not in _visible(state)
    assert count(db, AccountConfig) == 0


def test_remove_password(db, admin):
    state = make_state(SmtpState, token=admin.token)
    call(state, "save", form_data=_form())
    call(state, "save", form_data=_form({"password": "", "clear_password": "on"}))
    assert not state.has_password and fresh(db, AccountConfig)[0].smtp_password_enc is None


@pytest.fixture()
def smtp():
    with smtp_server() as server:
        yield server


def test_test_email_goes_to_me_and_shows_the_servers_answer(db, admin, smtp):
    state = make_state(SmtpState, token=admin.token)
    call(state, "save", form_data=_form({"server": smtp.address}))
    out = call(state, "send_test")
    assert state.test_ok and not state.testing
    assert state.test_answer == (
        "Sent to admin@example.com. The server answered: 250 OK queued as test-1"
    )
    assert {"testing", "test_answer", "test_ok"} <= out.changed
    [got] = smtp.messages
    assert got.rcpt_tos == ["admin@example.com"] and got.login == USERNAME
    assert got.message["Subject"] == "Carrier Portal test email"


def test_test_email_shows_a_refusal_in_plain_words(db, admin, smtp):
    state = make_state(SmtpState, token=admin.token)
    call(state, "save", form_data=_form({"server": smtp.address, "password": "wrong one"}))
    call(state, "send_test")
    assert not state.test_ok and not state.testing
    assert state.test_answer == (
        "The server refused the username or password: 535 5.7.8 Authentication credentials invalid"
    )
    assert smtp.messages == []


def test_production_refuses_an_internal_smtp_server_next_to_the_field(db, admin, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    get_settings.cache_clear()
    try:
        state = make_state(SmtpState, token=admin.token)
        out = call(state, "save", form_data=_form({"server": "169.254.169.254:587"}))
        assert out.toasts == []
        assert list(state.errors) == ["smtp_server"]
        assert "169.254.169.254 leads to a link-local address" in state.errors["smtp_server"]
        call(state, "save", form_data=_form({"server": "smtp.carrier.example:22"}))
        assert state.errors == {
            "smtp_server": "Port 22 is not an SMTP port: use 25, 465, 587 or 2525."
        }
        assert state.values["server"] == "smtp.carrier.example:22"  # what was typed stays
        assert count(db, AccountConfig) == 0
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_test_email_to_another_service_does_not_show_its_banner(db, admin):
    with foreign_server(b"SSH-2.0-OpenSSH_9.2p1 secret-build-42\r\n") as where:
        state = make_state(SmtpState, token=admin.token)
        call(state, "save", form_data=_form({"server": where, "username": "", "password": ""}))
        call(state, "send_test")
    assert not state.test_ok and not state.testing
    assert state.test_answer == f"The server {where} did not answer like an SMTP server."
    assert "secret-build" not in _visible(state)


def test_test_email_without_smtp_details(db, admin):
    state = make_state(SmtpState, token=admin.token)
    call(state, "send_test")
    assert not state.test_ok
    assert state.test_answer == "No SMTP server is set up yet: fill in SMTP Details and save them."


def test_an_operator_without_setup_sees_nothing_and_changes_nothing(db, admin, clerk):
    make = make_state(SmtpState, token=admin.token)
    call(make, "save", form_data=_form())
    state = make_state(SmtpState, token=clerk.token)
    call(state, "load")
    assert not state.can_edit and state.values == {} and not state.has_password
    audits = count(db, AuditEvent)
    for handler, payload in [("save", {"form_data": _form()}), ("send_test", {})]:
        out = call(state, handler, **payload)
        assert out.toasts == [NO_PERMISSION] and out.changed == set()
    assert count(db, AuditEvent) == audits
    assert fresh(db, AccountConfig)[0].smtp_username == USERNAME


def test_smtp_handlers_need_a_session(db):
    out = call(make_state(SmtpState), "save", form_data=_form())
    assert out.redirects == [routes.LOGIN] and count(db, AccountConfig) == 0
