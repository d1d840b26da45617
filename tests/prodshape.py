"""The production shape, started for tests and for `make run-prod`: PostgreSQL, Redis,
one `portal serve` with several workers, and Caddy in front with TLS from its local CA
(a certificate on demand for each verified brand domain, asked of the app).

The Caddyfile is deploy/Caddyfile's site set-up with ``tls internal``. Caddy listens on
port 443, as in production, of an address of its own in 127/8 (Reflex's page script
connects its websocket to port 443 whenever the page is on HTTPS): the browser maps the
test names there (``BROWSER_RULES``). Caddy's connections to the app are not kept alive
between requests, so the only lasting ones are websockets: a test can tell which worker
holds a tab (``ss``).
"""

from __future__ import annotations

import contextlib
import random
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from portal_app.devserver import Served, serve
from portal_app.settings import PROJECT_ROOT
from tests import backend, caddyserver, redisserver

LIMITS = PROJECT_ROOT / "deploy" / "body_limits.caddy"
PANEL = "panel.example.test"  # PORTAL_CONTROL_HOSTS
BRAND = "good.example.test"  # the demo's acme brand moves here: the test DNS has its CNAME
CADDYFILE = """\
{{
	admin off
	skip_install_trust
	default_bind {address}
	auto_https disable_redirects
	storage file_system {storage}
	on_demand_tls {{
		ask http://127.0.0.2:{app_port}/api/tls/ask
	}}
}}

(portal_app) {{
	encode zstd gzip
	respond /api/tls/ask 404
	import {limits}
	reverse_proxy 127.0.0.1:{app_port} {{
		transport http {{
			keepalive off
		}}
	}}
}}

https://{panel} {{
	tls internal
	import portal_app
}}

https:// {{
	tls internal {{
		on_demand
	}}
	import portal_app
}}
"""


@dataclass
class Shape:
    served: Served
    address: str  # Caddy's, port 443
    redis_url: str
    url: str = f"https://{PANEL}"  # the control panel through Caddy

    @property
    def browser_rules(self) -> str:
        """Chromium's --host-resolver-rules: the test names reach this Caddy."""
        return f"MAP *.example.test {self.address}"

    @property
    def app_port(self) -> int:
        return urlsplit(self.served.url).port

    def brand_url(self, host: str = BRAND) -> str:
        return f"https://{host}"

    def workers(self) -> list[int]:
        """The pids of the app's worker processes (children of Granian's supervisor)."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.served.proc.pid)], capture_output=True, text=True
        ).stdout
        return sorted(int(pid) for pid in out.split())

    def proxied(self) -> dict[int, int]:
        """Caddy's open connections to the app: Caddy's port -> the worker's pid."""
        out = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{self.app_port} )"],
            capture_output=True,
            text=True,
        ).stdout
        found = {}
        for line in out.splitlines():
            fields = line.split()
            local, peer = fields[2], fields[3]
            pid = re.search(r"pid=(\d+)", line)
            if local.startswith("127.0.0.1:") and peer.startswith("127.0.0.1:") and pid:
                found[int(peer.rsplit(":", 1)[1])] = int(pid.group(1))
        return found


@contextlib.contextmanager
def running(log: Path, workers: int = 3, **extra_env: str) -> Iterator[Shape]:
    """Start the whole shape on a fresh PostgreSQL database; Caddy on ADDRESS:443."""
    address = f"127.0.{random.randint(1, 254)}.{random.randint(2, 254)}"
    env = {
        "PORTAL_ENV": "production",
        # localhost too: the readiness check (devserver.wait_ready) asks it for /login.
        "PORTAL_CONTROL_HOSTS": f"{PANEL},localhost",
        "PORTAL_PUBLIC_SCHEME": "https",
        "PORTAL_PUBLIC_PORT": "443",
        "REFLEX_TRUSTED_PROXY_HOPS": "1",
        "GRANIAN_WORKERS": str(workers),
        **extra_env,
    }
    with redisserver.running() as redis_url:
        db_url = backend.fresh_database("prodshape")
        with serve(log, db_url, PORTAL_REDIS_URL=redis_url, **env) as served:
            engine = sa.create_engine(db_url)
            with engine.begin() as conn:
                conn.execute(
                    sa.text("UPDATE portal_domain SET host = :new WHERE host = 'acme.localhost'"),
                    {"new": BRAND},
                )
            engine.dispose()
            config = CADDYFILE.format(
                address=address,
                storage="{storage}",
                app_port=urlsplit(served.url).port,
                limits=LIMITS,
                panel=PANEL,
            )
            with caddyserver.running(config, 443, address):
                yield Shape(served, address, redis_url)


def main() -> None:
    """`make run-prod`: the shape on this machine, with demo data, until Ctrl-C."""
    import os
    import secrets
    import signal
    import tempfile

    os.environ.setdefault("PORTAL_SECRET_KEY", secrets.token_urlsafe(48))
    log = Path(tempfile.mkdtemp(prefix="portal-prod-")) / "server.log"
    print(f"Starting PostgreSQL, Redis, 3 workers and Caddy (app log: {log}) …", flush=True)
    try:
        with running(log) as shape:
            print(f"\nControl panel:   {shape.url}/   (admin@example.com / admin-password-1)")
            print(f"Brand portal:    {shape.brand_url()}/portal/login")
            print(f"Names: *.example.test must reach {shape.address}, e.g. chromium ")
            print(f"  --host-resolver-rules='{shape.browser_rules}'")
            print(f"Workers (pids):  {shape.workers()}   Redis: {shape.redis_url}")
            print("TLS is from Caddy's local CA: accept the browser's warning. Ctrl-C stops.")
            stop = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, stop)
            signal.sigwait(stop)
    finally:
        backend.stop()


if __name__ == "__main__":
    main()
