"""Inline SVG plots of the standings, drawn in Python at render time (no script, no fonts, no network).

Coordinates are printed with fixed decimals so the same standings give the same bytes.
"""

from __future__ import annotations

import math
from html import escape

from rose_bench.scoring.numeric import format_percent
from rose_bench.scoring.uncertainty import FIGURES, HEADLINE

from .standings import Standings

__all__ = ["scatter_counting_action", "headline_intervals", "template_heatmap", "difference_matrix"]

_FONT = 'font-family="sans-serif" font-size="11"'


def _f(x: float) -> str:
    return f"{x:.1f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" aria-label="{escape(title)}"><title>{escape(title)}</title>' + "".join(body) + "</svg>")


def _colour(value: float) -> str:
    """0 -> light red, 1 -> green (PASS rates); NaN -> grey."""
    if math.isnan(value):
        return "#dddddd"
    v = max(0.0, min(1.0, value))
    r, g, b = int(230 - 160 * v), int(120 + 90 * v), int(110 - 10 * v)
    return f"#{r:02x}{g:02x}{b:02x}"


def _diverging(value: float, scale: float) -> str:
    if math.isnan(value):
        return "#dddddd"
    v = max(-1.0, min(1.0, value / scale if scale else 0.0))
    if v >= 0:
        return f"#{int(255 - 150 * v):02x}{int(255 - 60 * v):02x}{int(255 - 150 * v):02x}"
    return f"#{int(255 + 30 * v):02x}{int(255 + 150 * v):02x}{int(255 + 150 * v):02x}"


def scatter_counting_action(st: Standings, size: int = 420) -> str:
    """Counting Avg. (x) vs Action Avg. (y) with 95% interval crosses; below y = x is a perception-action gap."""
    pad = 44
    span = size - 2 * pad

    def sx(v: float) -> float:
        return pad + span * v

    def sy(v: float) -> float:
        return size - pad - span * v

    body = [f'<rect x="{pad}" y="{pad}" width="{span}" height="{span}" fill="#fafafa" stroke="#999"/>',
            f'<line x1="{_f(sx(0))}" y1="{_f(sy(0))}" x2="{_f(sx(1))}" y2="{_f(sy(1))}" stroke="#888" '
            f'stroke-dasharray="4 3"><title>y = x (no gap)</title></line>']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        body.append(f'<text x="{_f(sx(tick))}" y="{size - pad + 14}" text-anchor="middle" {_FONT}>{int(tick * 100)}</text>')
        body.append(f'<text x="{pad - 6}" y="{_f(sy(tick) + 4)}" text-anchor="end" {_FONT}>{int(tick * 100)}</text>')
    body.append(f'<text x="{size / 2:.0f}" y="{size - 8}" text-anchor="middle" {_FONT}>Counting Avg. PASS (%)</text>')
    body.append(f'<text x="12" y="{size / 2:.0f}" transform="rotate(-90 12 {size / 2:.0f})" text-anchor="middle" '
                f'{_FONT}>Action Avg. PASS (%)</text>')
    for row in st.rows:
        (cx, cl, ch), (ay, al, ah) = row.figures["Counting Avg."], row.figures["Action Avg."]
        if math.isnan(cx) or math.isnan(ay):
            continue
        colour = "#777" if row.baseline else "#1f5fa8"
        label = escape(row.name)
        body.append(f'<g class="pt" data-id="{row.id}"><title>{label}: Counting {format_percent(cx)}, Action {format_percent(ay)}, '
                    f'gap {format_percent(cx - ay)}</title>'
                    f'<line x1="{_f(sx(cl))}" y1="{_f(sy(ay))}" x2="{_f(sx(ch))}" y2="{_f(sy(ay))}" stroke="{colour}"/>'
                    f'<line x1="{_f(sx(cx))}" y1="{_f(sy(al))}" x2="{_f(sx(cx))}" y2="{_f(sy(ah))}" stroke="{colour}"/>'
                    f'<circle cx="{_f(sx(cx))}" cy="{_f(sy(ay))}" r="3.5" fill="{colour}"/>'
                    f'<text x="{_f(sx(cx) + 5)}" y="{_f(sy(ay) - 5)}" {_FONT}>{label}</text></g>')
    return _svg(size + 110, size, "Counting vs Action average PASS with 95% intervals; the dashed line is y = x", body)


def headline_intervals(st: Standings, width: int = 640) -> str:
    """Each row's headline figure (Table 1 Avg. PASS) with its 95% interval, best first."""
    left, right, line = 190, 20, 20
    height = 40 + line * len(st.rows)
    span = width - left - right
    body = [f'<line x1="{left}" y1="20" x2="{left}" y2="{height - 20}" stroke="#999"/>']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = left + span * tick
        body.append(f'<line x1="{_f(x)}" y1="20" x2="{_f(x)}" y2="{height - 20}" stroke="#eee"/>'
                    f'<text x="{_f(x)}" y="{height - 6}" text-anchor="middle" {_FONT}>{int(tick * 100)}</text>')
    for k, row in enumerate(st.rows):
        y = 30 + line * k
        p, lo, hi = row.figures[HEADLINE]
        body.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" {_FONT}>{escape(row.name)}</text>')
        if math.isnan(p):
            continue
        colour = "#777" if row.baseline else "#1f5fa8"
        body.append(f'<g><title>{escape(row.name)}: {format_percent(p)} [{format_percent(lo)}, {format_percent(hi)}]</title>'
                    f'<line x1="{_f(left + span * lo)}" y1="{y}" x2="{_f(left + span * hi)}" y2="{y}" stroke="{colour}" '
                    f'stroke-width="2"/><circle cx="{_f(left + span * p)}" cy="{y}" r="4" fill="{colour}"/></g>')
    return _svg(width, height, "Avg. PASS (macro over subsets) with 95% scene-clustered intervals", body)


def _column_labels(st: Standings, left: int, top: int, cell: int) -> list[str]:
    """Model names above the columns of a matrix plot, rotated."""
    labels = []
    for j, row in enumerate(st.rows):
        x = left + cell * j + cell / 2
        labels.append(f'<text x="{_f(x)}" y="{top - 6}" transform="rotate(-55 {_f(x)} {top - 6})" {_FONT}>'
                      f'{escape(row.name[:24])}</text>')
    return labels


def _row_label(text: str, left: int, y: float, cell: int) -> str:
    return f'<text x="{left - 6}" y="{_f(y + cell / 2 + 4)}" text-anchor="end" {_FONT}>{escape(text)}</text>'


def template_heatmap(st: Standings) -> str:
    """Template (rows) x model (columns) PASS."""
    templates = FIGURES[:5]
    cell, left, top = 44, 80, 120
    width, height = left + cell * len(st.rows) + 10, top + cell * len(templates) + 10
    body = _column_labels(st, left, top, cell)
    for i, template in enumerate(templates):
        y = top + cell * i
        body.append(_row_label(template, left, y, cell))
        for j, row in enumerate(st.rows):
            v = st.template_cells[row.id][template]
            text = format_percent(v, 0, missing="–")
            body.append(f'<g><title>{escape(row.name)} {escape(template)}: {text}</title>'
                        f'<rect x="{left + cell * j}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{_colour(v)}"/>'
                        f'<text x="{_f(left + cell * j + cell / 2 - 1)}" y="{_f(y + cell / 2 + 3)}" text-anchor="middle" '
                        f'{_FONT}>{text}</text></g>')
    return _svg(width, height, "PASS per template and model", body)


def difference_matrix(st: Standings) -> str:
    """Row model minus column model on the headline figure; a dot marks Holm-significant differences."""
    n = len(st.rows)
    cell, left, top = 40, 150, 120
    width, height = left + cell * n + 10, top + cell * n + 10
    by_pair = {(p.a, p.b): p for p in st.pairs}
    ids = [r.id for r in st.rows]
    scale = max([abs(p.difference) for p in st.pairs if not math.isnan(p.difference)] or [1.0]) or 1.0
    body = _column_labels(st, left, top, cell)
    for i, a in enumerate(ids):
        y = top + cell * i
        body.append(_row_label(st.rows[i].name[:24], left, y, cell))
        for j, b in enumerate(ids):
            if i == j:
                continue
            pair = by_pair.get((a, b))
            sign = 1.0
            if pair is None:
                pair, sign = by_pair[(b, a)], -1.0
            d, lo, hi = sign * pair.difference, sign * (pair.lower if sign > 0 else pair.upper), \
                sign * (pair.upper if sign > 0 else pair.lower)
            mark = (f'<circle cx="{left + cell * j + cell - 8}" cy="{y + 7}" r="2.5" fill="#222"/>'
                    if pair.p_holm < 0.05 else "")
            body.append(f'<g><title>{escape(st.rows[i].name)} − {escape(st.rows[j].name)}: {format_percent(d)} '
                        f'[{format_percent(lo)}, {format_percent(hi)}], Holm p = {pair.p_holm:.3g}</title>'
                        f'<rect x="{left + cell * j}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                        f'fill="{_diverging(d, scale)}"/><text x="{left + cell * j + cell / 2 - 1:.1f}" '
                        f'y="{y + cell / 2 + 4:.1f}" text-anchor="middle" {_FONT}>{format_percent(d, 0)}</text>{mark}</g>')
    return _svg(width, height, "Pairwise differences of Avg. PASS (row minus column, points); dot: Holm p < 0.05", body)
