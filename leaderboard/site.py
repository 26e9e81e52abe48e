"""``rose leaderboard render``: the board as a self-contained static site (no network, no dates).

The table is plain HTML (readable without JavaScript); ``site.js`` only adds
sorting, filters and column toggles; the plots are inline SVG drawn in Python.
Every file is a function of the board, so the same board gives the same bytes.
"""

from __future__ import annotations

import math
import shutil
from html import escape
from pathlib import Path

from rose_bench import __version__
from rose_bench.scoring.io import InputError, atomic_dir
from rose_bench.scoring.paths import check_output
from rose_bench.scoring.uncertainty import FIGURES, HEADLINE

from .board import Board
from .exports import NO_FIGURE, pct, write_exports
from .standings import Row, Standings, standings
from .svg import difference_matrix, headline_intervals, scatter_counting_action, template_heatmap

__all__ = ["render_site", "SITE_MARK"]

SITE_MARK = '<meta name="generator" content="rose-bench leaderboard">'
_ASSETS = Path(__file__).with_name("site_assets")
TEMPLATE_COLUMNS = FIGURES[:5]


def _ci(fig: tuple[float, float, float]) -> str:
    _, lo, hi = fig
    return "" if math.isnan(lo) else f' <span class="ci">[{pct(lo)}, {pct(hi)}]</span>'


def _sort_key(x: float) -> str:
    return "-1" if math.isnan(x) else f"{x:.6f}"


def _page(title: str, body: str, prefix: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">{SITE_MARK}'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f'<link rel="icon" href="data:,"><link rel="stylesheet" href="{prefix}assets/site.css"></head><body>\n{body}\n</body></html>\n')


def _params(row: Row) -> str:
    if row.parameters is None:
        return NO_FIGURE
    return f"{row.parameters / 1e9:.1f}B" if row.parameters >= 1e8 else f"{row.parameters / 1e6:.0f}M"


def _table(st: Standings, hidden: bool) -> str:
    head = ['<th class="sortable" data-col="rank">Rank <span class="ci">[95%]</span></th>',
            '<th class="sortable" data-col="tier">Tier</th>', '<th class="sortable name">Model</th>',
            '<th class="sortable name" data-col="org">Organisation</th>', '<th class="sortable" data-col="open">Open</th>',
            '<th class="sortable" data-col="size">Size</th>',
            f'<th class="sortable">{escape(HEADLINE)}</th>',
            '<th class="sortable" data-col="counting">Counting</th>', '<th class="sortable" data-col="action">Action</th>',
            '<th class="sortable" data-col="gap">Gap</th>']
    head += [f'<th class="sortable" data-col="templates">{escape(t)}</th>' for t in TEMPLATE_COLUMNS]
    head += ['<th class="sortable" data-col="valid">VALID</th>', '<th class="sortable" data-col="variants">Variants</th>']
    if hidden:
        head += ['<th class="sortable" data-col="hidden">Hidden rank</th>', '<th class="sortable" data-col="hidden">Δ rank</th>']
    lines = ['<table id="board" class="board"><thead><tr>' + "".join(head) + "</tr></thead><tbody>"]
    for row in st.rows:
        f = row.figures
        classes = " ".join(c for c, on in (("baseline", row.baseline), ("partial", row.partial)) if on)
        cells = [
            f'<td data-col="rank" data-sort="{row.rank[0]}">{row.rank[0]} <span class="ci">[{row.rank[1]}–{row.rank[2]}]</span></td>',
            f'<td data-col="tier" data-sort="{row.tier}">{row.tier}</td>',
            f'<td class="name" data-sort="{escape(row.name.lower())}"><a href="models/{row.id}.html">{escape(row.name)}</a>'
            + (" <small>baseline</small>" if row.baseline else "") + "</td>",
            f'<td class="name" data-col="org">{escape(row.organisation)}</td>',
            f'<td data-col="open" data-sort="{int(row.open_weights)}">{"yes" if row.open_weights else "no"}</td>',
            f'<td data-col="size" data-sort="{row.parameters if row.parameters is not None else -1}">{_params(row)}</td>',
            f'<td data-sort="{_sort_key(f[HEADLINE][0])}"><b>{pct(f[HEADLINE][0])}</b>{_ci(f[HEADLINE])}</td>',
        ]
        for name, col in (("Counting Avg.", "counting"), ("Action Avg.", "action"), ("gap", "gap")):
            cells.append(f'<td data-col="{col}" data-sort="{_sort_key(f[name][0])}">{pct(f[name][0])}{_ci(f[name])}</td>')
        cells += [f'<td data-col="templates" data-sort="{_sort_key(f[t][0])}">{pct(f[t][0])}</td>' for t in TEMPLATE_COLUMNS]
        cells.append(f'<td data-col="valid" data-sort="{_sort_key(f["VALID"][0])}">{pct(f["VALID"][0])}</td>')
        cells.append(f'<td data-col="variants" data-sort="{row.variants_tried}">{row.variants_tried}</td>')
        if hidden:
            h = row.hidden_rank
            cells.append(f'<td data-col="hidden" data-sort="{h if h else -1}">{h if h else NO_FIGURE}</td>')
            cells.append(f'<td data-col="hidden" data-sort="{(h - row.rank[0]) if h else 0}">'
                         f'{f"{h - row.rank[0]:+d}" if h else NO_FIGURE}</td>')
        params = row.parameters if row.parameters is not None else ""
        lines.append(f'<tr data-id="{row.id}" data-open="{int(row.open_weights)}" data-baseline="{int(row.baseline)}" '
                     f'data-params="{params}" class="{classes}">' + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


_CONTROLS = """<div id="controls" class="controls" hidden>
<label><input type="checkbox" id="filter-open"> open weights only</label>
<label><input type="checkbox" id="filter-baselines"> hide baselines</label>
<label>max size (B params) <input type="number" id="filter-size" min="0" step="1" size="5"></label>
<span>columns:</span>
<label><input type="checkbox" data-column="templates" checked> templates</label>
<label><input type="checkbox" data-column="counting" checked> Counting</label>
<label><input type="checkbox" data-column="action" checked> Action</label>
<label><input type="checkbox" data-column="gap" checked> gap</label>
<label><input type="checkbox" data-column="org" checked> organisation</label>
<label><input type="checkbox" data-column="variants" checked> variants</label>
</div>"""


def _footer(board: Board, st: Standings, prefix: str = "") -> str:
    scorers = sorted({r.scorer_version for r in st.rows}) or [NO_FIGURE]
    return (f'<footer><p>Board revision {board.config["revision"]} · dataset <code>{escape(board.fingerprint)}</code> '
            f'({escape(board.split)} split, {st.items} items, {st.scenes} scenes) · scorer {escape(", ".join(scorers))} · '
            f'{st.replicates} bootstrap replicates, seed {st.seed} · rose-bench {escape(__version__)}</p>'
            f'<p>Downloads: <a href="{prefix}leaderboard.csv">CSV</a> · <a href="{prefix}leaderboard.json">JSON</a> · '
            f'<a href="{prefix}leaderboard.md">Markdown</a> · <a href="{prefix}table1.tex">Table 1 (LaTeX)</a> · '
            f'<a href="{prefix}table2.tex">Table 2 (LaTeX)</a></p></footer>')


def _index(board: Board, st: Standings) -> str:
    hidden = any(r.hidden_rank is not None for r in st.rows)
    mdd = NO_FIGURE if st.mdd is None else f"{pct(st.mdd)} points"
    body = [
        "<h1>ROSE leaderboard</h1>",
        f'<p class="header-figures">{len(st.rows)} rows ranked by {escape(HEADLINE)} (Table 1 macro average over subsets). '
        f"Intervals: 95% scene-clustered bootstrap (scenes resampled within each subset, every figure recomputed). "
        f"Ranks: 2.5–97.5% of each row's rank over replicates; tiers: rows no Holm-corrected paired test separates. "
        f"Smallest {escape(HEADLINE)} difference this split detects at 80% power: <b>{mdd}</b>.</p>",
        _CONTROLS, _table(st, hidden),
        '<h2>Plots</h2><div class="plots">',
        f"<figure>{scatter_counting_action(st)}<figcaption>Counting vs Action (below the line: a perception-to-action gap)"
        "</figcaption></figure>",
        f"<figure>{headline_intervals(st)}<figcaption>{escape(HEADLINE)} with 95% intervals</figcaption></figure>",
        f"<figure>{template_heatmap(st)}<figcaption>PASS per template</figcaption></figure>",
    ]
    if len(st.rows) > 1:
        body.append(f"<figure>{difference_matrix(st)}<figcaption>Paired differences (row − column)</figcaption></figure>")
    body.append("</div>")
    body.append(_footer(board, st))
    body.append('<script src="assets/site.js"></script>')
    return _page("ROSE leaderboard", "\n".join(body))


def _model_page(board: Board, st: Standings, row: Row) -> str:
    meta = board.submission(row.id)
    lines = [f'<p><a href="../index.html">← leaderboard</a></p><h1>{escape(row.name)}</h1>',
             f"<p>{escape(row.organisation)} · {'open' if row.open_weights else 'closed'} weights · size {_params(row)} · "
             f"rank {row.rank[0]} [{row.rank[1]}–{row.rank[2]}], tier {row.tier}"
             + (" · baseline" if row.baseline else "") + (" · partial coverage" if row.partial else "") + "</p>",
             f'<p>Per-item scores: <a href="../data/{row.id}.parquet">{row.id[:12]}….parquet</a> · '
             f"predictions sha256 <code>{row.id}</code></p>",
             '<table class="board"><thead><tr><th class="name">Figure</th><th>Value</th><th>95% interval</th></tr></thead><tbody>']
    for name in FIGURES:
        p, lo, hi = row.figures[name]
        lines.append(f'<tr><td class="name">{escape(name)}</td><td>{pct(p)}</td>'
                     f"<td>{NO_FIGURE if math.isnan(lo) else f'{pct(lo)} – {pct(hi)}'}</td></tr>")
    lines.append("</tbody></table><h2>Submission</h2>")
    harness = meta["harness"]
    lines.append("<ul>" + "".join(f"<li>{escape(k)}: <code>{escape(str(v))}</code></li>" for k, v in (
        ("harness", f"{harness['name']} {harness.get('version') or ''}".strip()),
        ("model args", harness.get("model_args")), ("revision / API id", meta["model"].get("revision") or meta["model"].get("api_model_id")),
        ("variants tried", meta["variants_tried"]), ("scorer", row.scorer_version),
        ("rose-bench of the submitter", meta["rose_bench_version"])) if v is not None) + "</ul>")
    lines.append(_footer(board, st, "../"))
    return _page(f"{row.name} · ROSE leaderboard", "\n".join(lines), "../")


def render_site(board_dir: Path, out: Path) -> Path:
    """Write the site to ``out`` (replaced atomically; refuses a folder that is not a previous site)."""
    board = Board(board_dir)
    out = check_output(out, [("--board", board.root)], flag="--out", overwrite=True)  # never in or around the board
    if out.exists() and any(out.iterdir()) and not _is_site(out):
        raise InputError(out, "exists and is not a site written by `rose leaderboard render`",
                         fix="choose a new --out folder")
    st = standings(board)
    with atomic_dir(out) as tmp:
        (tmp / "assets").mkdir()
        for name in ("site.css", "site.js"):
            shutil.copyfile(_ASSETS / name, tmp / "assets" / name)
        (tmp / "index.html").write_text(_index(board, st), encoding="utf-8")
        (tmp / "models").mkdir()
        (tmp / "data").mkdir()
        for row in st.rows:
            (tmp / "models" / f"{row.id}.html").write_text(_model_page(board, st, row), encoding="utf-8")
            shutil.copyfile(board.folder(row.id) / "scores.parquet", tmp / "data" / f"{row.id}.parquet")
        write_exports(tmp, board, st)
    return out


def _is_site(path: Path) -> bool:
    index = path / "index.html"
    return index.is_file() and SITE_MARK in index.read_text(encoding="utf-8", errors="replace")[:2000]
