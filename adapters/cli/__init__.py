"""The `secbot` command line. Each subcommand lives in its own module with a `register`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from adapters.cli.common import EXIT_PROBLEMS, EXIT_USAGE, CliError, common_options, store_failure
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
    # --knowledge / --database-url before the command too: kept apart (a subcommand's own default
    # None would overwrite them) and handed to the command in `_global_options`.
    for option in common_options()._actions:
        if option.option_strings:
            parser.add_argument(*option.option_strings, dest=f"global_{option.dest}", metavar=option.metavar,
                                help=f"{option.help}; before or after the command")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in _modules():
        module.register(subparsers)
    return parser


def _global_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """`secbot --knowledge DIR ask ...` is `secbot ask --knowledge DIR ...`; after the command wins.
    A command that uses no knowledge or database (healthcheck, kb init, teams package) refuses them."""
    for name in ("knowledge", "database_url"):
        given = getattr(args, f"global_{name}")
        if given is None:
            continue
        if not hasattr(args, name):
            flag = "--" + name.replace("_", "-")
            parser.error(f"{flag} is not used by `secbot {args.command}`")
        if getattr(args, name) is None:
            setattr(args, name, given)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    _global_options(parser, args)
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
