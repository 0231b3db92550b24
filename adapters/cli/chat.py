"""`secbot chat`: the terminal front end (adapters/console)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from adapters.cli.common import common_options

    parser = subparsers.add_parser("chat", parents=[common_options()], help="chat with secbot in the terminal",
                                   description="Interactive chat with the real bot and the shipped knowledge base.")
    parser.add_argument("--user", default=None, help="your user name (default: your login name)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from adapters.cli.common import settings_from
    from adapters.console.chat import run_chat

    return run_chat(settings_from(args), user=args.user)
