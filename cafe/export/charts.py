"""Pure: small bar charts as SVG strings, for printed exports; every label is escaped here."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = "Noto Sans, DejaVu Sans, sans-serif"
BAR = "#0b5c4a"
INK = "#1b1b1f"
MUTED = "#4a4a55"
LINE = "#c9c6bd"


def _label(text: str, limit: int) -> str:
    """Shorten a label to fit its column (SVG text does not wrap), then escape it."""
    short = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return escape(short, quote=True)


def horizontal_bars(items: Sequence[tuple[str, int]], *, title: str, width: int = 640, row: int = 18) -> str:
    """A bar per item, label on the left and count on the right: fits many items, e.g. notes per table."""
    label_w, count_w, top = 220, 48, 26
    bar_w = width - label_w - count_w
    biggest = max((value for _, value in items), default=0) or 1
    height = top + row * len(items) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" role="img" aria-label="{escape(title, quote=True)}">',
        f'<text x="0" y="14" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = round(bar_w * value / biggest, 1)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row * 0.68:.1f}" font-size="11" text-anchor="end" fill="{INK}">'
            f'{_label(label, 34)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row - 6}" fill="{BAR}"/>'
            f'<text x="{label_w + length + 5}" y="{y + row * 0.68:.1f}" font-size="11" fill="{MUTED}">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def columns(items: Sequence[tuple[str, int]], *, title: str, width: int = 640, height: int = 200) -> str:
    """A column per item, label below and count above: for a few items, e.g. notes per round."""
    top, bottom = 40, 24
    plot_h = height - top - bottom
    slot = width / max(len(items), 1)
    bar_w = min(slot * 0.6, 64)
    biggest = max((value for _, value in items), default=0) or 1
    base = top + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" role="img" aria-label="{escape(title, quote=True)}">',
        f'<text x="0" y="14" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>',
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="{LINE}" stroke-width="1"/>',
    ]
    for i, (label, value) in enumerate(items):
        centre = slot * i + slot / 2
        length = round(plot_h * value / biggest, 1)
        parts.append(
            f'<rect x="{centre - bar_w / 2:.1f}" y="{base - length:.1f}" width="{bar_w:.1f}" height="{length}" '
            f'fill="{BAR}"/>'
            f'<text x="{centre:.1f}" y="{base - length - 5:.1f}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{value}</text>'
            f'<text x="{centre:.1f}" y="{base + 16}" font-size="11" text-anchor="middle" fill="{INK}">'
            f'{_label(label, max(int(slot / 7), 3))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
