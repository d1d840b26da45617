"""A start skips Reflex's compile and Vite's build only when their inputs are unchanged
(portal_app/build_reuse.py), on a project tree of its own in a temporary directory.

Reflex's own compile and Vite's build are replaced here (they would build this repository's
app); build_reuse's decisions run as they do in `portal serve`."""

from __future__ import annotations

import json

import pytest
import reflex.reflex
from reflex.utils import build

from portal_app import build_reuse


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "portal_app").mkdir()
    (tmp_path / "portal_app" / "page.py").write_text("TITLE = 'Customers'\n")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "theme.css").write_text("body { color: black; }\n")
    (tmp_path / "rxconfig.py").write_text("config = None\n")
    web = tmp_path / ".web"
    (web / "app" / "routes").mkdir(parents=True)
    (web / "app" / "routes" / "customers.jsx").write_text("export default 1;\n")
    (web / "env.json").write_text('{"EVENT": "ws://localhost:3000/_event"}')
    return tmp_path


class Reflex:
    """Stand-ins for Reflex's compile and Vite's build: they count their calls, and the
    build writes what a build leaves (Reflex empties .web/build first)."""

    def __init__(self, monkeypatch, root):
        self.compiles = self.builds = 0
        self.root = root
        monkeypatch.chdir(root)

    def _compile(self, **_):
        self.compiles += 1

    def _setup(self, _root):
        build.build()  # as Reflex's setup_frontend_prod calls its module's build()

    def _build(self):
        self.builds += 1
        out = self.root / ".web" / "build"
        if out.exists():
            for path in sorted(out.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
        (out / "client").mkdir(parents=True)
        (out / "client" / "index.html").write_text("<html></html>")

    def start(self, argv=("run", "--env", "prod"), environ=None):
        """One `reflex run` start (a new process): build_reuse's patch, then Reflex's
        production steps."""
        env = {"PORTAL_PORT": "3000"} if environ is None else environ
        with pytest.MonkeyPatch.context() as scoped:
            scoped.setattr(reflex.reflex, "_compile_app", self._compile)
            scoped.setattr(build, "setup_frontend_prod", self._setup)
            scoped.setattr(build, "build", self._build)
            scoped.setattr("sys.argv", ["reflex", *argv])
            scoped.setattr("os.environ", env)
            build_reuse.install(self.root)
            reflex.reflex._compile_app(avoid_dirty_check=False)
            build.setup_frontend_prod(self.root)


def test_a_restart_with_nothing_changed_reuses_the_build(monkeypatch, project):
    app = Reflex(monkeypatch, project)
    app.start()
    assert (app.compiles, app.builds) == (1, 1)  # the first start builds
    stamp = json.loads((project / ".web" / "build" / build_reuse.STAMP).read_text())
    assert set(stamp) == {"sources", "web"}

    app.start()
    app.start()
    assert (app.compiles, app.builds) == (1, 1)


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / "portal_app" / "page.py").write_text("TITLE = 'Clients'\n"),
        lambda root: (root / "assets" / "theme.css").write_text("body { color: navy; }\n"),
        lambda root: (root / "portal_app" / "new_page.py").write_text("X = 1\n"),
        lambda root: (root / "rxconfig.py").write_text("config = 1\n"),
    ],
    ids=["page", "stylesheet", "new-file", "rxconfig"],
)
def test_a_changed_source_compiles_again(monkeypatch, project, change):
    app = Reflex(monkeypatch, project)
    app.start()
    change(project)
    app.start()
    # The compile ran again; these stand-ins write the same .web, so Vite is skipped.
    assert (app.compiles, app.builds) == (2, 1)


def test_changed_compiled_pages_are_built_again(monkeypatch, project):
    app = Reflex(monkeypatch, project)
    app.start()
    (project / ".web" / "env.json").write_text('{"EVENT": "ws://localhost:3001/_event"}')
    app.start(environ={"PORTAL_PORT": "3001"})
    assert (app.compiles, app.builds) == (2, 2)


def test_the_environment_counts_but_not_secrets_urls_or_worker_counts(monkeypatch, project):
    app = Reflex(monkeypatch, project)
    base = {"PORTAL_PORT": "3000", "PORTAL_SECRET_KEY": "a" * 40}
    app.start(environ=base)
    app.start(environ=base | {"PORTAL_SECRET_KEY": "b" * 40})
    app.start(environ=base | {"PORTAL_REDIS_URL": "redis://:pw@localhost:6379/0"})
    app.start(environ=base | {"PORTAL_DATABASE_URL": "postgresql://u:pw@db/portal"})
    app.start(environ=base | {"GRANIAN_WORKERS": "3"})
    assert app.compiles == 1
    app.start(environ=base | {"PORTAL_CNAME_TARGET": "portal.example.net"})
    assert app.compiles == 2
    app.start(argv=("run", "--env", "prod", "--frontend-port", "3001"), environ=base)
    assert app.compiles == 3


def test_a_missing_or_failed_build_is_built_again(monkeypatch, project):
    app = Reflex(monkeypatch, project)
    app.start()
    (project / ".web" / "build" / "client" / "index.html").unlink()  # a build that failed
    app.start()
    assert (app.compiles, app.builds) == (2, 2)
    (project / ".web" / "build" / build_reuse.STAMP).unlink()
    app.start()
    assert (app.compiles, app.builds) == (3, 3)


def test_the_builds_own_outputs_do_not_count(project):
    web = project / ".web"
    before = build_reuse.web_digest(web)
    for rel in ("build/client/x.js", "node_modules/a/index.js", ".react-router/types.ts"):
        (web / rel).parent.mkdir(parents=True, exist_ok=True)
        (web / rel).write_text("generated")
    (web / "reflex.json").write_text('{"last_run": 1}')
    assert build_reuse.web_digest(web) == before
    (web / "app" / "routes" / "customers.jsx").write_text("export default 2;\n")
    assert build_reuse.web_digest(web) != before


def test_only_a_production_run_is_touched(monkeypatch, project):
    app = Reflex(monkeypatch, project)
    app.start()
    for argv in (("run",), ("run", "--env", "dev"), ("export",), ("run", "--env")):
        app.start(argv=argv)
    assert (app.compiles, app.builds) == (5, 1 + 4)  # every one compiled and built as Reflex
