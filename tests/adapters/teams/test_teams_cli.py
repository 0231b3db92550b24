"""`secbot serve teams` as a real process, and `secbot teams package`."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
import urllib.request
import zipfile
import zlib
from pathlib import Path

import pytest

from adapters.cli import main

REPO = Path(__file__).resolve().parents[3]
APP_ID = "1b2c3d4e-0000-4000-8000-000000000001"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "SECBOT_")) or k == "SECBOT_CACHE_DIR"}
    env.update({"SECBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "PYTHONUNBUFFERED": "1",
                "SECBOT_OPS_PORT": "0", **extra})
    return env


def test_serve_teams_runs_in_local_mode_and_answers_healthz(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve", "teams", "--port", "0"], cwd=REPO,
                               env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if "listening on" in line or not line:
                break
        match = re.search(r"http://(127\.0\.0\.1:\d+)/api/messages", line)
        assert match, f"no address in {line!r}; stderr: {process.stderr.read() if process.poll() is not None else ''}"
        assert "local mode" in line
        with urllib.request.urlopen(f"http://{match.group(1)}/healthz", timeout=10) as response:
            assert json.load(response) == {"status": "ok", "service": "secbot-teams", "mode": "local"}
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "LOCAL MODE" in process.stderr.read()


def test_serve_teams_without_an_app_id_refuses_a_public_address(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "adapters.cli", "serve", "teams", "--host", "0.0.0.0", "--port", "0"],
                            cwd=REPO, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0" in result.stderr and "MicrosoftAppId" in result.stderr
    assert "Traceback" not in result.stderr


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _rgba_pixels(data: bytes) -> list[tuple[int, int, int, int]]:
    """Pixels of the 8-bit RGBA, unfiltered PNGs make_icons.py writes."""
    width, height = _png_size(data)
    offset, chunks = 8, b""
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if kind == b"IDAT":
            chunks += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    raw = zlib.decompress(chunks)
    stride = width * 4 + 1
    return [tuple(raw[row * stride + 1 + col * 4: row * stride + 5 + col * 4])  # type: ignore[misc]
            for row in range(height) for col in range(width)]


def test_teams_package_builds_an_uploadable_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "secbot-teams.zip"
    assert main(["teams", "package", "--out", str(out), "--app-id", APP_ID]) == 0
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]  # at the root
        manifest = json.loads(archive.read("manifest.json"))
        color, outline = archive.read("color.png"), archive.read("outline.png")
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["$schema"].startswith("https://developer.microsoft.com/json-schemas/teams/v1.")
    assert manifest["$schema"].endswith(f"/v{manifest['manifestVersion']}/MicrosoftTeams.schema.json")
    assert tuple(int(p) for p in manifest["manifestVersion"].split(".")) >= (1, 17)
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert all(manifest["developer"][k].startswith("https://") for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", manifest["accentColor"])
    bot = manifest["bots"][0]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    (commands,) = bot["commandLists"]
    titles = [c["title"] for c in commands["commands"]]
    assert "incident" in titles and "help" in titles and len(titles) <= 10
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands["commands"])
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert _png_size(color) == (192, 192)
    assert _png_size(outline) == (32, 32)
    # Teams' rule for the outline icon: white on a transparent background, nothing else.
    pixels = _rgba_pixels(outline)
    assert all(a == 0 or (r, g, b, a) == (255, 255, 255, 255) for r, g, b, a in pixels)
    assert any(a == 0 for *_, a in pixels) and any(a == 255 for *_, a in pixels)
    assert "wrote" in capsys.readouterr().out


def test_teams_package_takes_the_app_id_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MicrosoftAppId", APP_ID.upper())
    out = tmp_path / "pkg.zip"
    assert main(["teams", "package", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        assert GUID.match(json.loads(archive.read("manifest.json"))["bots"][0]["botId"])


def test_teams_package_without_an_app_id_explains_what_to_set(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    assert main(["teams", "package", "--out", str(tmp_path / "x.zip")]) == 2
    assert "MicrosoftAppId" in capsys.readouterr().err
    assert main(["teams", "package", "--app-id", "not-a-guid", "--out", str(tmp_path / "x.zip")]) == 2
    assert not (tmp_path / "x.zip").exists()
