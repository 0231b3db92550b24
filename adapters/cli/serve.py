"""`secbot serve slack | teams | both`: run secbot as a chat app until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from adapters.cli.common import (
    EXIT_USAGE,
    CliError,
    common_options,
    import_extra,
    knowledge_failure,
    settings_from,
    store_failure,
)
from bot.settings import Settings

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run secbot as a Slack, Teams or web app",
                                   description="Run secbot as a Slack or Teams app, or the web pages. Configuration comes from the environment.")
    platforms = parser.add_subparsers(dest="platform", metavar="PLATFORM")
    platforms.required = True

    slack = platforms.add_parser(
        "slack", parents=[common_options()], help="serve the Slack app (Events API over HTTP, or Socket Mode)",
        description="Serve the Slack app: /slack/events for events, slash commands and interactivity; /healthz; "
                    "/readyz and /metrics on the operator port (SECBOT_OPS_HOST:SECBOT_OPS_PORT, default "
                    "127.0.0.1:9464). Needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP) or "
                    "SLACK_APP_TOKEN (--socket), and SECBOT_SECURITY_CHANNEL; optional SECBOT_DATABASE_URL and "
                    "SECBOT_SLACK_API_URL.")
    slack.add_argument("--host", default="0.0.0.0", help="address to listen on (default: 0.0.0.0)")
    slack.add_argument("--port", type=int, default=3000, help="port to listen on (default: 3000; 0 picks a free one)")
    slack.add_argument("--socket", action="store_true",
                       help="connect with Socket Mode (SLACK_APP_TOKEN) instead of receiving HTTP requests")
    slack.set_defaults(handler=lambda args: run(args, slack=True))

    teams = platforms.add_parser(
        "teams", parents=[common_options()], help="serve the Microsoft Teams bot (Bot Framework over HTTP)",
        description="Serve the Teams bot: /api/messages for the Bot Framework; /healthz; /readyz and /metrics on "
                    "the operator port (SECBOT_OPS_HOST:SECBOT_OPS_PORT, default 127.0.0.1:9464). Needs "
                    "MicrosoftAppId, MicrosoftAppPassword (and MicrosoftAppTenantId, "
                    "MicrosoftAppType=SingleTenant for a single-tenant bot) and SECBOT_TEAMS_SECURITY_CHANNEL; "
                    "optional SECBOT_DATABASE_URL. Without MicrosoftAppId it runs in local mode: no "
                    "authentication, loopback only.")
    teams.add_argument("--host", default=None,
                       help="address to listen on (default: 0.0.0.0 with an app id, 127.0.0.1 in local mode)")
    teams.add_argument("--port", type=int, default=3978, help="port to listen on (default: 3978; 0 picks a free one)")
    teams.set_defaults(handler=lambda args: run(args, teams=True))

    both = platforms.add_parser("both", parents=[common_options()], help="serve Slack and Teams from one process",
                                description="Serve the Slack app and the Teams bot from one process, sharing one "
                                            "database and knowledge base.")
    both.add_argument("--host", default=None, help="address to listen on (default as for each platform)")
    both.add_argument("--slack-port", type=int, default=3000)
    both.add_argument("--teams-port", type=int, default=3978)
    both.set_defaults(handler=lambda args: run(args, slack=True, teams=True))


def _check_port(port: int | None) -> int:
    if port is None or not 0 <= port <= 65535:
        raise CliError(f"port must be between 0 and 65535, not {port}", EXIT_USAGE)
    return port


def run(args: argparse.Namespace, *, slack: bool = False, teams: bool = False) -> int:
    from bot.logs import configure_logging

    settings = settings_from(args)
    front_ends = []
    if slack:
        slack_front_end = import_extra("adapters.slack.run", "slack").slack_front_end
        slack_port = _check_port(getattr(args, "slack_port", None) if teams else args.port)
        front_ends.append(("slack", lambda bot: slack_front_end(bot, settings, host=args.host or "0.0.0.0", port=slack_port,
                                                                socket_mode=getattr(args, "socket", False)),
                           _slack_problems(settings, getattr(args, "socket", False))))
    if teams:
        teams_server = import_extra("adapters.teams.server", "teams")
        teams_front_end, teams_problems = teams_server.teams_front_end, teams_server.teams_problems
        # Its own name: the lambdas run later, and must not see the other front end's port.
        teams_port = _check_port(getattr(args, "teams_port", None) if slack else args.port)
        host = args.host or ("127.0.0.1" if not settings.microsoft_app_id else "0.0.0.0")
        front_ends.append(("teams", lambda bot: teams_front_end(bot, settings, host=host, port=teams_port),
                           teams_problems(settings, host)))
    if not 0 <= settings.ops_port <= 65535:
        raise CliError("SECBOT_OPS_PORT must be a port number between 0 and 65535", EXIT_USAGE)
    problems = [p for _, _, found in front_ends for p in found]
    if problems:
        raise CliError("cannot start: " + "; ".join(problems), EXIT_USAGE)
    configure_logging(settings.log_level)
    try:
        asyncio.run(_serve(settings, [make for _, make, _ in front_ends]))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the port is taken, the address does not exist...
        raise CliError(f"cannot listen: {exc.strerror or exc}") from None
    return 0


def _slack_problems(settings: Settings, socket_mode: bool) -> list[str]:
    missing = import_extra("adapters.slack.app", "slack").missing_settings(settings, socket_mode=socket_mode)
    return [f"missing environment variable(s) for Slack: {', '.join(missing)} (see docs/slack.md)"] if missing else []


async def _serve(settings: Settings, makers: Sequence[Any]) -> None:
    from bot.knowledge_base import KnowledgeError
    from bot.ops_http import ops_front_end
    from bot.service import run_service
    from bot.store.base import StoreError
    from intents.assemble import create_bot

    try:
        bot = await create_bot(settings)
    except KnowledgeError as exc:
        raise knowledge_failure(exc) from None
    except StoreError as exc:
        raise store_failure(exc) from None
    await run_service(bot, settings, [ops_front_end(bot, settings), *(make(bot) for make in makers)])
