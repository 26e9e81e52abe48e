"""README.md of a build: YAML front matter (configs, dataset_info) + the dataset card rendered from a template.

The template is prose with ``{{placeholder}}`` slots (``dataset_card.md`` at the
repository root, shipped in the package as ``rose_bench/dataset_builder/dataset_card.md``);
everything numeric is filled from the build's own description, so the card
never disagrees with the files it ships with.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml

from rose_bench.scoring.contract import (
    BRIDGE_TEMPLATES,
    DEFAULT_CONFIG,
    SPLITS,
    SUBSET_ORDER,
    SUBSET_SHORT,
    TEMPLATE_ORDER,
    all_configs,
    shard_glob,
)

TEMPLATE_NAME = "dataset_card.md"
DEFAULT_LICENSE = "cc-by-4.0"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_SOURCE_TEMPLATE = Path(__file__).resolve().parent.parent / TEMPLATE_NAME


class CardError(ValueError):
    pass


def load_template() -> str:
    """The card template: packaged copy first (wheel, editable install), then the source checkout."""
    try:
        packaged = resources.files("rose_bench.dataset_builder").joinpath(TEMPLATE_NAME)
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        pass
    if _SOURCE_TEMPLATE.is_file():
        return _SOURCE_TEMPLATE.read_text(encoding="utf-8")
    raise CardError(f"{TEMPLATE_NAME}: not found in the package nor at {_SOURCE_TEMPLATE} (fix: reinstall rose-bench)")


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{{name}}`` slots; an unknown slot is an error rather than literal braces in a published card."""
    unknown = sorted({m.group(1) for m in _PLACEHOLDER.finditer(template)} - set(values))
    if unknown:
        raise CardError(f"{TEMPLATE_NAME}: unknown placeholder(s) {', '.join(unknown)} (known: {', '.join(sorted(values))})")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


# -- YAML front matter ---------------------------------------------------------------------------


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "1M<n<10M"


def front_matter(description: Mapping[str, Any], features: Mapping[str, Any], data_sizes: Mapping[str, int]) -> dict[str, Any]:
    parquet_rows = description["counts"]["parquet_rows"]
    arrow_bytes = description["counts"]["arrow_bytes"]
    configs, infos = [], []
    for name, folders in all_configs().items():
        # a split (or a folder within it) without rows has no shards and is not declared
        present = {split: [f for f in folders if parquet_rows[f][split]] for split in SPLITS}
        splits = [split for split in SPLITS if present[split]]
        if not splits:
            continue
        entry: dict[str, Any] = {"config_name": name, "data_files": []}
        for split in splits:
            paths = [shard_glob(f, split) for f in present[split]]
            entry["data_files"].append({"split": split, "path": paths[0] if len(paths) == 1 else paths})
        if name == DEFAULT_CONFIG:
            entry["default"] = True
        configs.append(entry)
        info = {"config_name": name, "features": features[folders[0]]._to_yaml_list()}
        info["splits"] = [
            {
                "name": split,
                "num_bytes": sum(arrow_bytes[f][split] for f in folders),
                "num_examples": sum(parquet_rows[f][split] for f in folders),
            }
            for split in splits
        ]
        info["download_size"] = sum(data_sizes.get(f, 0) for f in folders)
        info["dataset_size"] = sum(s["num_bytes"] for s in info["splits"])
        infos.append(info)
    return {
        "license": description.get("license") or DEFAULT_LICENSE,
        "pretty_name": "ROSE (rose-bench)",
        "language": ["en", "zh"],
        "task_categories": ["image-text-to-text", "visual-question-answering"],
        "tags": ["benchmark", "grounding", "counting", "visual-reasoning", "synthetic"],
        "size_categories": [_size_category(description["counts"]["total_rows"])],
        "configs": configs,
        "dataset_info": infos,
    }


# -- card sections -------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _dist(counter: Mapping[str, int], max_items: int = 8) -> str:
    """``value: n`` pairs, or for long numeric distributions ``min–max (median m)`` to keep the table readable."""
    if len(counter) > max_items and all(k.lstrip("-").isdigit() for k in counter):
        values = sorted(int(k) for k in counter)
        expanded = sorted(int(k) for k, n in counter.items() for _ in range(n))
        return f"{values[0]}–{values[-1]} (median {expanded[len(expanded) // 2]}, {len(values)} distinct)"
    return ", ".join(f"{k}: {v}" for k, v in counter.items()) or "—"


def _short(subset: str) -> str:
    return SUBSET_SHORT.get(subset, subset)


def counts_table(description: Mapping[str, Any]) -> str:
    c = description["counts"]
    templates = list(TEMPLATE_ORDER + BRIDGE_TEMPLATES)
    header = ["Subset", "Split", "Scenes", "Images"] + [t.split("_")[0] for t in templates]
    rows = []
    for subset in c["rows"]:
        for split in SPLITS:
            per = c["rows"][subset][split]
            rows.append([subset, split, c["scenes"][subset][split], c["images"][subset][split]] + [per.get(t, 0) for t in templates])
    totals = ["**Total**", "", c["total_scenes"], c["total_images"]]
    totals += [sum(c["rows"][s][sp].get(t, 0) for s in c["rows"] for sp in SPLITS) for t in templates]
    return _table(header, rows + [totals])


def configs_table(description: Mapping[str, Any]) -> str:
    pr = description["counts"]["parquet_rows"]
    rows = []
    for name, folders in all_configs().items():
        label = f"`{name}`" + (" (default)" if name == DEFAULT_CONFIG else "")
        rows.append([label, ", ".join(f"`data/{f}`" for f in folders)] + [sum(pr[f][s] for f in folders) for s in SPLITS])
    return _table(["Config", "Folders"] + [f"{s} rows" for s in SPLITS], rows)


def statistics_section(description: Mapping[str, Any]) -> str:
    stats = description["statistics"]
    scene_rows = [
        [_short(s), _dist(v["grid_size_profile"]), _dist(v["rows"]), _dist(v["cols"]), _dist(v["cell_size"]), _dist(v["global_target_count"]), _dist(v["difficulty"])]
        for s, v in stats["per_subset"].items()
    ]
    task_rows = [
        [t, _dist(v["region_type"]), _dist(v["region_case"]), _dist(v["ground_truth_count"])]
        for t, v in stats["per_template"].items()
    ]
    return "\n\n".join(
        [
            "Per scene (both splits):",
            _table(["Subset", "Grid profile", "Rows", "Cols", "Cell size (px)", "Targets per scene", "Difficulty"], scene_rows),
            "Per task row (both splits):",
            _table(["Template", "Region type", "Region case", "Ground-truth count"], task_rows),
        ]
    )


def _licences_in(obj: Any, out: list[str]) -> None:
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if re.fullmatch(r"(.*_)?licen[cs]es?", str(k), re.I) and isinstance(v, (str, list)):
                for item in [v] if isinstance(v, str) else v:
                    if isinstance(item, str) and item not in out:
                        out.append(item)
            else:
                _licences_in(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _licences_in(v, out)


def licences_section(description: Mapping[str, Any]) -> str:
    provenance = description.get("provenance") or {}
    rows = []
    for subset in description["subsets"]:
        found: list[str] = []
        _licences_in(provenance.get(subset), found)
        rows.append([subset, ", ".join(found) if found else "not recorded by the source"])
    return _table(["Subset", "Asset licence(s) (from the source's provenance)"], rows)


def provenance_section(description: Mapping[str, Any]) -> str:
    provenance = description.get("provenance") or {}
    if not provenance:
        return "_No provenance was recorded for this build._"
    body = json.dumps(provenance, ensure_ascii=False, indent=2, sort_keys=False)
    return f"<details><summary>Asset provenance per subset (as recorded in manifest.json)</summary>\n\n```json\n{body}\n```\n\n</details>"


def version_section(description: Mapping[str, Any]) -> str:
    code = description.get("code_version") or {}
    versions = description["versions"]
    commit = code.get("git_commit") or "not built from a git checkout"
    if code.get("git_dirty"):
        commit += " (with uncommitted changes)"
    lines = [
        f"- rose-bench code: {code.get('version', 'unknown')}, commit {commit}",
        f"- generator seed: {description['seed']}, scale: {description['scale']}",
        f"- generator config hash: {description.get('config_hash') or 'not recorded'}",
        "- `dataset_version` per subset: "
        + "; ".join(f"{_short(s)} = {', '.join(v)}" for s, v in versions["dataset_version"].items()),
        "- bridge `dataset_version`: "
        + ("; ".join(f"{t.split('_')[0]} = {', '.join(v)}" for t, v in versions["bridge_dataset_version"].items()) or "none"),
        "- `protocol_version` per template: "
        + "; ".join(f"{t.split('_')[0]} = {', '.join(v)}" for t, v in versions["protocol_version"].items()),
    ]
    return "\n".join(lines)


def choices_section(description: Mapping[str, Any]) -> str:
    choices = description.get("choices") or []
    if not choices:
        return "_No generator choices were recorded in this build's `build_info`._"
    return "\n".join(f"- {c}" for c in choices)


def solvability_section(description: Mapping[str, Any]) -> str:
    """The solver certificate as a table, or a plain statement that the build was not certified."""
    record = description.get("solvability")
    if not record:
        return "_No solvability certificate was recorded for this build (run `rose certify <build dir>`)._"
    if not record.get("certified"):
        reason = record.get("reason") or "the check did not pass"
        return f"**Not certified**: {reason}. Run `rose certify <build dir>` to check every row."
    lines = [
        f"**Certified**: the reference solver (policy `{record.get('policy')}`, rose-bench {record.get('solver_version')}) "
        f"answered all {record.get('rows_checked')} rows of every template and bridge from the image and the prompts "
        "alone, and every answer scores PASS 1.0 under the official rules. `rose certify <build dir>` repeats the check.",
    ]
    per_subset = record.get("by_subset_template") or {}
    templates: list[str] = []
    for per_template in per_subset.values():
        templates += [t for t in per_template if t not in templates]
    totals = record.get("by_subset") or {}
    rows = [
        [_short(subset)]
        + [f"{per[t]['pass_rate']:.3f} ({per[t]['items']})" if t in per else "—" for t in templates]
        + [f"{totals[subset]['pass_rate']:.3f} ({totals[subset]['items']})" if subset in totals else "—"]
        for subset, per in per_subset.items()
    ]
    if rows:
        lines.append("PASS per subset and template (rows checked in brackets):")
        lines.append(_table(["Subset"] + [t.split("_")[0] for t in templates] + ["All"], rows))
    return "\n\n".join(lines)


def fidelity_section(description: Mapping[str, Any]) -> str:
    """The ``rose stats`` table of the build's test bridge rows against ROSE v0.1 (recorded in the manifest)."""
    from . import fidelity

    report = description.get("fidelity")
    if not report:
        return "_No `rose stats` comparison was recorded for this build (run `rose stats <build dir>`)._"
    verdict = fidelity.from_json(report)
    intro = (
        f"`rose stats` on this build's `{report.get('split', 'test')}` split against the {report.get('reference')}: per subset "
        "and attribute the total-variation distance (TVD), a permutation p-value "
        f"({report.get('permutations')} permutations, seed {report.get('seed')}) and the means. `*` marks an attribute "
        f"outside the {1 - fidelity.ALPHA:.0%} noise band; the build passes when no more fall outside than chance explains."
    )
    table = fidelity.to_markdown(verdict).rstrip("\n")
    return f"{intro}\n\n<details><summary>{fidelity.summary_line(verdict)}</summary>\n\n{table}\n\n</details>"


def pair_reuse_section(description: Mapping[str, Any]) -> str:
    """How many scenes of each subset reuse an element pair (see ``pair_schedule``)."""
    reuse = (description.get("generator") or {}).get("pair_reuse") or {}
    if not reuse:
        return "_Pair use was not recorded for this build._"
    disjoint = (description.get("generator") or {}).get("disjoint_pairs")
    rows = [[_short(s), r["scenes"], r["pairs_available"], r["pairs_used"], r["reused_scenes"], r["max_uses"]]
            for s, r in reuse.items()]
    note = ("Dev and test scenes use separate pairs (`--disjoint-pairs`)." if disjoint else
            "Dev and test may share a pair when pairs are reused.")
    return _table(["Subset", "Scenes", "Pairs offered", "Pairs used", "Scenes reusing a pair", "Most uses of one pair"], rows) + "\n\n" + note


def render_readme(description: Mapping[str, Any], features: Mapping[str, Any], data_sizes: Mapping[str, int]) -> str:
    header = yaml.safe_dump(front_matter(description, features, data_sizes), sort_keys=False, allow_unicode=True, width=1000)
    values = {
        "version": version_section(description),
        "configs_table": configs_table(description),
        "counts_table": counts_table(description),
        "statistics": statistics_section(description),
        "licences": licences_section(description),
        "provenance": provenance_section(description),
        "choices": choices_section(description),
        "solvability": solvability_section(description),
        "fidelity": fidelity_section(description),
        "pair_reuse": pair_reuse_section(description),
        "subsets": ", ".join(_short(s) for s in description["subsets"] if s in SUBSET_ORDER),
    }
    return f"---\n{header}---\n\n" + render(load_template(), values).rstrip("\n") + "\n"
