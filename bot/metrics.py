"""Prometheus metrics for every server (scraped at /metrics).

A private registry per process keeps tests independent and avoids exporting the client
library's default process collectors twice.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)

QUESTIONS = Counter("secbot_questions_total", "Questions asked, by outcome band.", ["band", "platform"],
                    registry=REGISTRY)
LATENCY = Histogram("secbot_turn_seconds", "Time to handle one message, by platform.", ["platform"],
                    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
                    registry=REGISTRY)
INCIDENTS = Counter("secbot_incidents_total", "Incidents recorded, by type.", ["incident_type"], registry=REGISTRY)
RELOADS = Counter("secbot_knowledge_reloads_total", "Knowledge reloads, by result.", ["result"], registry=REGISTRY)
ERRORS = Counter("secbot_errors_total", "Errors while handling a message or delivering a reply.", ["where"],
                 registry=REGISTRY)
FEEDBACK = Counter("secbot_feedback_total", "Feedback clicks, by vote.", ["vote"], registry=REGISTRY)


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
