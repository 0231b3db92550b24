"""A released delivery claim can be claimed again; the readiness write works on a healthy store;
text a driver cannot take is a StoreError, never the driver's own exception."""

from __future__ import annotations

import pytest

from bot.store.base import Store, StoreError


async def test_a_released_claim_lets_the_identical_retry_through(store: Store) -> None:
    assert await store.claim_delivery("slack:view:V1:abc") is True
    assert await store.claim_delivery("slack:view:V1:abc") is False
    await store.release_delivery("slack:view:V1:abc")
    assert await store.claim_delivery("slack:view:V1:abc") is True
    assert await store.claim_delivery("slack:view:V1:abc") is False


async def test_the_write_probe_succeeds_again_and_again(store: Store) -> None:
    for _ in range(3):
        await store.check_writable()
    assert await store.claim_delivery("slack:Ev1") is True  # the probe row is not in anyone's way


async def test_text_the_driver_refuses_is_a_store_error(store: Store) -> None:
    for text in ("lone surrogate \udc80", "nul \x00" if "postgres" in store.url else "\ud800"):
        with pytest.raises(StoreError):
            await store.record_question(platform="cli", lang="en", text=text, band="unknown", intent=None, score=None)
    assert await store.list_questions() == []
