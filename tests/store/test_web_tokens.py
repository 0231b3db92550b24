"""Invitations and login links for the web pages, on SQLite and PostgreSQL (bot/store/web_tokens.py)."""

from __future__ import annotations

import asyncio
import time

from bot.store.base import Store
from bot.store.web_tokens import WebTokens, token_hash


async def test_an_invitation_is_stored_only_as_a_hash_and_found_by_its_token(store: Store) -> None:
    tokens = WebTokens(store)
    token, invite = await tokens.create_invite(organization="ACME部品", set_id="supplier", lang="ja", expires_in=3600)
    rows = await tokens._rows("SELECT token_hash FROM web_invites")
    assert [r[0] for r in rows] == [token_hash(token)] and token not in str(rows)
    found = await tokens.find_invite(token)
    assert found is not None and found.organization == "ACME部品" and found.state() == "not_opened"
    assert await tokens.find_invite(token + "x") is None
    await tokens.mark_opened(invite.id)
    await tokens.save_draft(invite.id, {"updates": "yes"})
    again = await tokens.find_invite(token)
    assert again is not None and again.state() == "opened" and again.draft == {"updates": "yes"}


async def test_an_invitation_submits_once_even_when_two_submit_at_the_same_time(store: Store) -> None:
    tokens = WebTokens(store)
    _, invite = await tokens.create_invite(organization="A", set_id="supplier", lang="en", expires_in=3600)
    claims = await asyncio.gather(*(tokens.claim_invite(invite.id) for _ in range(5)))
    assert sorted(claims) == [False, False, False, False, True]
    await tokens.set_result(invite.id, 42)
    listed = await tokens.list_invites()
    assert listed[0].state() == "completed" and listed[0].result_id == 42 and listed[0].draft == {}


async def test_expired_and_revoked_invitations_cannot_submit(store: Store) -> None:
    tokens = WebTokens(store)
    _, old = await tokens.create_invite(organization="A", set_id="supplier", lang="en", expires_in=10,
                                        now=time.time() - 100)
    _, revoked = await tokens.create_invite(organization="B", set_id="supplier", lang="en", expires_in=3600)
    assert await tokens.revoke_invite(revoked.id)
    assert not await tokens.claim_invite(old.id) and not await tokens.claim_invite(revoked.id)
    states = {i.organization: i.state() for i in await tokens.list_invites()}
    assert states == {"A": "expired", "B": "revoked"}


async def test_a_login_link_works_once_and_a_session_until_it_expires(store: Store) -> None:
    tokens = WebTokens(store)
    link = await tokens.create_login("U_ADMIN")
    assert await tokens.login_user(link) == "U_ADMIN" and await tokens.login_user("made-up") is None
    assert await tokens.login_user(link) == "U_ADMIN"  # looking does not use it up
    assert await tokens.use_login(link) == "U_ADMIN"
    assert await tokens.use_login(link) is None and await tokens.login_user(link) is None
    session = await tokens.create_login("U_ADMIN", kind="session", seconds=60)
    assert await tokens.session_user(session) == "U_ADMIN"
    assert await tokens.use_login(session) is None  # a session cookie is no login link
    assert await tokens.session_user(session, now=time.time() + 120) is None
