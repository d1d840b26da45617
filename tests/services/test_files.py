"""Public files: checked by content, sized, named safely, and kept while a brand uses them.

Images are real, made with Pillow. The HTTP route is exercised through Starlette's
test client against the app's own (SQLite) database.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json

import httpx
import pytest
from PIL import Image
from sqlmodel import Session, select
from starlette.applications import Starlette

from portal_app.api.files import file_routes, public_file_url
from portal_app.models import AuditEvent, Grant, PortalDomain, PublicFile, Role
from portal_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal_app.services.files import (
    NOT_AN_IMAGE,
    file_delete,
    file_get_by_name,
    file_list,
    file_upload,
    safe_name,
)
from portal_app.services.identity import SYSTEM

MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}


def image_bytes(fmt: str, width: int = 120, height: int = 60, mode: str = "RGB") -> bytes:
    img = Image.new(mode, (width, height), "orange")
    for x in range(0, width, 7):  # some detail, so scaling has work to do
        img.putpixel((x, x * height // width), (10, 20, 200) if mode == "RGB" else 1)
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def stored_image(row: PublicFile) -> Image.Image:
    return Image.open(io.BytesIO(row.data))


@pytest.mark.parametrize(
    ("fmt", "filename", "name"),
    [
        ("PNG", "logo.png", "logo.png"),
        ("JPEG", "Photo.JPEG", "photo.jpeg"),
        ("GIF", "anim.gif", "anim.gif"),
    ],
)
def test_upload_stores_the_image_with_its_real_type(db, fmt, filename, name):
    data = image_bytes(fmt)
    row = file_upload(session=db, actor=SYSTEM, filename=filename, data=data)
    db.commit()
    assert (row.name, row.content_type, row.size) == (name, MIME[fmt], len(data))
    assert (row.width, row.height) == (120, 60)
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert file_get_by_name(session=db, name=name).data == data
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "file.upload")).one()
    assert audit.entity_id == str(row.id) and "data" not in audit.after
    assert audit.after["sha256"] == row.sha256 and audit.after["scaled_down"] is False


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("logo.png", b"just some text, not a picture\n"),
        ("logo.png", image_bytes("PNG")[:200]),  # truncated
        ("logo.png", image_bytes("BMP")),  # a real image, of a format we do not take
        ("logo.gif", image_bytes("WEBP")),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
    ids=["text-named-png", "truncated-png", "bmp", "webp", "svg"],
)
def test_anything_but_a_whole_jpg_png_or_gif_is_refused(db, filename, data):
    with pytest.raises(ValidationError) as exc:
        file_upload(session=db, actor=SYSTEM, filename=filename, data=data)
    assert exc.value.fields == {"file": NOT_AN_IMAGE}
    assert db.exec(select(PublicFile)).all() == []


def test_empty_and_oversized_files_are_refused(db):
    with pytest.raises(ValidationError) as exc:
        file_upload(session=db, actor=SYSTEM, filename="x.png", data=b"")
    assert exc.value.fields == {"file": "Choose a file to upload."}
    big = image_bytes("PNG") + b"\0" * (2 * 1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        file_upload(session=db, actor=SYSTEM, filename="x.png", data=big)
    assert exc.value.fields == {"file": "The file is 2.0 MB; logos can be at most 2 MB."}


def test_a_huge_canvas_is_refused_before_decoding(db):
    bomb = image_bytes("PNG", 6000, 6000, mode="1")  # small file, 36 megapixels
    with pytest.raises(ValidationError) as exc:
        file_upload(session=db, actor=SYSTEM, filename="bomb.png", data=bomb)
    assert "too large" in exc.value.fields["file"]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_too_wide_is_refused_then_scaled_down_keeping_aspect_and_format(db, fmt):
    data = image_bytes(fmt, 800, 200)
    with pytest.raises(ValidationError) as exc:
        file_upload(session=db, actor=SYSTEM, filename="wide", data=data)
    assert exc.value.fields == {
        "file": "The image is 800 px wide; logos can be at most 350 px. Scale it down?",
        "too_wide": "800",
    }
    row = file_upload(session=db, actor=SYSTEM, filename="wide", data=data, scale_down=True)
    db.commit()
    assert (row.width, row.height, row.content_type) == (350, 88, MIME[fmt])
    with stored_image(row) as img:
        assert (img.format, img.size) == (fmt, (350, 88))
    assert row.size == len(row.data) and row.sha256 == hashlib.sha256(row.data).hexdigest()
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "file.upload")).one()
    assert audit.after["scaled_down"] is True and audit.after["width"] == 350


def test_scale_down_leaves_narrow_images_untouched(db):
    data = image_bytes("PNG", 350, 100)
    row = file_upload(session=db, actor=SYSTEM, filename="ok.png", data=data, scale_down=True)
    assert row.data == data and row.width == 350


@pytest.mark.parametrize(
    ("filename", "fmt", "expected"),
    [
        ("../../etc/My Logo (1).PNG", "PNG", "my-logo-1.png"),
        ("C:\\Users\\me\\Café Crème.jpeg", "JPEG", "cafe-creme.jpeg"),
        ("banner.jpg", "JPEG", "banner.jpg"),
        ("logo.png", "GIF", "logo.gif"),  # named png, really a GIF
        ("logo.png.exe", "PNG", "logo-png.png"),
        ("noextension", "JPEG", "noextension.jpg"),
        ("", "PNG", "file.png"),
        (".htaccess", "PNG", "file.png"),
        ("<script>.gif", "GIF", "script.gif"),
        ("a" * 300 + ".png", "PNG", "a" * 100 + ".png"),
    ],
)
def test_safe_name(filename, fmt, expected):
    assert safe_name(filename, fmt) == expected


def test_names_are_made_unique(db):
    names = [
        file_upload(session=db, actor=SYSTEM, filename=n, data=image_bytes("PNG")).name
        for n in ["logo.png", "Logo.PNG", "logo.png", "logo-2.png"]
    ]
    assert names == ["logo.png", "logo-2.png", "logo-3.png", "logo-2-2.png"]


def test_delete_is_refused_while_a_brand_uses_the_file_as_its_logo(db):
    row = file_upload(session=db, actor=SYSTEM, filename="acme.png", data=image_bytes("PNG"))
    other = file_upload(session=db, actor=SYSTEM, filename="spare.png", data=image_bytes("PNG"))
    brands = [
        PortalDomain(host=f"portal.{b.lower()}.test", brand_name=b, logo_file_id=row.id)
        for b in ("Zeta Voice", "Acme")
    ]
    db.add_all(brands)
    db.commit()
    listed = {f.name: f.logo_of for f in file_list(session=db, actor=SYSTEM)}
    assert listed == {"acme.png": ["Acme", "Zeta Voice"], "spare.png": []}

    with pytest.raises(Conflict) as exc:
        file_delete(session=db, actor=SYSTEM, file_id=row.id)
    assert exc.value.message == (
        "acme.png is the logo of Acme, Zeta Voice. Choose another logo for those brands first."
    )
    file_delete(session=db, actor=SYSTEM, file_id=other.id)
    for brand in brands:
        brand.logo_file_id = None
    db.commit()
    file_delete(session=db, actor=SYSTEM, file_id=row.id)
    db.commit()
    assert db.exec(select(PublicFile)).all() == []
    deleted = db.exec(select(AuditEvent).where(AuditEvent.action == "file.delete")).all()
    assert sorted(a.before["name"] for a in deleted) == ["acme.png", "spare.png"]
    assert all("data" not in a.before for a in deleted)
    with pytest.raises(NotFound):
        file_delete(session=db, actor=SYSTEM, file_id=row.id)


def test_file_management_needs_the_portal_area(db, make_user, make_group, as_actor):
    row = file_upload(session=db, actor=SYSTEM, filename="x.png", data=image_bytes("PNG"))
    db.commit()
    clerk = as_actor(make_user(group=make_group({"portal": Grant.DENY.value, "log": "allow"})))
    with pytest.raises(PermissionDenied):
        file_upload(session=db, actor=clerk, filename="y.png", data=image_bytes("PNG"))
    with pytest.raises(PermissionDenied):
        file_list(session=db, actor=clerk)
    with pytest.raises(PermissionDenied):
        file_delete(session=db, actor=clerk, file_id=row.id)
    designer = as_actor(make_user(group=make_group({"portal": Grant.ALLOW.value})))
    file_upload(session=db, actor=designer, filename="y.png", data=image_bytes("PNG"))
    assert [f.name for f in file_list(session=db, actor=designer)] == ["x.png", "y.png"]
    assert as_actor(make_user(role=Role.ADMIN.value)).can("portal")


# GET /public/{name} ----------------------------------------------------------------


class Client:
    """Requests to the route mounted on its own Starlette app, over ASGI (no socket)."""

    def __init__(self):
        self.app = Starlette(routes=file_routes())

    def request(self, method: str, path: str, headers: dict | None = None) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.request(method, path, headers=headers)

        return asyncio.run(go())

    def get(self, path: str, headers: dict | None = None) -> httpx.Response:
        return self.request("GET", path, headers)

    def head(self, path: str) -> httpx.Response:
        return self.request("HEAD", path)


@pytest.fixture()
def client(app_engine):
    """The route, reading the app's SQLite database; its rows are removed afterwards."""
    yield Client()
    with Session(app_engine) as session:
        for table in (AuditEvent, PublicFile):
            for row in session.exec(select(table)).all():
                session.delete(row)
        session.commit()


def test_public_file_is_served_with_type_cache_and_etag(client, app_engine):
    data = image_bytes("GIF")
    with Session(app_engine) as session:
        row = file_upload(session=session, actor=SYSTEM, filename="Brand Logo.gif", data=data)
        session.commit()
        name, sha = row.name, row.sha256
    assert public_file_url(name) == "/public/brand-logo.gif"

    res = client.get(public_file_url(name))
    assert res.status_code == 200 and res.content == data
    assert res.headers["content-type"] == "image/gif"
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["cache-control"] == "public, max-age=300"
    assert res.headers["etag"] == f'"{sha}"'

    for tag in (f'"{sha}"', f'W/"{sha}"', f'"other", "{sha}"', "*"):
        again = client.get(public_file_url(name), headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == f'"{sha}"'
    stale = client.get(public_file_url(name), headers={"If-None-Match": '"old"'})
    assert stale.status_code == 200 and stale.content == data
    assert client.head(public_file_url(name)).status_code == 200


@pytest.mark.parametrize("path", ["/public/missing.png", "/public/", "/public/a/../b.png"])
def test_unknown_public_files_are_404(client, path):
    assert client.get(path).status_code == 404


def test_audit_rows_never_hold_file_bytes(db):
    file_upload(session=db, actor=SYSTEM, filename="x.png", data=image_bytes("PNG"))
    db.commit()
    for audit in db.exec(select(AuditEvent)).all():
        assert len(json.dumps([audit.before, audit.after])) < 500
