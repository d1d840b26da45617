"""Plain HTTP endpoints of the served app: health, public files, an upload naming no
handler (the upload checks are in test_edge_http.py)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.live


def test_health_public_files_and_upload_limit(live_app):
    assert httpx.get(f"{live_app.url}/api/health").json() == {"ok": True, "database": "up"}

    logo = httpx.get(f"{live_app.url}/public/acme.png")
    assert logo.status_code == 200
    assert logo.headers["content-type"] == "image/png"
    assert logo.content.startswith(b"\x89PNG")
    again = httpx.get(
        f"{live_app.url}/public/acme.png", headers={"If-None-Match": logo.headers["etag"]}
    )
    assert again.status_code == 304
    assert httpx.get(f"{live_app.url}/public/nope.png").status_code == 404

    too_big = httpx.post(
        f"{live_app.url}/_upload",
        content=b"x" * 10,  # refused before the body: a large one would meet a closed socket
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert too_big.status_code == 400  # no handler named: refused before the body
