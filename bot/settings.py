"""One configuration object, read once from the environment.

Platform variables keep the platforms' own names (SLACK_BOT_TOKEN, MicrosoftAppId, ...);
ours start with SECBOT_. Secrets are wrapped so they never show up in a repr or a log line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from knowledge import SHIPPED_DIR


class Secret:
    """A string that prints as '***'. Call `reveal()` where the real value is needed."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _ids(value: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip())


def _hours(value: str | None, default: float) -> float:
    try:
        hours = float(value) if value else default
    except ValueError:
        return default
    return hours if hours > 0 else default


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = SHIPPED_DIR
    database_url: str | None = None  # None: SQLite file in the user's data directory
    default_lang: str = "ja"
    log_level: str = "INFO"
    form_expiry_hours: float = 24.0  # a form answered step by step (the terminal) and left unfinished
    # Slack
    slack_bot_token: Secret = field(default_factory=lambda: Secret(""))
    slack_signing_secret: Secret = field(default_factory=lambda: Secret(""))
    slack_app_token: Secret = field(default_factory=lambda: Secret(""))
    slack_api_url: str | None = None
    security_channel: str | None = None
    # Workspace (T...) and Enterprise Grid organisation (E...) ids served; empty: the bot token's own.
    slack_teams: frozenset[str] = frozenset()
    # Teams
    microsoft_app_id: str = ""
    microsoft_app_password: Secret = field(default_factory=lambda: Secret(""))
    microsoft_app_tenant_id: str = ""
    microsoft_app_type: str = "MultiTenant"
    teams_security_channel: str | None = None
    # Microsoft 365 tenant ids served; empty: MicrosoftAppTenantId for a single-tenant app, else any.
    teams_tenants: frozenset[str] = frozenset()
    # Who may run admin and responder commands (platform user ids, group ids, AAD object ids).
    admins: frozenset[str] = frozenset()
    responders: frozenset[str] = frozenset()
    question_retention_days: int = 90
    # /readyz and /metrics: their own port, on loopback unless the operator says otherwise
    # (they tell anyone who can reach them what was just reported). /healthz stays public.
    ops_host: str = "127.0.0.1"
    ops_port: int = 9464  # -1: SECBOT_OPS_PORT is not a port number (`secbot serve` says so)

    @property
    def security_channels(self) -> frozenset[str]:
        """Every front end's security channel: who posts there is a responder."""
        return frozenset(c for c in (self.security_channel, self.teams_security_channel) if c)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {
            "knowledge_dir": Path(env.get("SECBOT_KNOWLEDGE") or SHIPPED_DIR),
            "database_url": env.get("SECBOT_DATABASE_URL") or None,
            "default_lang": env.get("SECBOT_DEFAULT_LANG", "ja") if env.get("SECBOT_DEFAULT_LANG") in ("ja", "en") else "ja",
            "log_level": env.get("SECBOT_LOG_LEVEL", "INFO").upper(),
            "form_expiry_hours": _hours(env.get("SECBOT_FORM_EXPIRY_HOURS"), 24.0),
            "slack_bot_token": Secret(env.get("SLACK_BOT_TOKEN", "")),
            "slack_signing_secret": Secret(env.get("SLACK_SIGNING_SECRET", "")),
            "slack_app_token": Secret(env.get("SLACK_APP_TOKEN", "")),
            "slack_api_url": env.get("SECBOT_SLACK_API_URL") or None,
            "security_channel": env.get("SECBOT_SECURITY_CHANNEL") or None,
            "microsoft_app_id": env.get("MicrosoftAppId", ""),
            "microsoft_app_password": Secret(env.get("MicrosoftAppPassword", "")),
            "microsoft_app_tenant_id": env.get("MicrosoftAppTenantId", ""),
            "microsoft_app_type": env.get("MicrosoftAppType", "MultiTenant") or "MultiTenant",
            "teams_security_channel": env.get("SECBOT_TEAMS_SECURITY_CHANNEL") or None,
            "teams_tenants": _ids(env.get("SECBOT_TEAMS_TENANTS")),
            "slack_teams": _ids(env.get("SECBOT_SLACK_TEAMS")),
            "admins": _ids(env.get("SECBOT_ADMINS")),
            "responders": _ids(env.get("SECBOT_RESPONDERS")),
        }
        if env.get("SECBOT_OPS_HOST"):
            values["ops_host"] = env["SECBOT_OPS_HOST"]
        if env.get("SECBOT_OPS_PORT"):
            port = env["SECBOT_OPS_PORT"].strip()
            values["ops_port"] = int(port) if port.isdigit() and int(port) <= 65535 else -1
        retention = env.get("SECBOT_QUESTION_RETENTION_DAYS")
        if retention and retention.isdigit():
            values["question_retention_days"] = int(retention)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
