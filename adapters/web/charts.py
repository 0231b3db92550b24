"""Charts as server-rendered SVG geometry (no script, no library): the templates draw the shapes
and always put the same numbers in a table next to them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.models import JST

BANDS = ("answer", "suggest", "unknown")
BUCKETS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))


def per_day(records: Iterable[Any], days: int, now: float) -> list[dict[str, Any]]:
    """Questions per Japan day by outcome band, oldest first, days without questions included."""
    today = datetime.fromtimestamp(now, JST).date()
    counts: dict[str, Counter[str]] = {(today - timedelta(days=i)).isoformat(): Counter() for i in range(days - 1, -1, -1)}
    for record in records:
        day = datetime.fromtimestamp(record.asked_at, JST).date().isoformat()
        if day in counts:
            counts[day][record.band] += 1
    return [{"day": day, **{band: c.get(band, 0) for band in BANDS}, "total": sum(c.values())}
            for day, c in counts.items()]


def stacked_columns(rows: Sequence[dict[str, Any]], *, width: int = 600, height: int = 180) -> dict[str, Any]:
    """Rectangles of a stacked column chart of `rows` (per_day's), with a y-axis maximum."""
    top = max((r["total"] for r in rows), default=0) or 1
    step = width / max(len(rows), 1)
    rects = []
    for index, row in enumerate(rows):
        y = float(height)
        for band in BANDS:
            h = height * row[band] / top
            if h:
                y -= h
                rects.append({"x": round(index * step + 2, 1), "y": round(y, 1), "w": round(max(step - 4, 1), 1),
                              "h": round(h, 1), "band": band})
    labels = [{"x": round(i * step + step / 2, 1), "text": r["day"][5:]} for i, r in enumerate(rows)
              if i % max(len(rows) // 7, 1) == 0]
    return {"rects": rects, "labels": labels, "max": top, "width": width, "height": height}


def distribution(scores: Iterable[int | None]) -> list[tuple[str, int]]:
    """How many organisations score in each band of 20 points."""
    found: Counter[str] = Counter()
    for value in scores:
        if value is not None:
            found[next(f"{lo}–{hi}" for lo, hi in BUCKETS if lo <= value <= hi)] += 1
    return [(f"{lo}–{hi}", found.get(f"{lo}–{hi}", 0)) for lo, hi in BUCKETS]
