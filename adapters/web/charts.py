"""Charts as server-rendered SVG geometry (no script, no library): the templates draw the shapes
and always put the same numbers in a table next to them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from bot.models import JST

JST_OFFSET = 9 * 3600
EPOCH = date(1970, 1, 1)
BANDS = ("answer", "suggest", "unknown")
BUCKETS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))


def per_day(counts: Iterable[tuple[int, str, int]], days: int, now: float) -> list[dict[str, Any]]:
    """Questions per Japan day by outcome band, oldest first, days without questions included.
    `counts`: (days since 1970-01-01 in Japan time, band, questions), as the store counts them."""
    today = datetime.fromtimestamp(now, JST).date()
    counts_by_day: dict[str, Counter[str]] = {(today - timedelta(days=i)).isoformat(): Counter()
                                              for i in range(days - 1, -1, -1)}
    for day_number, band, n in counts:
        day = (EPOCH + timedelta(days=day_number)).isoformat()
        if day in counts_by_day:
            counts_by_day[day][band] += n
    return [{"day": day, **{band: c.get(band, 0) for band in BANDS}, "total": sum(c.values())}
            for day, c in counts_by_day.items()]


def stacked_columns(rows: Sequence[dict[str, Any]], *, width: int = 320, height: int = 110) -> dict[str, Any]:
    """Rectangles of a stacked column chart of `rows` (per_day's), with a y-axis maximum.

    The SVG scales with the page: 320 units drawn 520px wide on a desktop and about 360px on a
    phone make the 10-unit axis text about 16px (the body text) and 11px."""
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
    half_label = 15  # "11-30" at the axis's 10 units: kept whole at both edges
    labels = [{"x": round(min(max(i * step + step / 2, half_label), width - half_label), 1), "text": r["day"][5:]}
              for i, r in enumerate(rows)
              if i % max(len(rows) // 7, 1) == 0]
    return {"rects": rects, "labels": labels, "max": top, "width": width, "height": height}


def distribution(scores: Mapping[int | None, int]) -> list[tuple[str, int]]:
    """How many organisations score in each band of 20 points (`scores`: score -> organisations)."""
    found: Counter[str] = Counter()
    for value, n in scores.items():
        if value is not None:
            found[next(f"{lo}–{hi}" for lo, hi in BUCKETS if lo <= value <= hi)] += n
    return [(f"{lo}–{hi}", found.get(f"{lo}–{hi}", 0)) for lo, hi in BUCKETS]
