"""Management > File > Public: logos and other public files, served at stable URLs.

Files are checked by what they contain, never by their name: an upload is a logo only
when Pillow reads it as a JPEG, PNG or GIF image.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from PIL import Image
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from portal_app.models import Area, PortalDomain, PublicFile

from .audit import audit_record, snapshot
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .identity import Actor

MAX_BYTES = 2 * 1024 * 1024
MAX_WIDTH = 350
# Dimensions are read from the header before any pixel is decoded: a small file can
# claim a huge canvas (a decompression bomb), so larger canvases are refused outright.
MAX_PIXELS = 25_000_000
# Pillow format -> (content type, canonical extension, extensions that also fit).
FORMATS = {
    "JPEG": ("image/jpeg", ".jpg", {".jpg", ".jpeg", ".jpe"}),
    "PNG": ("image/png", ".png", {".png"}),
    "GIF": ("image/gif", ".gif", {".gif"}),
}
NOT_AN_IMAGE = "This is not a JPG, PNG or GIF image."
FILE_FIELDS = ["id", "name", "content_type", "size", "width", "height", "sha256"]
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class PublicFileInfo:
    """A public file without its bytes, and the brands using it as their logo."""

    id: int
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    sha256: str
    created_at: datetime
    logo_of: list[str]


@dataclass(frozen=True)
class _Image:
    format: str
    width: int
    height: int


def _require_portal(actor: Actor) -> None:
    if not actor.can(Area.PORTAL):
        raise PermissionDenied()


def _inspect(data: bytes) -> _Image:
    """What the bytes really are; refuses anything but a whole JPEG, PNG or GIF."""
    # Pillow raises many kinds of errors on hostile or damaged input (OSError,
    # SyntaxError, struct.error, DecompressionBombError...): any of them means "no".
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt, (width, height) = probe.format, probe.size
            if fmt not in FORMATS:
                raise ValidationError({"file": NOT_AN_IMAGE})
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    {"file": f"The image is {width} × {height} px: too large to use as a logo."}
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as full:
            full.load()  # verify() does not decode: a truncated file fails only here
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError({"file": NOT_AN_IMAGE}) from exc
    return _Image(format=fmt, width=width, height=height)


def _scale_down(data: bytes, fmt: str) -> bytes:
    """The image at MAX_WIDTH px wide, same aspect and format (a GIF keeps frame one)."""
    with Image.open(io.BytesIO(data)) as img:
        img.seek(0)
        height = max(1, round(img.height * MAX_WIDTH / img.width))
        frame = img.convert("RGBA" if img.mode in ("P", "PA", "LA", "RGBA") else "RGB")
        small = frame.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if fmt == "JPEG":
            small.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
        elif fmt == "PNG":
            small.save(out, "PNG", optimize=True)
        else:
            small.save(out, "GIF")
        return out.getvalue()


def safe_name(filename: str, fmt: str) -> str:
    """A URL-safe file name whose extension matches the real format.

    ``../My Logo (1).PNG`` becomes ``my-logo-1.png``; a GIF named ``logo.png``
    becomes ``logo.gif``.
    """
    base = re.split(r"[\\/]", str(filename or ""))[-1].strip()
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    clean = _UNSAFE.sub("-", ascii_stem.lower()).strip("-_")[:100] or "file"
    _, canonical, fitting = FORMATS[fmt]
    suffix = f".{ext.lower()}" if f".{ext.lower()}" in fitting else canonical
    return clean + suffix


def _unique_name(session: Session, name: str) -> str:
    stem, _, ext = name.rpartition(".")
    taken = set(
        session.exec(
            select(PublicFile.name).where(
                (PublicFile.name == name) | col(PublicFile.name).like(f"{stem}-%.{ext}")
            )
        ).all()
    )
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.{ext}"
    return candidate


def size_label(size: int) -> str:
    """``12 KB``, ``1.5 MB``: sizes as people read them."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def size_error(size: int) -> str | None:
    """The message for a file of ``size`` bytes when it is over the limit, else None."""
    if size > MAX_BYTES:
        return f"The file is {size_label(size)}; logos can be at most 2 MB."
    return None


def _check_size(data: bytes) -> None:
    if msg := size_error(len(data)):
        raise ValidationError({"file": msg})


def file_upload(
    *, session: Session, actor: Actor, filename: str, data: bytes, scale_down: bool = False
) -> PublicFile:
    """Store a logo image. Too wide is refused (with the ``too_wide`` field) unless
    ``scale_down`` asks for it to be resized to MAX_WIDTH px."""
    _require_portal(actor)
    if not data:
        raise ValidationError({"file": "Choose a file to upload."})
    _check_size(data)
    original = image = _inspect(data)
    if image.width > MAX_WIDTH:
        if not scale_down:
            raise ValidationError(
                {
                    "file": f"The image is {image.width} px wide; logos can be at most "
                    f"{MAX_WIDTH} px. Scale it down?",
                    "too_wide": str(image.width),
                }
            )
        data = _scale_down(data, image.format)
        _check_size(data)
        image = _inspect(data)
    row = PublicFile(
        name=_unique_name(session, safe_name(filename, image.format)),
        content_type=FORMATS[image.format][0],
        size=len(data),
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # the same name, uploaded at the same moment
        raise Conflict("A file with this name was just uploaded. Try again.") from exc
    audit_record(
        session=session,
        actor=actor,
        action="file.upload",
        entity="public_file",
        entity_id=row.id,
        after=snapshot(row, FILE_FIELDS) | {"scaled_down": image is not original},
    )
    return row


def _logo_users(session: Session, file_ids: list[int]) -> dict[int, list[str]]:
    if not file_ids:
        return {}
    rows = session.exec(
        select(PortalDomain.logo_file_id, PortalDomain.brand_name)
        .where(col(PortalDomain.logo_file_id).in_(file_ids))
        .order_by(PortalDomain.brand_name)
    ).all()
    found: dict[int, list[str]] = {}
    for file_id, brand in rows:
        found.setdefault(file_id, []).append(brand)
    return found


def logo_choices(*, session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the images a brand can use as its logo (Advanced › Upload Logo)."""
    _require_portal(actor)
    return list(
        session.exec(
            select(PublicFile.id, PublicFile.name)
            .where(PublicFile.width.is_not(None))
            .order_by(PublicFile.name)
        )
    )


def file_list(*, session: Session, actor: Actor) -> list[PublicFileInfo]:
    """Every public file by name, without the bytes."""
    _require_portal(actor)
    rows = session.exec(
        select(PublicFile).options(defer(PublicFile.data)).order_by(PublicFile.name)
    ).all()
    users = _logo_users(session, [r.id for r in rows])
    return [
        PublicFileInfo(
            id=r.id,
            name=r.name,
            content_type=r.content_type,
            size=r.size,
            width=r.width,
            height=r.height,
            sha256=r.sha256,
            created_at=r.created_at,
            logo_of=users.get(r.id, []),
        )
        for r in rows
    ]


def file_get_by_name(*, session: Session, name: str) -> PublicFile | None:
    """The file behind a public URL. No actor: these files are public by design."""
    if not name or len(name) > 200:
        return None
    return session.exec(select(PublicFile).where(PublicFile.name == name)).first()


def file_delete(*, session: Session, actor: Actor, file_id: int) -> None:
    """Delete a file; refused while a brand shows it as its logo."""
    _require_portal(actor)
    row = session.get(PublicFile, file_id)
    if row is None:
        raise NotFound("That file no longer exists.")
    brands = _logo_users(session, [row.id]).get(row.id, [])
    if brands:
        raise Conflict(
            f"{row.name} is the logo of {', '.join(brands)}. "
            "Choose another logo for those brands first."
        )
    before = snapshot(row, FILE_FIELDS)
    session.delete(row)
    audit_record(
        session=session,
        actor=actor,
        action="file.delete",
        entity="public_file",
        entity_id=file_id,
        before=before,
    )
