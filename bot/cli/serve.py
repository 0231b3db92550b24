"""`secbot serve PLATFORM`: run secbot as a chat app (`serve slack`; `serve teams` joins here)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_USAGE, CliError, common_options

if TYPE_CHECKING:
    from bot.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run secbot as a Slack (or Teams) app",
                                   description="Run secbot as a chat app. Configuration comes from the environment.")
    platforms = parser.add_subparsers(dest="platform", metavar="PLATFORM")
    platforms.required = True
    register_slack(platforms)
    register_teams(platforms)


def register_teams(platforms: argparse._SubParsersAction) -> None:
    from bot.cli.teams_cli import register_serve_teams  # noqa: PLC0415 - the Teams side lives with `secbot teams`

    register_serve_teams(platforms)


def register_slack(platforms: argparse._SubParsersAction) -> None:
    slack = platforms.add_parser(
        "slack", parents=[common_options()], help="serve the Slack app (Events API over HTTP, or Socket Mode)",
        description="Serve the Slack app: /slack/events for events, slash commands and interactivity, /healthz "
                    "for probes. Needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (--socket), "
                    "and SECBOT_SECURITY_CHANNEL; optional SECBOT_DATABASE_URL and SECBOT_SLACK_API_URL.")
    slack.add_argument("--host", default="0.0.0.0", help="address to listen on (default: 0.0.0.0)")
    slack.add_argument("--port", type=int, default=3000, help="port to listen on (default: 3000; 0 picks a free one)")
    slack.add_argument("--socket", action="store_true",
                       help="connect with Socket Mode (SLACK_APP_TOKEN) instead of receiving HTTP requests")
    slack.set_defaults(handler=run_slack)


def run_slack(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415

    from adapters.slack.app import missing_settings  # noqa: PLC0415
    from adapters.slack.run import configure_logging  # noqa: PLC0415
    from bot.cli.common import settings_from  # noqa: PLC0415

    settings = settings_from(args)
    missing = missing_settings(settings, socket_mode=args.socket)
    if missing:
        raise CliError(f"cannot start the Slack app: missing environment variable(s): {', '.join(missing)} "
                       "(see docs/slack.md)", EXIT_USAGE)
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, not {args.port}", EXIT_USAGE)
    configure_logging(settings.log_level)
    try:
        asyncio.run(_serve_slack(settings, args))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the port is taken, the address does not exist...
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", 1) from None
    return 0


async def _serve_slack(settings: Settings, args: argparse.Namespace) -> None:
    from adapters.slack.run import serve  # noqa: PLC0415
    from bot.app import create_bot  # noqa: PLC0415
    from bot.cli.common import knowledge_failure, store_failure  # noqa: PLC0415
    from bot.knowledge_base import KnowledgeError  # noqa: PLC0415
    from bot.store.base import StoreError  # noqa: PLC0415

    try:
        bot = await create_bot(settings)
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    except StoreError as exc:
        raise store_failure(exc) from None
    try:
        await serve(bot, settings, host=args.host, port=args.port, socket_mode=args.socket)
    finally:
        await bot.store.close()
