"""What the retention purge (Store.purge_expired) recognises, shared by both backends and the core."""

from __future__ import annotations

# How long a question is kept as typed so that the user can forward it to the security team
# ("ask the security team" under an unknown answer, or after "none of these"). Only the clicks
# that lead there keep it; anything else the user does drops it (intents/qa.py), and the
# retention purge removes it from conversations left idle longer than this.
OFFER_SECONDS = 3600
# Conversation-state keys holding a question as typed, while the offer to forward it stands.
RAW_QUESTION_KEYS = ("last_question_raw", "last_question_until")
# Conversation references that identify a person (kept only for the retention period) have keys
# "<platform>:user:<user id>", the platform being the one they are saved with.
PERSONAL_REF_KIND = "user"


def personal_ref_key(platform: str, user_id: str) -> str:
    """The key of a person's conversation reference, which the retention purge removes."""
    return f"{platform}:{PERSONAL_REF_KIND}:{user_id}"
