"""A released delivery claim can be claimed again; the readiness write works on a healthy store."""

from __future__ import annotations

from bot.store.base import Store


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
