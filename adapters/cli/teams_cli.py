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

from adapters.cli.common import EXIT_USAGE, CliError
from bot import __version__

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
