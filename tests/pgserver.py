"""A throw-away PostgreSQL server (Debian's binaries) for the service tests."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator

import sqlalchemy as sa

from portal_app.devserver import free_port


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return _bin("initdb") is not None and _bin("pg_ctl") is not None


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; tests run as root in CI.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """Start a server on a free port; yields a SQLAlchemy URL to an empty database."""
    # In memory where there is /dev/shm: a throw-away server needs no disk. (It did not
    # cure the slow emptying of the state-size test's load, which was foreign-key checks
    # against unvacuumed child tables: tests/conftest.py empty_tables.)
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    tmp = tempfile.mkdtemp(prefix="portal-pg-", dir=shm)
    os.chmod(tmp, 0o777)
    data = os.path.join(tmp, "data")
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    subprocess.run(
        _as_postgres([_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres(
            [
                _bin("pg_ctl"),
                "-D",
                data,
                "-l",
                os.path.join(tmp, "log"),
                "-w",
                "start",
                "-o",
                f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        admin = sa.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        for _ in range(50):
            try:
                with admin.connect() as conn:
                    conn.execute(sa.text("CREATE DATABASE portal_test"))
                break
            except sa.exc.OperationalError:
                time.sleep(0.2)
        admin.dispose()
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/portal_test"
    finally:
        subprocess.run(
            _as_postgres([_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)
