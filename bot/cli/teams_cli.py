"""`secbot teams package`: the Teams app package (manifest.json + icons) to sideload or upload."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from bot import __version__
from bot.cli.common import EXIT_USAGE, CliError

log = logging.getLogger("adapters.teams")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
PACKAGE_FILES = ("manifest.json", "color.png", "outline.png")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("teams", help="Microsoft Teams tools (the app package)",
                                   description="Microsoft Teams tools.")
    commands = parser.add_subparsers(dest="teams_command", metavar="COMMAND")
    commands.required = True
    package = commands.add_parser(
        "package", help="build the Teams app package (zip) to upload or sideload",
        description="Build the Teams app package: manifest.json, color.png and outline.png at the root of a zip. "
                    "The bot id is MicrosoftAppId (or --app-id).")
    package.add_argument("--out", metavar="FILE", type=Path, default=Path("secbot-teams.zip"),
                         help="where to write the zip (default: ./secbot-teams.zip)")
    package.add_argument("--app-id", metavar="GUID", help="the bot's Microsoft App ID (default: $MicrosoftAppId)")
    package.add_argument("--app-version", metavar="X.Y.Z", default=None,
                         help=f"the app version shown in Teams (default: secbot's, {__version__}); "
                              "raise it for every upload that changes the manifest")
    package.set_defaults(handler=run_package)


def manifest_folder() -> Any:
    return resources.files("adapters.teams") / "manifest"


def build_manifest(app_id: str, version: str) -> dict[str, Any]:
    manifest = json.loads((manifest_folder() / "manifest.json").read_text(encoding="utf-8"))
    manifest["id"] = app_id
    manifest["version"] = version
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    return manifest


def write_package(out: Path, app_id: str, version: str) -> None:
    manifest = build_manifest(app_id, version)
    folder = manifest_folder()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        for name in PACKAGE_FILES[1:]:
            archive.writestr(name, (folder / name).read_bytes())
    tmp.replace(out)


def run_package(args: argparse.Namespace) -> int:
    app_id = (args.app_id or os.environ.get("MicrosoftAppId") or "").strip()
    if not app_id:
        raise CliError("no bot id: set MicrosoftAppId or pass --app-id GUID (the Azure Bot's Microsoft App ID)",
                       EXIT_USAGE)
    if not GUID.match(app_id):
        raise CliError(f"{app_id!r} is not a Microsoft App ID (a GUID like 1b2c3d4e-...)", EXIT_USAGE)
    version = args.app_version or __version__
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise CliError(f"--app-version must look like 1.2.3, not {version!r}", EXIT_USAGE)
    try:
        write_package(args.out, app_id.lower(), version)
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {args.out} (bot {app_id.lower()}, version {version}): upload it in Teams > Apps > "
          "Manage your apps > Upload an app")
    return 0


# -- `secbot serve teams` (registered by bot/cli/serve.py) ----------------------------------------
def register_serve_teams(platforms: argparse._SubParsersAction) -> None:
    from bot.cli.common import common_options  # noqa: PLC0415

    teams = platforms.add_parser(
        "teams", parents=[common_options()], help="serve the Microsoft Teams bot (Bot Framework over HTTP)",
        description="Serve the Teams bot: /api/messages for the Bot Framework, /healthz for probes. Needs "
                    "MicrosoftAppId, MicrosoftAppPassword (and MicrosoftAppTenantId, MicrosoftAppType=SingleTenant "
                    "for a single-tenant bot) and SECBOT_TEAMS_SECURITY_CHANNEL; optional SECBOT_DATABASE_URL. "
                    "Without MicrosoftAppId it runs in local mode: no authentication, loopback only.")
    teams.add_argument("--host", default=None,
                       help="address to listen on (default: 0.0.0.0 with an app id, 127.0.0.1 in local mode)")
    teams.add_argument("--port", type=int, default=3978, help="port to listen on (default: 3978; 0 picks a free one)")
    teams.set_defaults(handler=run_serve_teams)


def run_serve_teams(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415

    from adapters.teams.server import is_loopback  # noqa: PLC0415
    from bot.cli.common import settings_from  # noqa: PLC0415

    settings = settings_from(args)
    local = not settings.microsoft_app_id
    host = args.host or ("127.0.0.1" if local else "0.0.0.0")
    if local and not is_loopback(host):
        raise CliError(f"refusing to listen on {host}: MicrosoftAppId is not set, so Bot Framework authentication "
                       "is off (local mode); use --host 127.0.0.1, or set MicrosoftAppId and MicrosoftAppPassword",
                       EXIT_USAGE)
    if not local and not settings.microsoft_app_password and settings.microsoft_app_type.lower() != "userassignedmsi":
        raise CliError("MicrosoftAppId is set but MicrosoftAppPassword is not (see docs/teams.md)", EXIT_USAGE)
    if settings.microsoft_app_type.lower() == "singletenant" and not settings.microsoft_app_tenant_id:
        raise CliError("MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId", EXIT_USAGE)
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, not {args.port}", EXIT_USAGE)
    logging.getLogger().setLevel(settings.log_level if settings.log_level in logging._nameToLevel else "INFO")
    logging.getLogger("adapters.teams").setLevel(logging.INFO)
    try:
        asyncio.run(_serve_teams(settings, host, args.port))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{args.port}: {exc.strerror or exc}") from None
    return 0


async def _serve_teams(settings: Any, host: str, port: int) -> None:
    from adapters.teams.app import build_teams_app  # noqa: PLC0415
    from adapters.teams.server import run  # noqa: PLC0415
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
        if not settings.teams_security_channel:
            log.warning("SECBOT_TEAMS_SECURITY_CHANNEL is not set: incident notifications cannot be delivered")
        await run(build_teams_app(bot, settings), host, port)
    finally:
        await bot.store.close()

