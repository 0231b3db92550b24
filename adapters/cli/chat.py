"""`secbot chat`: the terminal front end (adapters/console)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from adapters.cli.common import common_options  # noqa: PLC0415

    parser = subparsers.add_parser("chat", parents=[common_options()], help="chat with secbot in the terminal",
                                   description="Interactive chat with the real bot and the shipped knowledge base.")
    parser.add_argument("--user", default=None, help="your user name (default: your login name)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from adapters.cli.common import settings_from  # noqa: PLC0415
    from adapters.console.chat import run_chat  # noqa: PLC0415

    return run_chat(settings_from(args), user=args.user)
