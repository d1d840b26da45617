"""`portal serve` reuses the last production build of the SPA when nothing that goes into
it has changed.

Every ``reflex run --env prod`` compiles the pages to JavaScript (6-10 s here) and runs
Vite over the result (7-16 s), even when it restarts the same app on the same port. Two
checks, each exact for what it skips:

- The Vite build is skipped when the files Reflex's compile wrote into ``.web`` are
  byte-for-byte those the last build was made from (``.web/build`` holds their digest).
- The compile is skipped too when, besides that, the sources are unchanged: every file of
  ``portal_app/`` and ``assets/``, ``rxconfig.py``, the locked dependencies, the Reflex
  version, the command line and the environment. Connection URLs and variables whose
  names say they hold a secret are left out of the digest: the compiled pages never
  contain them (no secret enters client state), so setting or changing one (a restart
  onto Redis, a rotated key) does not compile again; nor does Granian's number of workers.

A failed build leaves no digest (Reflex empties ``.web/build`` first), so the next start
builds again; so does one after ``make clean`` (or removing ``.web/build``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

STAMP = ".portal-build-inputs.json"
# Written by the build itself (React Router's types, the last-run time), not read by it.
_WEB_OUTPUTS = frozenset({"build", "node_modules", ".react-router", "reflex.json"})
_SOURCES = ("portal_app", "assets", "rxconfig.py", "pyproject.toml", "requirements.lock")
# Secrets and connection URLs, and Granian's process settings (workers, threads).
_UNHASHED = re.compile(r"SECRET|PASSWORD|TOKEN|KEY|_URL$|^GRANIAN_")


def _files(root: Path, entries: Iterable[Path], skip: frozenset[str]) -> Iterable[Path]:
    """Every file of ``entries`` but caches and the top-level names in ``skip``."""
    for entry in entries:
        if entry.is_file():
            yield entry
        elif entry.is_dir():
            for path in sorted(entry.rglob("*")):
                rel = path.relative_to(root).parts
                if path.is_file() and "__pycache__" not in rel and rel[0] not in skip:
                    yield path


def _digest(
    root: Path, entries: Iterable[Path], extra: str = "", skip: frozenset[str] = frozenset()
) -> str:
    digest = hashlib.sha256(extra.encode())
    for path in _files(root, entries, skip):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def web_digest(web: Path) -> str:
    """The digest of what Vite builds from: ``.web`` less the build's own outputs."""
    return _digest(web, [web], skip=_WEB_OUTPUTS)


def source_digest(root: Path, argv: list[str], environ: Mapping[str, str]) -> str:
    """The digest of everything Reflex's compile reads."""
    env = {k: v for k, v in environ.items() if not _UNHASHED.search(k)}
    versions = [importlib.metadata.version(name) for name in ("reflex", "reflex-base")]
    extra = json.dumps([sorted(env.items()), argv, versions, sys.version])
    return _digest(root, [root / name for name in _SOURCES], extra)


def _saved(stamp: Path) -> dict[str, str]:
    try:
        return json.loads(stamp.read_text())
    except (OSError, ValueError):
        return {}


def install(root: Path) -> None:
    """Patch Reflex's production start (before its command line runs) to skip what is
    unchanged since the last build. Only ``run --env prod`` (what ``portal serve``
    runs) is touched: a development run compiles as Reflex does."""
    argv = sys.argv[1:]
    env = argv[argv.index("--env") + 1] if "--env" in argv[:-1] else None
    if argv[:1] != ["run"] or env != "prod":
        return
    import reflex.reflex
    from reflex.utils import build, prerequisites

    web = root / prerequisites.get_web_dir()
    stamp = web / "build" / STAMP
    saved = _saved(stamp)
    built = (web / "build" / "client" / "index.html").is_file()
    sources = source_digest(root, argv, os.environ)
    if not built:
        saved = {}
    if saved.get("sources") == sources and saved.get("web") == web_digest(web):
        print("The sources and .web are unchanged: reusing the last production build.")
        reflex.reflex._compile_app = lambda **_: None
        build.setup_frontend_prod = lambda _root: None
        return

    vite_build = build.build

    def build_if_changed() -> None:
        compiled = web_digest(web)
        if saved.get("web") == compiled:
            print("The compiled pages are unchanged: reusing the last production build.")
        else:
            vite_build()
        stamp.write_text(json.dumps({"sources": sources, "web": compiled}))

    build.build = build_if_changed
