"""`secbot db migrate`: bring the database schema up to date (SQLite or PostgreSQL) and show it."""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from adapters.cli.common import common_options, settings_from, store_failure
from bot.models import JST


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "db", help="database maintenance (migrations)",
        description="Database maintenance. The database is $SECBOT_DATABASE_URL (or --database-url): "
                    "sqlite:///PATH or postgresql://USER@HOST:PORT/DB.")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION")
    actions.required = True
    migrate = actions.add_parser(
        "migrate", parents=[common_options()], help="apply pending schema migrations and list the applied ones",
        description="Apply every pending schema migration, then print the applied versions. Safe to run any "
                    "number of times and while other replicas start (PostgreSQL serializes it with an advisory "
                    "lock). secbot also migrates on start, so this is for deploy pipelines and checks.")
    migrate.set_defaults(handler=run_migrate)


def run_migrate(args: argparse.Namespace) -> int:
    import asyncio

    settings = settings_from(args)
    for line in asyncio.run(migrate(settings.database_url)):
        print(line)
    return 0


async def migrate(url: str | None) -> list[str]:
    """Open (which migrates) and describe the schema; lines to print."""
    from bot.store.base import StoreError, default_database_url, open_store, redact_url

    url = url or default_database_url()
    started = time.time()
    try:
        store = open_store(url)
        await store.open()
    except StoreError as exc:
        raise store_failure(exc) from None
    try:
        versions = await applied_versions(store)
    except StoreError as exc:
        raise store_failure(exc) from None
    finally:
        await store.close()
    applied_now = set(getattr(store, "applied_now", None) or [v for v, _, at in versions if at >= started])
    lines = [f"database: {redact_url(url)}"]
    for version, name, at in versions:
        when = "applied now" if version in applied_now else \
            f"applied {datetime.fromtimestamp(at, JST).strftime('%Y-%m-%d %H:%M:%S %Z')}"
        lines.append(f"  {version:04d} {name:<24} {when}")
    latest = max((v for v, _, _ in versions), default=0)
    lines.append(f"{len(applied_now)} migration(s) applied now; schema at version {latest:04d} "
                 f"({len(versions)} applied)")
    return lines


async def applied_versions(store: object) -> list[tuple[int, str, float]]:
    """(version, name, applied_at) from the store's schema_version table, in order."""
    schema_versions = getattr(store, "schema_versions", None)
    if schema_versions is not None:
        return list(await schema_versions())
    rows = await store.fetchall("SELECT version, name, applied_at FROM schema_version ORDER BY version")  # type: ignore[attr-defined]
    return [(int(row[0]), str(row[1]), float(row[2])) for row in rows]
