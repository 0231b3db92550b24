"""A bound on the questions worked on at once, shared by the Slack and Teams adapters.

Above `SECBOT_MAX_IN_FLIGHT` questions in progress a new one is not queued behind them (an
unbounded backlog only makes every answer late, and memory grows with it):
- Slack events get a 503: Slack retries an event it could not deliver (a non-2xx answer is an
  `http_error`), at once, after 1 minute and after 5 minutes, with `X-Slack-Retry-Num` set
  (https://api.slack.com/apis/events-api#graceful_retries); the retry is handled once there is
  room, and the delivery claim keeps it from being answered twice.
- Slack slash commands and button clicks are not retried by Slack: they are acknowledged with
  the short "busy" text from the catalog (`busy`), as is a Teams message (the Bot Framework
  channel does not promise to re-send a message whose POST failed).
Incident submissions (Slack view_submission, a Teams card submit) are never refused: they are
acknowledged within Slack's 3 s and written before any reply (see adapters/slack/app.py).
"""

from __future__ import annotations

import logging

from bot.metrics import ERRORS

log = logging.getLogger(__name__)


class WorkLimit:
    """At most `limit` units of work at once; `admit` says whether one more may start."""

    def __init__(self, limit: int, *, platform: str = ""):
        if limit < 1:
            raise ValueError("the in-flight limit must be at least 1")
        self.limit = limit
        self.platform = platform
        self.active = 0
        self.peak = 0  # the most ever in flight at once (tests and logs)
        self.refused = 0

    def admit(self) -> Slot | None:
        """A slot to hold while working, or None when `limit` are already in flight."""
        if self.active >= self.limit:
            self.refused += 1
            ERRORS.labels("busy").inc()
            if self.refused == 1 or self.refused % 100 == 0:
                log.warning("%s: %d questions in flight (SECBOT_MAX_IN_FLIGHT): answering 'busy' (%d so far)",
                            self.platform, self.active, self.refused)
            return None
        self.active += 1
        self.peak = max(self.peak, self.active)
        return Slot(self)


class Slot:
    """One unit of admitted work; `release` is idempotent, so every exit path may call it."""

    __slots__ = ("_limit", "handed_over")

    def __init__(self, limit: WorkLimit):
        self._limit: WorkLimit | None = limit
        self.handed_over = False  # a background task now holds it and releases it when done

    def release(self) -> None:
        if self._limit is not None:
            self._limit.active -= 1
            self._limit = None
