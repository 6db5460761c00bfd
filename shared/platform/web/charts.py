"""Accessible bar charts as inline SVG, drawn on the server.

The CSP forbids inline styles and scripts, so the charts use presentation attributes (`fill`, `stroke`,
`font-size`) and classes from style.css only. Each series has its own colour *and* fill pattern, the
legend repeats both, and every bar carries its value as text, so nothing depends on colour alone.
Screen readers get the chart's title and description; the numbers belong in a table beside it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 760
FONT_SIZE = 12
TEXT = "#1c2530"
GRID = "#c9d2dc"
HIDDEN = "#77838f"
"""Suppressed parts of a bar: grey, at 3.9:1 against white (graphics need 3:1)."""
# Dark enough for white pattern lines on top and at least 4.5:1 against the white background.
PALETTE = ("#0b4f8a", "#1d6b35", "#a4161a", "#7a5a00", "#5b3a8c", "#00626b")
_CHAR_WIDTH = 6.6  # average glyph width at FONT_SIZE in a system sans-serif, for layout estimates


@dataclass(frozen=True)
class Serie:
    """One series: a label for the legend and one value per category (None: no value)."""

    label: str
    values: Sequence[float | None]


def format_number(value: float) -> str:
    """Norwegian: decimal comma, at most one decimal."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def nice_ceiling(value: float) -> float:
    """The axis maximum: the smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power
    of ten) that holds `value`, so the tallest bar fills most of the height."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return candidate
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always returns


def _ticks(axis_max: float, *, whole: bool) -> list[float]:
    """Gridline values from 0 to `axis_max`: at most six, whole numbers when the data are counts."""
    if whole and axis_max <= 6:
        return [float(i) for i in range(int(axis_max) + 1)]
    for divisions in (5, 4, 3, 2, 1):
        step = axis_max / divisions
        if not whole or float(step).is_integer():
            return [step * i for i in range(divisions + 1)]
    return [0.0, axis_max]  # pragma: no cover - one division always divides


def _whole(values: Sequence[float]) -> bool:
    return all(float(v).is_integer() for v in values)


def _text(x: float, y: float, content: str, *, anchor: str = "start", css: str = "diagram-tekst") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT_SIZE}" fill="{TEXT}" '
        f'class="{css}">{escape(content)}</text>'
    )


def _patterns(chart_id: str, count: int) -> str:
    """One fill per series: a colour with a white pattern drawn over it (solid for the first)."""
    marks = (
        "",
        '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#fff" stroke-width="1.6"/>',
        '<circle cx="4" cy="4" r="1.5" fill="#fff"/>',
        '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#fff" stroke-width="1.2"/>',
        '<path d="M0,4 h8" stroke="#fff" stroke-width="1.6"/>',
        '<path d="M4,0 v8" stroke="#fff" stroke-width="1.6"/>',
    )
    parts = []
    for i in range(count):
        colour = PALETTE[i % len(PALETTE)]
        mark = marks[i % len(marks)]
        parts.append(
            f'<pattern id="{chart_id}-m{i}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<rect width="8" height="8" fill="{colour}"/>{mark}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _fill(chart_id: str, index: int) -> str:
    return f"url(#{chart_id}-m{index})"


def _legend(chart_id: str, labels: Sequence[str], top: float) -> tuple[str, float]:
    """The legend, wrapped into rows; returns the markup and its height."""
    parts: list[str] = []
    x, y = 12.0, top
    for i, label in enumerate(labels):
        width = 14 + 6 + len(label) * _CHAR_WIDTH + 20
        if x > 12 and x + width > WIDTH - 12:
            x, y = 12.0, y + 22
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="14" height="14" fill="{_fill(chart_id, i)}" '
            f'stroke="{TEXT}" stroke-width="0.5"/>'
        )
        parts.append(_text(x + 20, y + 11.5, label))
        x += width
    height = (y - top) + 22 if labels else 0
    return '<g class="diagram-forklaring">' + "".join(parts) + "</g>", height


def _svg(chart_id: str, title: str, desc: str, height: float, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram-svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
        f'aria-labelledby="{chart_id}-tittel {chart_id}-beskrivelse">'
        f'<title id="{chart_id}-tittel">{escape(title)}</title>'
        f'<desc id="{chart_id}-beskrivelse">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Serie],
    empty_text: str = "Ingen data i perioden.",
    value_format: Callable[[float], str] = format_number,
    totals: Sequence[float | None] | None = None,
    hidden_label: str = "skjult",
) -> Markup:
    """Vertical bars, one per category (e.g. month), stacked by series; the total above each bar.

    With suppressed values (None), pass the published `totals`: the part of a total no visible segment
    shows is drawn as one grey segment, so the label above a bar is its whole, and a bar whose total is
    suppressed as well is labelled `hidden_label`, so it never reads as zero."""
    margin_left, margin_right, margin_top = 48.0, 16.0, 24.0
    plot_height = 220.0
    plot_width = WIDTH - margin_left - margin_right
    baseline = margin_top + plot_height
    visible = [sum((s.values[j] or 0) for s in series) for j in range(len(categories))]
    shown: list[float | None] = list(totals) if totals is not None else list(visible)
    heights = [max(v, t or 0) for v, t in zip(visible, shown, strict=True)]
    axis_max = nice_ceiling(max(heights, default=0))
    parts = [_patterns(chart_id, len(series))]

    for tick in _ticks(axis_max, whole=_whole(heights)):
        y = baseline - tick / axis_max * plot_height
        parts.append(
            f'<line x1="{margin_left:.1f}" x2="{WIDTH - margin_right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(margin_left - 6, y + 4, value_format(tick), anchor="end"))

    if not categories or not (any(heights) or any(t is None for t in shown)):
        parts.append(
            _text(margin_left + plot_width / 2, margin_top + plot_height / 2, empty_text, anchor="middle")
        )
    slot = plot_width / max(len(categories), 1)
    bar_width = min(slot * 0.6, 48.0)
    longest = max((len(c) for c in categories), default=0) * _CHAR_WIDTH + 6
    label_every = max(1, math.ceil(longest / slot)) if categories else 1
    for j, category in enumerate(categories):
        x = margin_left + slot * j + (slot - bar_width) / 2
        top = baseline
        for i, serie in enumerate(series):
            value = serie.values[j] or 0
            if value <= 0:
                continue
            height = value / axis_max * plot_height
            top -= height
            tooltip = f"{category}, {serie.label}: {value_format(value)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
                f'fill="{_fill(chart_id, i)}" stroke="#fff" stroke-width="1" class="diagram-stolpe">'
                f"<title>{escape(tooltip)}</title></rect>"
            )
        total = shown[j]
        if total is not None and total > visible[j]:
            height = (total - visible[j]) / axis_max * plot_height
            top -= height
            tooltip = f"{category}, {hidden_label}: {value_format(total - visible[j])}"
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
                f'fill="{HIDDEN}" stroke="#fff" stroke-width="1" class="diagram-stolpe diagram-skjult">'
                f"<title>{escape(tooltip)}</title></rect>"
            )
        if total is None:
            parts.append(_text(x + bar_width / 2, top - 5, hidden_label, anchor="middle"))
        elif total:
            parts.append(_text(x + bar_width / 2, top - 5, value_format(total), anchor="middle"))
        if j % label_every == 0:
            parts.append(_text(x + bar_width / 2, baseline + 16, category, anchor="middle"))
    parts.append(
        f'<line x1="{margin_left:.1f}" x2="{WIDTH - margin_right:.1f}" y1="{baseline:.1f}" '
        f'y2="{baseline:.1f}" stroke="{TEXT}" stroke-width="1"/>'
    )
    legend, legend_height = _legend(chart_id, [s.label for s in series], baseline + 32)
    parts.append(legend)
    if any(t is None or t > v for v, t in zip(visible, shown, strict=True)):
        parts.append(_hidden_legend(baseline + 32 + legend_height + 4, hidden_label))
        legend_height += 22
    return _svg(chart_id, title, desc, baseline + 32 + legend_height + 4, "".join(parts))


def _hidden_legend(top: float, label: str) -> str:
    text = f"{label[:1].upper()}{label[1:]}: tall under 3, og tall som må skjules sammen med dem"
    box = (
        f'<rect x="12" y="{top:.1f}" width="14" height="14" fill="{HIDDEN}" '
        f'stroke="{TEXT}" stroke-width="0.5"/>'
    )
    return box + _text(32, top + 11.5, text)


def horizontal_bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Serie],
    unit: str = "",
    empty_text: str = "Ingen data i perioden.",
    missing_text: str = "ingen",
    value_format: Callable[[float], str] = format_number,
    scale_max: float | None = None,
) -> Markup:
    """Grouped horizontal bars: one group per category (its label above), one bar per series, each
    bar labelled with its value at its end. Suits long category names such as units. `scale_max` fixes
    the axis (100 for shares in per cent, so a full bar means all); otherwise it fits the largest value."""
    margin_left, value_space = 12.0, 110.0
    plot_width = WIDTH - margin_left - value_space
    bar_height, bar_gap, label_height, group_gap = 14.0, 4.0, 18.0, 12.0
    values = [v for s in series for v in s.values if v is not None]
    axis_max = scale_max if scale_max else nice_ceiling(max(values, default=0))
    suffix = f" {unit}" if unit else ""
    parts = [_patterns(chart_id, len(series))]
    y = 8.0
    if not categories or not values:
        parts.append(_text(WIDTH / 2, 40, empty_text, anchor="middle"))
        y = 64.0
    else:
        group_height = label_height + len(series) * (bar_height + bar_gap) + group_gap
        plot_top = y
        plot_bottom = y + group_height * len(categories)
        for tick in _ticks(axis_max, whole=_whole(values)):
            x = margin_left + tick / axis_max * plot_width
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{plot_top:.1f}" y2="{plot_bottom:.1f}" '
                f'stroke="{GRID}" stroke-width="1"/>'
            )
            # A per cent sign is short enough for the axis; longer units stay on the bars' labels.
            parts.append(
                _text(
                    x,
                    plot_bottom + 14,
                    f"{value_format(tick)}{suffix if unit == '%' else ''}",
                    anchor="middle",
                )
            )
        for j, category in enumerate(categories):
            parts.append(_text(margin_left, y + 13, category, css="diagram-tekst diagram-kategori"))
            bar_y = y + label_height
            for i, serie in enumerate(series):
                value = serie.values[j]
                if value is None:
                    parts.append(_text(margin_left + 4, bar_y + 11, f"{serie.label}: {missing_text}"))
                else:
                    width = max(value / axis_max * plot_width, 0.0)
                    shown = f"{value_format(value)}{suffix}"
                    parts.append(
                        f'<rect x="{margin_left:.1f}" y="{bar_y:.1f}" width="{width:.1f}" '
                        f'height="{bar_height:.1f}" fill="{_fill(chart_id, i)}" class="diagram-stolpe">'
                        f"<title>{escape(category)}, {escape(serie.label)}: {escape(shown)}</title></rect>"
                    )
                    parts.append(_text(margin_left + width + 6, bar_y + 11, shown))
                bar_y += bar_height + bar_gap
            y += group_height
        y = plot_bottom + 24
    legend, legend_height = _legend(chart_id, [s.label for s in series], y)
    parts.append(legend)
    return _svg(chart_id, title, desc, y + legend_height + 4, "".join(parts))
