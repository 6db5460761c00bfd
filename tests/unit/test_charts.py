"""The server-side SVG charts: valid XML, accessible names, proportional bars, empty data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from shared.platform.web.charts import (
    Serie,
    format_number,
    horizontal_bar_chart,
    nice_ceiling,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "diagram-stolpe"]


def test_stacked_chart_is_valid_svg_with_title_desc_and_role() -> None:
    root = parse(
        stacked_bar_chart(
            chart_id="d1",
            title="Søknader per måned",
            desc="Antall søknader <og> vedtak & mer",
            categories=["jan 26", "feb 26"],
            series=[Serie("Off-label", [1, 2]), Serie("Unntak & annet", [3, 0])],
        )
    )
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "d1-tittel d1-beskrivelse"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Søknader per måned" and title.get("id") == "d1-tittel"
    assert desc is not None and desc.text == "Antall søknader <og> vedtak & mer"
    assert "style" not in str(ET.tostring(root))  # the CSP forbids inline styles
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "jan 26" in texts and "Unntak & annet" in texts and "Off-label" in texts


def test_stacked_bars_are_proportional_and_stack_on_one_baseline() -> None:
    root = parse(
        stacked_bar_chart(
            chart_id="d2",
            title="t",
            desc="d",
            categories=["a", "b"],
            series=[Serie("x", [2, 8]), Serie("y", [6, 0])],
        )
    )
    rects = bars(root)
    heights = [float(r.get("height", 0)) for r in rects]
    assert len(rects) == 3  # a zero value draws nothing
    a_x, a_y, b_x = heights
    assert a_y == pytest.approx(3 * a_x, rel=0.01)
    assert b_x == pytest.approx(4 * a_x, rel=0.01)
    # Segments of one bar touch: x's top is y's bottom.
    assert float(rects[0].get("y", 0)) == pytest.approx(float(rects[1].get("y", 0)) + a_y, abs=0.15)
    # The totals are written above the bars, so the values never depend on colour.
    assert {"8"} <= {t.text for t in root.iter(f"{SVG}text")}


def test_each_series_has_its_own_pattern_and_the_legend_repeats_it() -> None:
    root = parse(
        stacked_bar_chart(
            chart_id="d3",
            title="t",
            desc="d",
            categories=["a"],
            series=[Serie(f"s{i}", [1]) for i in range(5)],
        )
    )
    patterns = [p.get("id") for p in root.iter(f"{SVG}pattern")]
    assert patterns == [f"d3-m{i}" for i in range(5)]
    fills = [r.get("fill") for r in bars(root)]
    assert fills == [f"url(#d3-m{i})" for i in range(5)]
    legend = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("width") == "14"]
    assert legend == fills
    # Patterns differ in their marks, not only in colour.
    marks = {ET.tostring(p[1]) if len(p) > 1 else b"" for p in root.iter(f"{SVG}pattern")}
    assert len(marks) == 5


def test_empty_data_gives_a_valid_chart_with_a_message() -> None:
    for chart in (
        stacked_bar_chart(
            chart_id="e1", title="t", desc="d", categories=[], series=[], empty_text="Ingen data."
        ),
        stacked_bar_chart(
            chart_id="e2",
            title="t",
            desc="d",
            categories=["a"],
            series=[Serie("x", [0])],
            empty_text="Ingen data.",
        ),
        horizontal_bar_chart(
            chart_id="e3", title="t", desc="d", categories=[], series=[], empty_text="Ingen data."
        ),
    ):
        root = parse(chart)
        assert root.find(f"{SVG}title") is not None
        assert "Ingen data." in [t.text for t in root.iter(f"{SVG}text")]
        assert bars(root) == []


def test_horizontal_bars_are_proportional_and_labelled_with_their_values() -> None:
    root = parse(
        horizontal_bar_chart(
            chart_id="h1",
            title="Behandlingstid",
            desc="d",
            categories=["Nevrologisk avdeling", "Revmatologi"],
            series=[Serie("Median", [4.0, 7.0]), Serie("90-persentil", [8.8, None])],
            unit="dager",
        )
    )
    widths = [float(r.get("width", 0)) for r in bars(root)]
    assert len(widths) == 3  # the missing value has no bar
    assert widths[1] == pytest.approx(2.2 * widths[0], rel=0.01)
    assert widths[2] == pytest.approx(1.75 * widths[0], rel=0.01)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "4 dager" in texts and "8,8 dager" in texts and "Revmatologi" in texts
    assert "90-persentil: ingen" in texts


def test_axis_maximum_and_norwegian_numbers() -> None:
    values = (0, 1, 3, 7, 11, 24, 26, 99, 8.8, 130)
    assert [nice_ceiling(v) for v in values] == [1, 1, 3, 8, 12, 25, 30, 100, 10, 150]
    assert format_number(3) == "3" and format_number(9.25) == "9,2" and format_number(0.0) == "0"


def test_a_suppressed_part_is_a_grey_segment_up_to_the_published_total() -> None:
    """A month of 22 whose parts 18 are shown: the bar is 22 high, labelled 22, the 4 grey; a month whose
    total is suppressed too is labelled «skjult», not left looking like zero."""
    root = parse(
        stacked_bar_chart(
            chart_id="d9",
            title="t",
            desc="d",
            categories=["2026-02", "2026-11"],
            series=[Serie("x", [10, None]), Serie("y", [8, None]), Serie("z", [None, None])],
            totals=[22, None],
        )
    )
    rects = [r for r in root.iter(f"{SVG}rect") if "diagram-stolpe" in (r.get("class") or "")]
    visible = [float(r.get("height", 0)) for r in rects if r.get("class") == "diagram-stolpe"]
    grey = [r for r in rects if r.get("class") == "diagram-stolpe diagram-skjult"]
    assert len(visible) == 2 and len(grey) == 1
    assert float(grey[0].get("height", 0)) == pytest.approx(visible[0] * 4 / 10, rel=0.01)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "22" in texts and "18" not in texts and "skjult" in texts
    assert any(t and t.startswith("Skjult: tall under 3") for t in texts)


def test_a_share_in_per_cent_is_drawn_against_a_whole_axis() -> None:
    """80 % fills four fifths of the width, not all of it, and the axis says per cent."""
    root = parse(
        horizontal_bar_chart(
            chart_id="d10",
            title="t",
            desc="d",
            categories=["Helse Bergen", "Oslo universitetssykehus"],
            series=[Serie("Andel innvilget", [80, 40])],
            unit="%",
            scale_max=100,
        )
    )
    widths = [float(r.get("width", 0)) for r in bars(root)]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert widths[1] == pytest.approx(widths[0] / 2, rel=0.01)
    assert "100 %" in texts and "80 %" in texts
    lines = [float(x.get("x1", 0)) for x in root.iter(f"{SVG}line")]
    assert widths[0] == pytest.approx((max(lines) - min(lines)) * 0.8, rel=0.02)
