"""Supplier checkup invitations and admin login links for `secbot serve web`, on SQLite and PostgreSQL.

A token is 32 random bytes shown once (in the link) and stored only as its SHA-256 hash; a
lookup is by that hash, and the stored hash is compared in constant time. An invitation is for
one organisation and one checkup set, stops working when it expires or is revoked, and submits
once: `claim_invite` marks it completed in one statement, so two tabs submitting at the same
moment cannot both store a result. Tables: migrations/*/0006_web.sql.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LOGIN_SECONDS = 15 * 60  # a login link works once, within 15 minutes
SESSION_SECONDS = 8 * 3600
_INVITE_COLUMNS = ("id, token_hash, organization, set_id, lang, created_at, expires_at, opened_at, completed_at, "
                   "revoked_at, result_id, draft")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Invite:
    id: int
    token_hash: str
    organization: str
    set_id: str
    lang: str
    created_at: float
    expires_at: float
    opened_at: float | None
    completed_at: float | None
    revoked_at: float | None
    result_id: int | None
    draft: Mapping[str, str]

    def state(self, now: float | None = None) -> str:
        """not_opened | opened | completed | expired | revoked (as `secbot checkup invites` shows)."""
        now = time.time() if now is None else now
        if self.completed_at is not None:
            return "completed"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "opened" if self.opened_at is not None else "not_opened"


def _invite(row: Sequence[Any]) -> Invite:
    (id_, hash_, org, set_id, lang, created, expires, opened, completed, revoked, result_id, draft) = row
    return Invite(int(id_), hash_, org, set_id, lang, created, expires, opened, completed, revoked,
                  int(result_id) if result_id is not None else None, json.loads(draft or "{}"))


class WebTokens:
    """The web adapter's tokens over an opened store (SqliteStore or PostgresStore)."""

    def __init__(self, store: Any):
        self.store = store
        self._pg = store.url.startswith(("postgresql:", "postgres:"))  # $1 placeholders instead of ?

    def _sql(self, sql: str) -> str:
        if not self._pg:
            return sql
        parts = sql.split("?")
        return parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self.store.fetchall(self._sql(sql), params))

    # -- invitations ------------------------------------------------------------------------------
    async def create_invite(self, *, organization: str, set_id: str, lang: str, expires_in: float,
                            now: float | None = None) -> tuple[str, Invite]:
        """A new invitation; returns the token (shown once, never stored) and the record."""
        now = time.time() if now is None else now
        token = new_token()
        rows = await self._rows(
            f"INSERT INTO web_invites (token_hash, organization, set_id, lang, created_at, expires_at) "
            f"VALUES (?, ?, ?, ?, ?, ?) RETURNING {_INVITE_COLUMNS}",
            (token_hash(token), organization, set_id, lang, now, now + expires_in))
        return token, _invite(rows[0])

    async def find_invite(self, token: str) -> Invite | None:
        wanted = token_hash(token)
        rows = await self._rows(f"SELECT {_INVITE_COLUMNS} FROM web_invites WHERE token_hash = ?", (wanted,))
        if not rows or not hmac.compare_digest(rows[0][1], wanted):
            return None
        return _invite(rows[0])

    async def list_invites(self, limit: int = 1000) -> list[Invite]:
        rows = await self._rows(f"SELECT {_INVITE_COLUMNS} FROM web_invites ORDER BY created_at DESC, id DESC LIMIT ?",
                                (limit,))
        return [_invite(r) for r in rows]

    async def mark_opened(self, invite_id: int, now: float | None = None) -> None:
        await self._rows("UPDATE web_invites SET opened_at = ? WHERE id = ? AND opened_at IS NULL RETURNING id",
                         (time.time() if now is None else now, invite_id))

    async def save_draft(self, invite_id: int, draft: Mapping[str, str]) -> None:
        await self._rows("UPDATE web_invites SET draft = ? WHERE id = ? AND completed_at IS NULL RETURNING id",
                         (json.dumps(dict(draft), ensure_ascii=False), invite_id))

    async def revoke_invite(self, invite_id: int, now: float | None = None) -> bool:
        rows = await self._rows("UPDATE web_invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL "
                                "AND completed_at IS NULL RETURNING id", (time.time() if now is None else now, invite_id))
        return bool(rows)

    async def claim_invite(self, invite_id: int, now: float | None = None) -> bool:
        """Mark the invitation completed if it still may submit; False if it was used, revoked or expired."""
        now = time.time() if now is None else now
        rows = await self._rows("UPDATE web_invites SET completed_at = ? WHERE id = ? AND completed_at IS NULL "
                                "AND revoked_at IS NULL AND expires_at > ? RETURNING id", (now, invite_id, now))
        return bool(rows)

    async def release_invite(self, invite_id: int) -> None:
        """Undo a claim whose result could not be stored, so the supplier can submit again."""
        await self._rows("UPDATE web_invites SET completed_at = NULL WHERE id = ? AND result_id IS NULL RETURNING id",
                         (invite_id,))

    async def set_result(self, invite_id: int, result_id: int) -> None:
        await self._rows("UPDATE web_invites SET result_id = ?, draft = '{}' WHERE id = ? RETURNING id",
                         (result_id, invite_id))

    # -- login links and sessions -----------------------------------------------------------------
    async def create_login(self, user_id: str, *, kind: str = "login", seconds: float = LOGIN_SECONDS,
                           now: float | None = None) -> str:
        now = time.time() if now is None else now
        token = new_token()
        await self._rows("INSERT INTO web_sessions (token_hash, kind, user_id, created_at, expires_at) "
                         "VALUES (?, ?, ?, ?, ?) RETURNING token_hash", (token_hash(token), kind, user_id, now, now + seconds))
        return token

    async def use_login(self, token: str, now: float | None = None) -> str | None:
        """The user of a one-time login link, consuming it; None if unknown, used or expired."""
        now = time.time() if now is None else now
        rows = await self._rows("UPDATE web_sessions SET used_at = ? WHERE token_hash = ? AND kind = 'login' "
                                "AND used_at IS NULL AND expires_at > ? RETURNING user_id, token_hash",
                                (now, token_hash(token), now))
        return rows[0][0] if rows and hmac.compare_digest(rows[0][1], token_hash(token)) else None

    async def session_user(self, token: str, now: float | None = None) -> str | None:
        return await self._live_user(token, "session", now)

    async def login_user(self, token: str, now: float | None = None) -> str | None:
        """The user of a login link that would still work, without using it up (for the page with the button)."""
        return await self._live_user(token, "login", now)

    async def _live_user(self, token: str, kind: str, now: float | None) -> str | None:
        now = time.time() if now is None else now
        wanted = token_hash(token)
        rows = await self._rows("SELECT user_id, token_hash FROM web_sessions WHERE token_hash = ? AND kind = ? "
                                "AND used_at IS NULL AND expires_at > ?", (wanted, kind, now))
        return rows[0][0] if rows and hmac.compare_digest(rows[0][1], wanted) else None
