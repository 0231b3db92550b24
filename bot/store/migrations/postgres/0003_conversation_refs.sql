-- Conversation references for proactive messages (Teams: the security channel, personal chats).
-- `ref` is the platform's reference as JSON (for Teams a serialized ConversationReference).
CREATE TABLE conversation_refs (
    key TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    ref TEXT NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
