"""Draw the Teams app icons with the standard library only (no Pillow): run once, commit the PNGs.

color.png: 192x192, a white shield with a check mark on the accent colour.
outline.png: 32x32, the same shield in white on a transparent background (Teams' rule).
Usage: python adapters/teams/manifest/make_icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ACCENT = (0x1F, 0x4E, 0x79)  # keep equal to the manifest's accentColor
HERE = Path(__file__).resolve().parent


def png(width: int, height: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"".join(bytes(p) for p in row) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def in_shield(x: float, y: float) -> bool:
    """A shield in the unit square: straight top, sides down to 55%, then curving to a point."""
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        return False
    if y <= 0.55:
        return True
    t = (y - 0.55) / 0.45  # 0 at the shoulder, 1 at the tip
    half = 0.5 * (1 - t ** 1.6)
    return abs(x - 0.5) <= half


def in_check(x: float, y: float, width: float) -> bool:
    """A check mark in the unit square (two thick strokes)."""
    def near(ax: float, ay: float, bx: float, by: float) -> bool:
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= width ** 2
    return near(0.28, 0.50, 0.44, 0.66) or near(0.44, 0.66, 0.74, 0.32)


def shield_pixel(u: float, v: float, stroke: float) -> str:
    """'edge' on the shield's border band, 'inside' within it, '' outside."""
    left, top, size = 0.18, 0.14, 0.64
    sx, sy = (u - left) / size, (v - top) / (size * 1.12)
    if not in_shield(sx, sy):
        return ""
    inner = in_shield((sx - stroke) / (1 - 2 * stroke), (sy - stroke) / (1 - 2 * stroke))
    return "inside" if inner else "edge"


def color_icon(size: int = 192) -> bytes:
    white, clear = (255, 255, 255, 255), (*ACCENT, 255)
    rows = []
    for j in range(size):
        row = []
        for i in range(size):
            u, v = (i + 0.5) / size, (j + 0.5) / size
            where = shield_pixel(u, v, 0.09)
            if where == "edge" or (where == "inside" and in_check((u - 0.18) / 0.64, (v - 0.14) / 0.72, 0.06)):
                row.append(white)
            else:
                row.append(clear)
        rows.append(row)
    return png(size, size, rows)


def outline_icon(size: int = 32) -> bytes:
    white, clear = (255, 255, 255, 255), (0, 0, 0, 0)
    rows = []
    for j in range(size):
        row = []
        for i in range(size):
            u, v = (i + 0.5) / size, (j + 0.5) / size
            where = shield_pixel(u, v, 0.13)
            on = where == "edge" or (where == "inside" and in_check((u - 0.18) / 0.64, (v - 0.14) / 0.72, 0.075))
            row.append(white if on else clear)
        rows.append(row)
    return png(size, size, rows)


def main() -> None:
    (HERE / "color.png").write_bytes(color_icon())
    (HERE / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    main()
