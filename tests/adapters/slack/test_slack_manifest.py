"""manifest.yaml declares what the adapter relies on."""

from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yaml"


def test_manifest_declares_the_command_events_interactivity_and_scopes() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/incident", "/checkup", "/answer", "/secbot"}  # triage, self-assessment, expert answers, admin
    assert all(c["url"].endswith("/slack/events") for c in commands.values())
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {"app_mentions:read", "chat:write", "commands", "im:history"}
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # results arrive by DM
