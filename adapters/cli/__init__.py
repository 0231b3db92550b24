"""The `secbot` command line. Each subcommand lives in its own module with a `register`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from adapters.cli.common import EXIT_PROBLEMS, EXIT_USAGE, CliError, store_failure
from bot import __version__
from bot.store.base import StoreError

# Subcommand modules, in help order; each has `register(subparsers)` and imports its heavy
# dependencies (slack, botbuilder, the store) only when run, to keep `secbot ask` fast.
MODULE_NAMES = ("chat", "ask", "kb", "incident_cli", "triage_cli", "serve", "teams_cli", "checkup_cli", "db_cli",
                "healthcheck", "web_cli")


def _modules() -> list:
    found = []
    for name in MODULE_NAMES:
        try:
            found.append(importlib.import_module(f"adapters.cli.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"adapters.cli.{name}":
                raise
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secbot",
        description="Security guidance and incident triage chatbot (METI guidance) for Slack, Teams and the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"secbot {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in _modules():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CliError as exc:
        print(f"secbot: {exc}", file=sys.stderr)
        return exc.code
    except StoreError as exc:  # a command that met the store outside `using_store`
        failure = store_failure(exc)
        print(f"secbot: {failure}", file=sys.stderr)
        return failure.code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


__all__ = ["main", "build_parser", "EXIT_PROBLEMS", "EXIT_USAGE"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
