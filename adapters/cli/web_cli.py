"""The web front end's commands: `secbot serve web`, `secbot checkup invite|invites|revoke`,
`secbot web login-link USER`. They hook into the `serve` and `checkup` parsers registered before
this module, so the whole web wiring stays in this one file."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.cli.common import EXIT_USAGE, CliError, common_options, output_lang, settings_from
from bot.models import JST

_DURATION = re.compile(r"^\s*(\d+)\s*([wdh]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "": 86400}


def duration(text: str) -> float:
    """"2w", "30d", "12h" or a bare number of days, as seconds. No "m": minutes or months?"""
    found = _DURATION.match(text or "")
    if not found or int(found.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: use weeks, days or hours, e.g. 2w, 30d or 12h")
    return int(found.group(1)) * _UNIT_SECONDS[found.group(2).lower()]


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def web_host(env: Mapping[str, str] | None = None) -> str:
    """Where `serve web` listens unless --host says otherwise (also what `secbot healthcheck` checks)."""
    return ((os.environ if env is None else env).get("SECBOT_WEB_HOST") or "").strip() or "127.0.0.1"


def _port(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r} (--port or SECBOT_WEB_PORT)") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.choices.get("serve")
    if serve is not None:
        web = _subcommands(serve).add_parser(
            "web", parents=[common_options()], help="serve the web pages (supplier checkups, /chat, /admin)",
            description="Serve the web pages: supplier checkups by invitation link, /chat and /admin (see docs/web.md). "
                        "Optional SECBOT_WEB_USER_HEADER (the auth proxy's user header), SECBOT_WEB_BASE_URL, "
                        "SECBOT_WEB_SECURE_COOKIES; /readyz and /metrics on the operator port as for slack and teams.")
        web.add_argument("--host", default=web_host(), help="address to listen on (default: $SECBOT_WEB_HOST or 127.0.0.1)")
        web.add_argument("--port", type=_port, default=os.environ.get("SECBOT_WEB_PORT") or "8080",
                         help="port to listen on (default: $SECBOT_WEB_PORT or 8080; 0 picks a free one)")
        web.set_defaults(handler=run_serve)
    checkup = subparsers.choices.get("checkup")
    if checkup is not None:
        commands = _subcommands(checkup)
        invite = commands.add_parser("invite", parents=[common_options()],
                                     help="make an invitation link for a supplier's checkup on the web")
        invite.add_argument("--org", required=True, help="the supplier's organisation (one link per organisation)")
        invite.add_argument("--set", dest="set_id", default="supplier", help="the checkup set (default: supplier)")
        invite.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the pages (default: ja)")
        invite.add_argument("--expires", type=duration, default=duration("30d"), metavar="DURATION",
                            help="how long the link works, in weeks, days or hours: 2w, 30d, 12h (default: 30d)")
        invite.set_defaults(handler=run_invite)
        invites = commands.add_parser("invites", parents=[common_options()], help="list invitations and their state")
        invites.add_argument("--lang", choices=("ja", "en"), default=None,
                             help="language of the column names (default: SECBOT_DEFAULT_LANG, else the locale)")
        invites.set_defaults(handler=run_invites)
        revoke = commands.add_parser("revoke", parents=[common_options()], help="stop an invitation link working")
        revoke.add_argument("invite_id", type=int, metavar="ID", help="the invitation's number (see `checkup invites`)")
        revoke.set_defaults(handler=run_revoke)
    web_cmd = subparsers.add_parser("web", help="web front end administration (login links)")
    web_commands = web_cmd.add_subparsers(dest="web_command", metavar="WEB_COMMAND")
    web_commands.required = True
    login = web_commands.add_parser("login-link", parents=[common_options()],
                                    help="print a one-time link that signs USER in to /admin (15 minutes)")
    login.add_argument("user", metavar="USER", help="the user id as in SECBOT_ADMINS / SECBOT_RESPONDERS")
    login.set_defaults(handler=run_login_link)


def _with_tokens(args: argparse.Namespace, work: Any) -> Any:
    from adapters.cli.common import using_store
    from bot.store.web_tokens import WebTokens

    return asyncio.run(using_store(settings_from(args).database_url, lambda store: work(WebTokens(store))))


def _base_url() -> str:
    from adapters.web.context import WebConfig

    return WebConfig.from_env().base_url


def run_invite(args: argparse.Namespace) -> int:
    from adapters.cli.checkup_cli import _model, _set
    from intents.checkup.scoring import clean_organization

    organization, error = clean_organization(args.org)
    if error or not organization:
        raise CliError("--org needs an organisation name of at most 200 characters", EXIT_USAGE)
    checkup = _set(_model(settings_from(args)), args.set_id)
    token, invite = _with_tokens(args, lambda t: t.create_invite(organization=organization, set_id=checkup.id,
                                                                  lang=args.lang, expires_in=args.expires))
    expires = datetime.fromtimestamp(invite.expires_at, JST).strftime("%Y-%m-%d %H:%M JST")
    print(f"{_base_url()}/checkup/i/{token}")
    print(f"invitation {invite.id} for {organization} (set {checkup.id}, {args.lang}), works once until {expires}. "
          "The link is shown only now: send it to the supplier.", file=sys.stderr)
    return 0


def run_invites(args: argparse.Namespace) -> int:
    from bot.messages import say

    lang = output_lang(args)
    invites = _with_tokens(args, lambda t: t.list_invites())
    if not invites:
        print(say("no_invites", lang))
        return 0
    now = time.time()
    print(say("invites_header", lang))
    print("|---|---|---|---|---|---|---|")
    for i in invites:
        expires = datetime.fromtimestamp(i.expires_at, JST).strftime("%Y-%m-%d %H:%M")
        org = i.organization.replace("|", "\\|")
        print(f"| {i.id} | {org} | {i.set_id} | {i.lang} | {i.state(now)} | {expires} | {i.result_id or ''} |")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    if not _with_tokens(args, lambda t: t.revoke_invite(args.invite_id)):
        raise CliError(f"invitation {args.invite_id} does not exist, or is already completed or revoked", EXIT_USAGE)
    print(f"invitation {args.invite_id} revoked: its link no longer works")
    return 0


def run_login_link(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    user = args.user.strip()
    if user not in settings.admins | settings.responders:
        raise CliError(f"{user!r} is not in SECBOT_ADMINS or SECBOT_RESPONDERS: /admin would refuse them", EXIT_USAGE)
    token = _with_tokens(args, lambda t: t.create_login(user))
    print(f"{_base_url()}/login/{token}")
    print("works once, within 15 minutes", file=sys.stderr)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from bot.logs import configure_logging

    if not 0 <= args.port <= 65535:
        raise CliError(f"port must be between 0 and 65535, not {args.port}", EXIT_USAGE)
    settings = settings_from(args)
    if not 0 <= settings.ops_port <= 65535:
        raise CliError("SECBOT_OPS_PORT must be a port number between 0 and 65535", EXIT_USAGE)
    from adapters.cli.serve import _serve
    from adapters.web.app import web_front_end
    from adapters.web.context import WebConfig

    try:
        problem = WebConfig.from_env().bind_problem(args.host)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if problem:
        raise CliError(problem, EXIT_USAGE)

    configure_logging(settings.log_level)
    try:
        asyncio.run(_serve(settings, [lambda bot: web_front_end(bot, settings, host=args.host, port=args.port)]))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        raise CliError(f"cannot listen: {exc.strerror or exc}") from None
    return 0
