"""The async store interface every backend implements, and the URL-based factory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.store.checkups import CheckupFigures, CheckupRecord, LatestCheckup
from bot.store.incidents import AuditEntry, IncidentRecord, TimelineEntry

PROBE_ID = "secbot:write-probe"  # the deliveries row `check_writable` rewrites (holds no user data)


class StoreError(Exception):
    """The store cannot do what was asked (unreachable, disk full, bad URL): a clear message."""


class DatabaseUrlError(StoreError):
    """The database URL itself is wrong (its scheme, a folder that does not exist): fix the setting."""


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    asked_at: float
    platform: str
    lang: str | None
    text: str  # masked: no emails, phone numbers or tokens
    band: str  # "answer" | "suggest" | "unknown"
    intent: str | None
    score: float | None


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    given_at: float
    platform: str
    user_id: str
    intent: str | None
    vote: str  # "up" | "down" | "none_of_these"
    question: str | None


@dataclass(frozen=True)
class ExpertQuestion:
    id: str  # "Q-12"
    asked_at: float
    platform: str
    user_id: str
    conversation_id: str
    lang: str
    question: str
    status: str  # "open" | "answered"
    answer: str | None = None
    answered_by: str | None = None
    answered_at: float | None = None


class Store(Protocol):
    """What the conversation core needs from storage. Every method is safe to retry."""

    url: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...

    # Conversation state (follow-ups, a triage in progress), keyed by platform:conversation:user.
    async def get_state(self, key: str) -> dict[str, Any]: ...
    async def put_state(self, key: str, state: Mapping[str, Any]) -> None: ...
    async def delete_state(self, key: str) -> None: ...

    # Questions (for gap analysis) and feedback.
    async def record_question(self, *, platform: str, lang: str | None, text: str, band: str,
                              intent: str | None, score: float | None) -> int: ...
    async def list_questions(self, *, since: float | None = None, bands: Sequence[str] | None = None,
                             limit: int = 10_000) -> list[QuestionRecord]: ...
    async def record_feedback(self, *, platform: str, user_id: str, intent: str | None, vote: str,
                              question: str | None) -> int: ...
    async def list_feedback(self, *, since: float | None = None, limit: int = 10_000) -> list[FeedbackRecord]: ...
    # Aggregates for the dashboard (issue 15): (day, band, count) with day = days since 1970-01-01
    # in the zone `utc_offset` seconds east of UTC; and (text, band, count, last asked) per distinct
    # wording, in the order each was first asked.
    async def count_questions_by_day(self, *, since: float, utc_offset: int) -> list[tuple[int, str, int]]: ...
    async def count_question_texts(self, *, since: float, bands: Sequence[str]) -> list[tuple[str, str, int, float]]: ...
    async def purge_questions(self, *, older_than: float) -> int: ...
    # Retention: delete every row that can hold user text or ids and is older than `older_than`
    # (questions, feedback, conversation state, delivery ids, forwarded questions, personal chat
    # references); drop the raw question kept for the "ask the security team" offer from states
    # untouched since `offers_older_than`. Incidents, their audit log, checkup results and the
    # security channel's reference are records, not purged. Returns the rows deleted or changed.
    async def purge_expired(self, *, older_than: float, offers_older_than: float) -> int: ...

    # "Ask the security team": forwarded questions and the responders' answers.
    async def create_expert_question(self, *, platform: str, user_id: str, conversation_id: str, lang: str,
                                     question: str) -> ExpertQuestion: ...
    async def get_expert_question(self, question_id: str) -> ExpertQuestion | None: ...
    async def answer_expert_question(self, question_id: str, *, answer: str, answered_by: str) -> ExpertQuestion | None: ...
    async def list_expert_questions(self, *, status: str | None = None, limit: int = 100, platform: str | None = None,
                                    user_id: str | None = None) -> list[ExpertQuestion]: ...

    # Delivery de-duplication: True the first time an id is claimed, False on every retry. A claim
    # whose work failed (nothing was written) is released, so the sender's identical retry is handled.
    async def claim_delivery(self, delivery_id: str) -> bool: ...
    async def release_delivery(self, delivery_id: str) -> None: ...

    # Readiness: raises StoreError unless a write can be committed right now (/readyz).
    async def check_writable(self) -> None: ...

    # Incidents (issue 3). Each write is committed before the method returns. Ids look like
    # INC-20261127-0001 (Japan date) and stay unique across processes. The audit log is
    # append-only and kept apart from the editable timeline.
    async def create_incident(self, *, reporter: str, platform: str, lang: str, answers: Mapping[str, str],
                              result: Mapping[str, Any], reporter_name: str | None = None,
                              channel: str | None = None, now: float | None = None) -> IncidentRecord: ...
    async def get_incident(self, incident_id: str) -> IncidentRecord | None: ...
    async def list_incidents(self, status: str | None = None, *, limit: int = 100) -> list[IncidentRecord]: ...
    async def list_timeline(self, incident_id: str) -> list[TimelineEntry]: ...
    async def add_note(self, incident_id: str, *, actor: str, text: str,
                       now: float | None = None) -> TimelineEntry | None: ...
    async def close_incident(self, incident_id: str, *, actor: str, note: str | None = None,
                             now: float | None = None) -> IncidentRecord | None: ...
    async def append_audit(self, actor: str, action: str, target: str | None = None,
                           details: Mapping[str, Any] | None = None) -> int: ...
    async def list_audit(self, target: str | None = None, *, limit: int = 1000) -> list[AuditEntry]: ...

    # Where to send proactive messages (a channel or a personal chat), keyed by the adapter,
    # e.g. "<platform>:channel:<channel id>"; a person's is personal_ref_key(platform, user) (kept
    # only for the retention period). `ref` is the platform's reference as a JSON object.
    async def save_conversation_ref(self, key: str, ref: Mapping[str, Any], *, platform: str) -> None: ...
    async def get_conversation_ref(self, key: str) -> dict[str, Any] | None: ...

    # Checkup results (issue 8): one row per completed /checkup, committed before returning.
    # `list_checkups` is newest first; respondent + platform select one person's own results.
    async def save_checkup(self, *, respondent: str, platform: str, organization: str, set_id: str, lang: str,
                           answers: Mapping[str, str], scores: Mapping[str, Any], respondent_name: str | None = None,
                           now: float | None = None) -> CheckupRecord: ...
    async def list_checkups(self, *, respondent: str | None = None, platform: str | None = None,
                            set_id: str | None = None, since: float | None = None,
                            limit: int = 10_000) -> list[CheckupRecord]: ...
    # The report's aggregates (issue 15), from the summary rows written with each result: exact and
    # cheap whatever the number of results. `list_latest_checkups`: lowest overall first, by name.
    async def checkup_counts(self) -> dict[str, int]: ...
    async def checkup_figures(self, set_id: str) -> CheckupFigures: ...
    async def list_latest_checkups(self, set_id: str, *, offset: int = 0, limit: int = 500) -> list[LatestCheckup]: ...


def default_data_dir() -> Path:
    """The one folder secbot creates by itself (for the default SQLite file)."""
    import platformdirs  # here: a start that names its database does not need it

    return Path(platformdirs.user_data_dir("secbot", appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'secbot.db'}"


def open_store(url: str | None = None) -> Store:
    """A store for `url` (`sqlite:///path`, `sqlite:///:memory:`, `postgresql://...`), not yet opened."""
    url = url or default_database_url()
    if url.startswith("sqlite:"):
        from bot.store.sqlite import SqliteStore

        return SqliteStore(url)
    if url.startswith(("postgresql:", "postgres:")):
        try:
            from bot.store.postgres import PostgresStore
        except ModuleNotFoundError as exc:
            if exc.name != "asyncpg":
                raise
            raise StoreError("PostgreSQL support is not installed: pip install 'secbot[postgres]'") from None
        return PostgresStore(url)
    raise _unsupported(url)


def _unsupported(url: str) -> DatabaseUrlError:
    return DatabaseUrlError(f"unsupported SECBOT_DATABASE_URL scheme in {redact_url(url)!r}: "
                            "use sqlite:///PATH or postgresql://...")


def check_database_url(url: str | None) -> None:
    """Raise DatabaseUrlError for a URL no store could open (wrong scheme, a SQLite file in a
    missing folder), without opening anything: every command checks the URL it is given the same
    way, including those that do not touch the store (`secbot ask`)."""
    if not url:
        return
    if url.startswith("sqlite:"):
        from bot.store.sqlite import check_folder, sqlite_path

        path = sqlite_path(url)
        if path != ":memory:":
            check_folder(Path(path).expanduser())
        return
    if not url.startswith(("postgresql:", "postgres:")):
        raise _unsupported(url)


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url
