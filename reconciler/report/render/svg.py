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
from collections.abc import Callable, Iterator, Sequence
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


@dataclass(frozen=True)
class _Plot:
    """Where a chart's plot area lies in the ``viewBox`` (whole units), and the value
    its far end (top or right) stands for."""

    left: int
    top: int
    width: int
    height: int
    top_value: float

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def right(self) -> int:
        return self.left + self.width


def _x_axis(plot: _Plot) -> str:
    return (
        f'<line x1="{plot.left}" x2="{plot.right}" y1="{plot.bottom}" y2="{plot.bottom}" '
        f'stroke="{AXIS}"/>'
    )


def _y_axis(plot: _Plot) -> str:
    return (
        f'<line x1="{plot.left}" x2="{plot.left}" y1="{plot.top}" y2="{plot.bottom}" '
        f'stroke="{AXIS}"/>'
    )


def _x_label(plot: _Plot, y: int, text: str) -> str:
    return (
        f'<text class="axis-label" x="{_n(plot.left + plot.width / 2)}" y="{y}" '
        f'text-anchor="middle" font-weight="600">{_e(text)}</text>'
    )


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
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0), whole=whole)
    plot = _Plot(left, top, width - left - right, height - top - bottom, ticks[-1])
    out = _open(ident, title, desc, width, height)
    if len(series) > 1:
        out += _legend([(s.name, s.color) for s in series], left, 18)
    out += [
        *_value_rows(plot, ticks, fmt),
        *_stacks(plot, categories, series, colors, fmt),
        _x_axis(plot),
        _y_axis(plot),
        _x_label(plot, height - 14, x_label),
        f'<text class="axis-label" transform="translate(18 {_n(top + plot.height / 2)}) '
        f'rotate(-90)" text-anchor="middle" font-weight="600">{_e(y_label)}</text>',
        "</svg>",
    ]
    return "\n".join(out)


def _value_rows(plot: _Plot, ticks: Sequence[float], fmt: Callable[[float], str]) -> list[str]:
    """A column chart's grid: a line and a value label at every tick."""
    out = ['<g class="grid">']
    for tick in ticks:
        y = plot.top + plot.height - plot.height * tick / plot.top_value
        out.append(
            f'<line x1="{plot.left}" x2="{plot.right}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{GRID}"/>'
            f'<text x="{plot.left - 8}" y="{_n(y + 4)}" text-anchor="end" fill="{AXIS}">'
            f"{_e(fmt(tick))}</text>"
        )
    out.append("</g>")
    return out


def _stacks(
    plot: _Plot,
    categories: Sequence[str],
    series: Sequence[Series],
    colors: Sequence[str] | None,
    fmt: Callable[[float], str],
) -> list[str]:
    """One column per category, its series stacked bottom-up (each layer's value on
    hover), and the category's label under it."""
    slot = plot.width / max(len(categories), 1)
    bar_w = max(min(slot * 0.72, 64), 1)
    # Label every k-th category so labels never collide (about 7.2 units a character).
    widest = max((len(c) for c in categories), default=1) * 7.2 + 8
    every = max(1, math.ceil(widest / slot))
    out = ['<g class="bars">']
    for i, category in enumerate(categories):
        x = plot.left + slot * i + (slot - bar_w) / 2
        for index, y, h in _stacked(plot, [s.values[i] for s in series]):
            s, value = series[index], series[index].values[i]
            color = colors[i] if colors is not None and len(series) == 1 else s.color
            layer = f"{s.name} " if len(series) > 1 else ""
            label = f"{category}: {layer}{fmt(value)}"
            out.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}" '
                f'fill="{color}" data-series="{index}"><title>{_e(label)}</title></rect>'
            )
        if i % every == 0:
            out.append(
                f'<text x="{_n(plot.left + slot * i + slot / 2)}" y="{plot.bottom + 18}" '
                f'text-anchor="middle" fill="{AXIS}">{_e(category)}</text>'
            )
    out.append("</g>")
    return out


def _stacked(plot: _Plot, values: Sequence[float]) -> Iterator[tuple[int, float, float]]:
    """Each positive value's (index, top, height), stacked bottom-up from the axis."""
    base = float(plot.bottom)
    for index, value in enumerate(values):
        if value > 0:
            h = plot.height * value / plot.top_value
            base -= h
            yield index, base, h


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
    ticks = nice_ticks(max((b.value for b in bars), default=0))
    plot = _Plot(left, top, width - left - right, row * max(len(bars), 1), ticks[-1])
    height = plot.bottom + bottom
    return "\n".join(
        [
            *_open(ident, title, desc, width, height),
            f'<text class="axis-label" x="{left - 8}" y="{top - 12}" text-anchor="end" '
            f'font-weight="600">{_e(y_label)}</text>',
            *_value_columns(plot, ticks, fmt),
            '<g class="bars">',
            *(_hbar(plot, top + row * i, row, bar) for i, bar in enumerate(bars)),
            "</g>",
            _y_axis(plot),
            _x_axis(plot),
            _x_label(plot, height - 10, x_label),
            "</svg>",
        ]
    )


def _value_columns(plot: _Plot, ticks: Sequence[float], fmt: Callable[[float], str]) -> list[str]:
    """A bar chart's grid: a line and a value label at every tick."""
    out = ['<g class="grid">']
    for tick in ticks:
        x = plot.left + plot.width * tick / plot.top_value
        out.append(
            f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{plot.top}" y2="{plot.bottom}" '
            f'stroke="{GRID}"/>'
            f'<text x="{_n(x)}" y="{plot.bottom + 18}" text-anchor="middle" fill="{AXIS}">'
            f"{_e(fmt(tick))}</text>"
        )
    out.append("</g>")
    return out


def _hbar(plot: _Plot, y: int, row: int, bar: Bar) -> str:
    """One bar: its label, the bar (its value on hover) and the value beside it."""
    w = plot.width * bar.value / plot.top_value if bar.value > 0 else 0
    label = bar.label if len(bar.label) <= 46 else bar.label[:45] + "…"
    middle = _n(y + row / 2 + 4)
    return (
        f'<text x="{plot.left - 8}" y="{middle}" text-anchor="end">{_e(label)}</text>'
        f'<rect x="{plot.left}" y="{_n(y + 4)}" width="{_n(max(w, 0))}" height="{row - 8}" '
        f'rx="2" fill="{bar.color}"><title>{_e(f"{bar.label}: {bar.text}")}</title></rect>'
        f'<text x="{_n(plot.left + w + 6)}" y="{middle}">{_e(bar.text)}</text>'
    )
