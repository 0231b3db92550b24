"""What the retention purge (Store.purge_expired) recognises, shared by both backends and the core."""

from __future__ import annotations

# Conversation-state keys holding a question as typed, while the offer to forward it stands.
RAW_QUESTION_KEYS = ("last_question_raw", "last_question_until")
# Conversation references that identify a person (kept only for the retention period).
PERSONAL_REF_PREFIX = "teams:user:"
