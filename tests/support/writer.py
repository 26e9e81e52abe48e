"""Official-format rows and small PNGs for the writer/manifest/export/publish tests.

Main T1..T5 rows are derived from real bridge rows of the official release
(fixtures): T1 from the global-click row, T3 from the matched local-count row,
T2/T4/T5 from T3's region, with every derived field recomputed through
``rose_bench.scoring.grid`` so that the gold answers score PASS.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path

from PIL import Image

from rose_bench.scoring.contract import SUBSET_IDS, SUBSET_ORDER, T1, T2, T3, T4, T5
from rose_bench.scoring.grammar import format_answer
from rose_bench.scoring.grid import Grid, keys_numeric, parse_cells, region_from_params

from .fixtures import GLOBAL_CLICK, MATCHED_COUNT, fixture_rows

_T1B_KEYS = ("source_item_id", "source_task_template", "bridge_task")
_T2B_KEYS = ("bridge_task", "bridge_type", "source_item_id", "source_click_item_id", "source_task_template", "source_task_mode")


def _item_id(subset: str, scene_no: int, t: int) -> str:
    return f"{SUBSET_IDS[subset][0]}ITEM_{5 * (scene_no - 1) + t:06d}"


def _region_fields(row: dict, region_type: str, params: dict) -> dict:
    """Every region-derived field of §5.1 for ``row``'s scene and the given region."""
    grid = Grid(row["rows"], row["cols"])
    region = region_from_params(region_type, params)
    cells = region.cells(grid)
    targets = parse_cells(row["all_target_cells"])
    inside = targets & cells
    return {
        "region_type": region_type,
        "region_params": params,
        "ground_truth_count": len(inside),
        "ground_truth_clicks": keys_numeric(inside),
        "region_target_cells": keys_numeric(inside),
        "region_non_target_count": len(cells) - len(inside),
        "num_out_region_targets": len(targets) - len(inside),
        "region_target_count": len(inside),
        "region_cell_count": len(cells),
        "region_ratio": round(len(cells) / grid.size, 6),
        "_inside": inside,
    }


def _main_row(base: dict, template: str, mode: str, item_id: str, fmt: str, region: dict, **extra) -> dict:
    row = {k: v for k, v in base.items() if k not in _T1B_KEYS and k not in _T2B_KEYS}
    inside = region.pop("_inside")
    row.update(region)
    row.update(item_id=item_id, task_template=template, task_mode=mode, expected_output_format=fmt)
    count = len(inside)
    row["ground_truth_formal_answer"] = row["answer"] = format_answer(mode, inside, count if mode == "COUNT" else None)
    row["prompt_local"] = f"[{template}] answer in the format {fmt}."
    row["prompt"] = row["prompt_global"] + "\n" + row["prompt_local"]
    row.update(extra)
    return {k: row[k] for k in base if k in row} | {k: v for k, v in row.items() if k not in base}


def scene_rows(per_subset: int = 2) -> list[dict]:
    """T1..T5 + T1B + T2B rows for the first ``per_subset`` scenes of every subset; every second scene is dev."""
    gclk = {r["scene_id"]: r for r in fixture_rows(GLOBAL_CLICK)}
    mlcnt = {r["scene_id"]: r for r in fixture_rows(MATCHED_COUNT)}
    out: list[dict] = []
    for subset in SUBSET_ORDER:
        scenes = sorted(s for s, r in gclk.items() if r["rose_subset"] == subset)[:per_subset]
        for i, scene_id in enumerate(scenes):
            g, m = copy.deepcopy(gclk[scene_id]), copy.deepcopy(mlcnt[scene_id])  # the cached rows stay untouched
            split = "dev" if i % 2 else "test"
            scene_no = int(scene_id.rsplit("_", 1)[1])
            main_base = dict(m, dataset_version=m["dataset_version"], difficulty=m["difficulty"])
            main_base["split"] = split
            g["split"] = m["split"] = split
            t3_type, t3_params = m["region_type"], m["region_params"]
            rows = [
                _main_row(main_base, T1, "COUNT", _item_id(subset, scene_no, 1), "COUNT(n)",
                          _region_fields(m, "GLOBAL", {}), region_case="all"),
                _main_row(main_base, T2, "COUNT", _item_id(subset, scene_no, 2), "COUNT(n)",
                          _region_fields(m, t3_type, t3_params)),
                _main_row(main_base, T3, "CLICK", _item_id(subset, scene_no, 3), "CLICK(Rr,Cc); ...; DONE",
                          _region_fields(m, t3_type, t3_params)),
            ]
            if t3_type == "RECTANGLE":
                vis = dict(t3_params)
            else:
                vis = {"r1": 1, "r2": 2, "c1": 1, "c2": 2}
            cued = f"{SUBSET_IDS[subset][0]}IMG_{2 * scene_no:06d}"
            rows.append(_main_row(
                main_base, T4, "CLICK", _item_id(subset, scene_no, 4), "CLICK(Rr,Cc); ...; DONE",
                _region_fields(m, "VISUAL_REGION", vis), cue_type="BOX", image_id=cued,
                image=f"images/{subset}/{cued}.png", image_cue_type="BOX", image_region_type="VISUAL_REGION",
                image_region_params=vis, image_note="cued image",
            ))
            rows.append(_main_row(
                main_base, T5, "CLICK_COUNT", _item_id(subset, scene_no, 5), "CLICK(Rr,Cc); ...; SUBMIT(n)",
                _region_fields(m, "EXCLUSION", {"exclude_type": t3_type, "exclude_params": t3_params}),
            ))
            for r, t in zip(rows, range(1, 6)):
                r["item_seed"] = SUBSET_IDS[subset][2] * 10**8 + 10 * scene_no + t
            out += rows + [g, m]
    return out


def png(seed: int, size: int = 24) -> bytes:
    """A small deterministic PNG that differs per seed."""
    img = Image.new("RGB", (size, size), ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    img.putpixel((seed % size, (seed // size) % size), (255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def images_for(rows: list[dict]) -> dict[tuple[str, str], bytes]:
    ids = sorted({(r["rose_subset"], r["image_id"]) for r in rows})
    return {key: png(i) for i, key in enumerate(ids)}


BUILD_INFO = {
    "seed": 7,
    "scale": "test",
    "subsets": list(SUBSET_ORDER),
    "config_hash": "sha256:test",
    "provenance": {"ROSE-ChineseGlyph": {"fonts": [{"name": "Noto Sans SC", "license": "OFL-1.1"}]}},
    "choices": ["T4 cue: translucent purple box (test build)."],
    # fixed, so that builds compare equal while the checkout changes under a running test session
    "code_version": {"package": "rose-bench", "version": "0.1.0", "git_commit": "0" * 40, "git_dirty": False},
}


def write_build(out_dir: Path, rows: list[dict] | None = None, **writer_options) -> Path:
    from rose_bench.dataset_builder.writer import DatasetWriter

    rows = scene_rows() if rows is None else rows
    with DatasetWriter(out_dir, **writer_options) as writer:
        for (subset, image_id), data in images_for(rows).items():
            writer.add_image(subset, image_id, data)
        writer.add_rows(rows)
        return writer.commit(BUILD_INFO)
