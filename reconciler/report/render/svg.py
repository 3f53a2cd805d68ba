"""A small SVG chart kit for the HTML report: column charts (stacked or not) and
horizontal bar charts, as inline ``<svg>`` text.

Why our own and not a plotting library: three chart shapes, drawn as plain text, need no
dependency, no fonts or scripts at run time and nothing fetched; the output is static
markup that browsers render and print, and that tests can read.

Every chart is accessible (``role="img"``, ``<title>`` and ``<desc>`` referenced by
``aria-labelledby``), labels both axes, and gives each bar a ``<title>`` (its value on
hover).  Scales start at zero; ticks fall on 1, 2, 2.5 or 5 × 10ⁿ.  Sizes are in
user units of the ``viewBox``: the page scales the chart to its width.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Bar", "Series", "columns", "hbars", "nice_ticks"]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
AXIS = "#4a4f57"
GRID = "#e3e6ea"
TEXT = "#1f2328"


@dataclass(frozen=True)
class Series:
    """One stacked layer of a column chart: a name, a colour and a value per category."""

    name: str
    color: str
    values: Sequence[float]


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart; ``text`` is the value as printed beside it."""

    label: str
    value: float
    text: str
    color: str


def _e(text: str) -> str:
    return escape(text, quote=True)


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(peak: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Ticks from 0 to at least ``peak`` on a 1, 2, 2.5, 5 × 10ⁿ step (``[0, 1]`` for 0);
    ``whole``: steps of at least 1 (counts of things)."""
    if peak <= 0 or not math.isfinite(peak):
        return [0.0, 1.0]
    raw = peak / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1.0, math.ceil(step))
    top = math.ceil(peak / step - 1e-9) * step
    return [i * step for i in range(round(top / step) + 1)]


def _open(ident: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_e(ident)}" role="img" '
        f'aria-labelledby="{_e(ident)}-title {_e(ident)}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" '
        f'font-family="{_e(FONT)}" font-size="13" fill="{TEXT}">',
        f'<title id="{_e(ident)}-title">{_e(title)}</title>',
        f'<desc id="{_e(ident)}-desc">{_e(desc)}</desc>',
    ]


def _legend(series: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = ['<g class="legend">']
    for name, color in series:
        out.append(
            f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="12" height="12" rx="2" fill="{color}"/>'
            f'<text x="{_n(x + 18)}" y="{_n(y)}">{_e(name)}</text>'
        )
        x += 30 + 7.8 * len(name)
    out.append("</g>")
    return out


def columns(
    ident: str,
    *,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    fmt: Callable[[float], str],
    colors: Sequence[str] | None = None,
    whole: bool = False,
    width: int = 1120,
    height: int = 380,
) -> str:
    """A column chart, ``series`` stacked bottom-up (a legend when there are several).
    ``colors`` (one per category) colours single-series columns individually (a
    histogram's bands); ``whole``: the values are counts (whole ticks)."""
    left, right, top, bottom = 78, 16, (40 if len(series) > 1 else 16), 64
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0), whole=whole)
    top_value = ticks[-1]
    out = _open(ident, title, desc, width, height)
    if len(series) > 1:
        out += _legend([(s.name, s.color) for s in series], left, 18)
    out.append('<g class="grid">')
    for tick in ticks:
        y = top + plot_h - plot_h * tick / top_value
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{GRID}"/>'
            f'<text x="{left - 8}" y="{_n(y + 4)}" text-anchor="end" fill="{AXIS}">'
            f"{_e(fmt(tick))}</text>"
        )
    out.append("</g>")
    slot = plot_w / max(len(categories), 1)
    bar_w = max(min(slot * 0.72, 64), 1)
    # Label every k-th category so labels never collide (about 7.2 units a character).
    widest = max((len(c) for c in categories), default=1) * 7.2 + 8
    every = max(1, math.ceil(widest / slot))
    out.append('<g class="bars">')
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        base = float(top + plot_h)
        for index, s in enumerate(series):
            value = s.values[i]
            if value <= 0:
                continue
            h = plot_h * value / top_value
            base -= h
            color = colors[i] if colors is not None and len(series) == 1 else s.color
            label = (
                f"{category}: {s.name} {fmt(value)}"
                if len(series) > 1
                else (f"{category}: {fmt(value)}")
            )
            out.append(
                f'<rect x="{_n(x)}" y="{_n(base)}" width="{_n(bar_w)}" height="{_n(h)}" '
                f'fill="{color}" data-series="{index}"><title>{_e(label)}</title></rect>'
            )
        if i % every == 0:
            cx = left + slot * i + slot / 2
            out.append(
                f'<text x="{_n(cx)}" y="{top + plot_h + 18}" text-anchor="middle" '
                f'fill="{AXIS}">{_e(category)}</text>'
            )
    out.append("</g>")
    out += [
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{AXIS}"/>',
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{AXIS}"/>',
        f'<text class="axis-label" x="{_n(left + plot_w / 2)}" y="{height - 14}" '
        f'text-anchor="middle" font-weight="600">{_e(x_label)}</text>',
        f'<text class="axis-label" transform="translate(18 {_n(top + plot_h / 2)}) rotate(-90)" '
        f'text-anchor="middle" font-weight="600">{_e(y_label)}</text>',
        "</svg>",
    ]
    return "\n".join(out)


def hbars(
    ident: str,
    *,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    x_label: str,
    y_label: str,
    fmt: Callable[[float], str],
    width: int = 1120,
    row: int = 26,
) -> str:
    """Horizontal bars, one row per bar, labels on the left (``y_label`` heads them) and
    values at the bar ends."""
    label_chars = max((len(b.label) for b in bars), default=8)
    left = int(min(max(120, 16 + label_chars * 7.6), 360))
    right, top, bottom = 110, 30, 54
    plot_w = width - left - right
    height = top + row * max(len(bars), 1) + bottom
    ticks = nice_ticks(max((b.value for b in bars), default=0))
    top_value = ticks[-1]
    plot_bottom = top + row * max(len(bars), 1)
    out = _open(ident, title, desc, width, height)
    out.append(
        f'<text class="axis-label" x="{left - 8}" y="{top - 12}" text-anchor="end" '
        f'font-weight="600">{_e(y_label)}</text>'
    )
    out.append('<g class="grid">')
    for tick in ticks:
        x = left + plot_w * tick / top_value
        out.append(
            f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{top}" y2="{plot_bottom}" stroke="{GRID}"/>'
            f'<text x="{_n(x)}" y="{plot_bottom + 18}" text-anchor="middle" fill="{AXIS}">'
            f"{_e(fmt(tick))}</text>"
        )
    out.append("</g>")
    out.append('<g class="bars">')
    for i, bar in enumerate(bars):
        y = top + row * i
        w = plot_w * bar.value / top_value if bar.value > 0 else 0
        label = bar.label if len(bar.label) <= 46 else bar.label[:45] + "…"
        out.append(
            f'<text x="{left - 8}" y="{_n(y + row / 2 + 4)}" text-anchor="end">{_e(label)}</text>'
            f'<rect x="{left}" y="{_n(y + 4)}" width="{_n(max(w, 0))}" height="{row - 8}" '
            f'rx="2" fill="{bar.color}"><title>{_e(f"{bar.label}: {bar.text}")}</title></rect>'
            f'<text x="{_n(left + w + 6)}" y="{_n(y + row / 2 + 4)}">{_e(bar.text)}</text>'
        )
    out.append("</g>")
    out += [
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{plot_bottom}" stroke="{AXIS}"/>',
        f'<line x1="{left}" x2="{left + plot_w}" y1="{plot_bottom}" y2="{plot_bottom}" '
        f'stroke="{AXIS}"/>',
        f'<text class="axis-label" x="{_n(left + plot_w / 2)}" y="{height - 10}" '
        f'text-anchor="middle" font-weight="600">{_e(x_label)}</text>',
        "</svg>",
    ]
    return "\n".join(out)
