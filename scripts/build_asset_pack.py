#!/usr/bin/env python3
"""Maintainer script: regenerate the committed emoji / pixel-art asset packs from pinned npm packages.

    python scripts/build_asset_pack.py all            # both packs (needs `npm` and `node` on PATH)
    python scripts/build_asset_pack.py emoji --cache /tmp/rose-npm

Every upstream package is fetched with ``npm pack <name>@<exact version>`` into
the cache directory (reused when present; its sha256 is recorded), unpacked in
a temporary directory and turned into a small pack under
``dataset_builder/assets/<kind>/``: PNG files, ``index.json`` (what the sources
read) and ``manifest.json`` (path, package, version, upstream path, SPDX licence,
attribution and sha256 of EVERY pack file).  The pack directory is replaced
atomically.  Same package versions -> byte-identical pack (no dates, fixed
orders, fixed PNG encoder settings).  Normal builds never run this script.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
from itertools import combinations
from pathlib import Path
from typing import Any

from PIL import Image

from rose_bench.dataset_builder.sources import emoji as E

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "dataset_builder" / "assets"
RESVG_VERSION = "0.5.0"
# the official v0.1 rows committed with the tests (same bytes as the release file)
DEFAULT_V01_ROWS = ROOT / "tests" / "fixtures" / "rose-v0.1-official" / "global_click_metadata_test.jsonl"

PACKAGES = {
    "twemoji": ("@discordapp/twemoji", "16.0.1"),
    "google": ("emoji-datasource-google", "16.0.0"),
    "fluent": ("@iconify-json/fluent-emoji-flat", "1.2.6"),
    "datasource": ("emoji-datasource", "16.0.0"),
    "emojibase": ("emojibase-data", "17.0.0"),
    "spdx": ("spdx-license-list", "6.10.0"),
    "dicebear_core": ("@dicebear/core", "9.4.3"),
    "dicebear_pixel": ("@dicebear/pixel-art", "9.4.3"),
    "pixelarticons": ("pixelarticons", "2.4.1"),
}

EMOJI_PX = 64            # stored emoji size (the Noto PNGs are 64 px natively)
STYLE_TARGET = 480       # EmojiStyle emoji (default build needs 300)
CONTENT_TARGET = 440     # EmojiContent candidate pairs (default build needs 300)
CONTENT_PER_EMOJI = 3    # an emoji appears in at most this many content pairs
CONTENT_PER_SUBGROUP = 20
DICEBEAR_CHARACTERS = 260
DICEBEAR_CONTENT_PAIRS = 220
ICON_EDIT_BASES = 120
MAX_FAMILY = 5           # pixelarticons sibling families larger than this are skipped
PAIRS_PER_FAMILY = 3
# pixelarticons that draw company / product logos: left out (trademarks, not generic pixel art)
BRAND_ICONS = frozenset("""ai-app-mac android app-mac app-windows apple bluesky deno discord docker facebook figma github
gitlab gmail google google-chrome instagram linkedin linkedin-2 linux mastodon netlify npm pixelarticons pnpm react
slack telegram tiktok twitter-bird vercel whatsapp youtube""".split())
ICON_COLOURS = ["1f2937", "1d4ed8", "b91c1c", "047857", "7c3aed", "c2410c", "0f766e", "a21caf"]

ATTRIBUTION = {
    "twemoji": "Twemoji graphics by Twitter, Inc. and other contributors (jdecked/twemoji fork, npm @discordapp/twemoji 16.0.1), "
               "licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); rasterised from SVG to PNG.",
    "google": "Noto Emoji images by Google LLC (npm emoji-datasource-google 16.0.0, 64 px PNGs), licensed under the Apache License 2.0.",
    "fluent": "Fluent Emoji (Flat) by Microsoft Corporation (npm @iconify-json/fluent-emoji-flat 1.2.6), MIT License; rasterised from SVG to PNG.",
    "datasource": "emoji-datasource 16.0.0 by Cal Henderson (iamcal/emoji-data), MIT License: emoji categories and sub-categories.",
    "emojibase": "emojibase-data 17.0.0 by Miles Johnson, MIT License (data derived from Unicode CLDR): English and Chinese names and group names.",
    "spdx": "Licence texts from spdx-license-list 6.10.0 (Sindre Sorhus), CC0-1.0.",
    "dicebear_pixel": "\"Pixel Art\" by DiceBear (https://www.dicebear.com), design CC0 1.0; rendered with @dicebear/core 9.4.3 (MIT).",
    "pixelarticons": "pixelarticons 2.4.1 by Gerrit Halfmann (https://pixelarticons.com), MIT License; rasterised at 24x24 and recoloured.",
    "dicebear_core": "@dicebear/core 9.4.3 by Florian Körner, MIT License (renderer only; no files of it are stored).",
    "project": "rose-bench (this project), MIT License.",
}
LICENSE = {"twemoji": "CC-BY-4.0", "google": "Apache-2.0", "fluent": "MIT", "datasource": "MIT", "emojibase": "MIT",
           "spdx": "CC0-1.0", "dicebear_pixel": "CC0-1.0", "dicebear_core": "MIT", "pixelarticons": "MIT"}


# -- fetching ---------------------------------------------------------------------------------------

def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(cache: Path, key: str) -> tuple[Path, str]:
    """Unpacked package dir (``.../package``) and the tarball's sha256; runs ``npm pack`` when not cached."""
    name, version = PACKAGES[key]
    tgz = cache / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tgz.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        cmd = ["npm", "pack", f"{name}@{version}", "--pack-destination", str(cache), "--silent"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0 or not tgz.is_file():
            sys.exit(f"npm pack {name}@{version} failed (exit {res.returncode}): {res.stderr.strip()[:500]}")
    out = cache / "unpacked" / tgz.stem
    if not (out / "package").is_dir():
        tmp = Path(tempfile.mkdtemp(dir=cache))
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, out)
    return out / "package", sha256_bytes(tgz.read_bytes())


def png_encode(img: Image.Image) -> bytes:
    """Deterministic, compact PNG (optimize, no metadata)."""
    clean = Image.frombytes(img.mode, img.size, img.tobytes())
    buf = io.BytesIO()
    clean.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def rasterise(svg: str, px: int) -> Image.Image:
    # imported here so that reading this script (tests, --help) needs no maintainer extra
    import resvg_py  # pip install -e ".[maint]"

    data = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=px, height=px))
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGBA").copy()


class PackWriter:
    """Collects files and their manifest records; ``commit`` atomically replaces the pack directory."""

    def __init__(self, kind: str, tarball_sha: dict[str, str]) -> None:
        self.kind = kind
        self.tarball_sha = tarball_sha
        self.files: dict[str, bytes] = {}
        self.records: list[dict[str, Any]] = []

    def add(self, path: str, data: bytes, source: str, upstream_path: str, modification: str,
            license: str | None = None) -> None:
        if path in self.files:
            raise ValueError(f"duplicate pack path {path}")
        self.files[path] = data
        if source == "project":
            package, version = "rose-bench", "(this repository)"
        else:
            package, version = PACKAGES[source]
        self.records.append({
            "path": path,
            "package": package,
            "version": version,
            "upstream_path": upstream_path,
            "license": license or ("MIT" if source == "project" else LICENSE[source]),
            "attribution": ATTRIBUTION[source],
            "modification": modification,
            "sha256": sha256_bytes(data),
        })

    def packages(self, keys: list[str]) -> list[dict[str, Any]]:
        return [
            {"package": PACKAGES[k][0], "version": PACKAGES[k][1], "license": LICENSE[k],
             "attribution": ATTRIBUTION[k], "tarball_sha256": self.tarball_sha[k]}
            for k in keys
        ]

    def commit(self, package_keys: list[str]) -> Path:
        final = ASSETS / self.kind
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.kind}-", dir=ASSETS))
        try:
            for rel, data in self.files.items():
                dest = tmp / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
            manifest = {
                "about": f"Licence and origin of every file in dataset_builder/assets/{self.kind} except this manifest. "
                         "Generated by scripts/build_asset_pack.py; checked by tests/dataset_builder/test_asset_manifest.py.",
                "generator": f"scripts/build_asset_pack.py {self.kind} (resvg-py {RESVG_VERSION}, Pillow PNG optimize=True)",
                "packages": self.packages(package_keys),
                "files": sorted(self.records, key=lambda r: r["path"]),
            }
            (tmp / "manifest.json").write_bytes(json_bytes(manifest))
            os.chmod(tmp, 0o755)
            old = None
            if final.exists():
                old = final.with_name(f".{self.kind}-old")
                if old.exists():
                    shutil.rmtree(old)
                os.replace(final, old)
            os.replace(tmp, final)
            if old is not None:
                shutil.rmtree(old)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return final


def add_licence_texts(pack: PackWriter, spdx_dir: Path, ids: list[str]) -> None:
    for lid in ids:
        text = json.loads((spdx_dir / "licenses" / f"{lid}.json").read_text(encoding="utf-8"))["licenseText"]
        pack.add(f"LICENSES/{lid}.txt", (text.rstrip() + "\n").encode("utf-8"), "spdx",
                 f"package/licenses/{lid}.json", "licenseText field extracted to plain text")


def attribution_md(kind: str, keys: list[str]) -> bytes:
    """Human-readable notice shipped inside the pack (also the text for the dataset card)."""
    lines = [f"# Attribution and licences: dataset_builder/assets/{kind}", "",
             "Files in this folder are derived from the packages below (exact versions; per-file details,",
             "upstream paths and sha256 in manifest.json; licence texts in LICENSES/).", ""]
    for k in keys:
        name, version = PACKAGES[k]
        lines.append(f"- `{name}@{version}` ({LICENSE[k]}): {ATTRIBUTION[k]}")
    lines += ["", "Regenerate with `python scripts/build_asset_pack.py " + kind + "` (needs npm and node).", ""]
    return "\n".join(lines).encode("utf-8")


def json_bytes(obj: dict[str, Any]) -> bytes:
    """Top-level keys one per line, list items one per line, each item compact: small and diff-friendly."""
    def dump(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))

    parts = []
    for key, value in obj.items():
        if isinstance(value, list) and value:
            body = ",\n  ".join(dump(v) for v in value)
            parts.append(f"{dump(key)}:[\n  {body}\n ]")
        else:
            parts.append(f"{dump(key)}:{dump(value)}")
    return ("{\n " + ",\n ".join(parts) + "\n}\n").encode("utf-8")


# -- emoji ------------------------------------------------------------------------------------------

def _group_key(category: str) -> str:
    return "-".join(w for w in category.lower().replace("&", " ").split())


def v01_group_labels(rows_path: Path, data: list[dict[str, Any]]) -> dict[str, str]:
    """(sub)group key -> the ``h2_label`` / ``h3_title`` string v0.1 rows use for it (facts from the
    MIT-licensed ROSE v0.1 release metadata); a key with conflicting labels is left out."""
    group_of: dict[str, tuple[str, str]] = {}
    for d in data:
        for u in [d["unified"]] + [v["unified"] for v in (d.get("skin_variations") or {}).values()]:
            group_of[E.normalise_key(u)] = (_group_key(d["category"]), d["subcategory"])
    seen: dict[str, set[str]] = {}
    with open(rows_path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            key = row.get("unicode_key") or row.get("background_unicode")
            if row.get("primitive_type") not in ("EMOJI_STYLE", "EMOJI_CONTENT") or key not in group_of:
                continue
            group, sub = group_of[key]
            seen.setdefault(group, set()).add(row["h2_label"])
            seen.setdefault(sub, set()).add(row["h3_title"])
    return {k: next(iter(v)) for k, v in sorted(seen.items()) if len(v) == 1}


def build_emoji(cache: Path, v01_rows: Path | None = None) -> Path:
    dirs, shas = {}, {}
    for k in ("twemoji", "google", "fluent", "datasource", "emojibase", "spdx"):
        dirs[k], shas[k] = fetch(cache, k)
    tw_dir = dirs["twemoji"] / "dist" / "svg"
    tw_files = {E.normalise_key(f[:-4]): f for f in sorted(os.listdir(tw_dir)) if f.endswith(".svg")}
    g_dir = dirs["google"] / "img" / "google" / "64"
    fl = json.loads((dirs["fluent"] / "icons.json").read_text(encoding="utf-8"))
    fl_chars = {E.normalise_key(k): v for k, v in json.loads((dirs["fluent"] / "chars.json").read_text()).items()}
    data = json.loads((dirs["datasource"] / "emoji.json").read_text(encoding="utf-8"))
    eb = dirs["emojibase"]
    zh = {E.normalise_key(d["hexcode"]): d["label"] for d in json.loads((eb / "zh" / "data.json").read_text("utf-8"))}
    en = {E.normalise_key(d["hexcode"]): d["label"] for d in json.loads((eb / "en" / "data.json").read_text("utf-8"))}
    msgs = json.loads((eb / "zh" / "messages.json").read_text("utf-8"))
    zh_group = {m["key"]: m["message"] for m in msgs["groups"] + msgs["subgroups"]}

    def fluent_svg(name: str) -> str:
        icon = fl["icons"].get(name)
        while icon is None:
            name = fl["aliases"][name]["parent"]
            icon = fl["icons"].get(name)
        w, h = icon.get("width", fl["width"]), icon.get("height", fl["height"])
        left, top = icon.get("left", 0), icon.get("top", 0)
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left} {top} {w} {h}">{icon["body"]}</svg>'

    candidates = []
    for d in sorted(data, key=lambda d: d["sort_order"]):
        key = E.normalise_key(d["unified"])
        if d["category"] == "Component" or key not in tw_files or key not in zh or key not in en:
            continue
        if not d.get("has_img_google") or not (g_dir / d["image"]).is_file():
            continue
        candidates.append({
            "unicode_key": key,
            "char": "".join(chr(int(h, 16)) for h in d["unified"].split("-")),
            "name_en": en[key],
            "name_zh": zh[key],
            "group": _group_key(d["category"]),
            "subgroup": d["subcategory"],
            "google_file": d["image"],
            "fluent_name": fl_chars.get(key),
        })
    by_key = {c["unicode_key"]: c for c in candidates}

    # h2/h3 labels: the exact v0.1 label when the v0.1 rows show one for this (sub)group, else
    # the first emoji of the group in sort order + the emojibase Chinese group name
    observed = v01_group_labels(v01_rows, data) if v01_rows else {}
    groups: dict[str, dict[str, str]] = {}
    for c in candidates:
        for g in (c["group"], c["subgroup"]):
            if g in observed:
                groups.setdefault(g, {"label": observed[g], "source": "rose-v0.1 rows"})
            else:
                groups.setdefault(g, {"label": c["char"] + zh_group.get(g, g), "source": "emojibase-data zh"})

    twemoji_png: dict[str, Image.Image] = {}

    def tw(key: str) -> Image.Image:
        if key not in twemoji_png:
            svg = (tw_dir / tw_files[key]).read_text(encoding="utf-8")
            twemoji_png[key] = rasterise(svg, EMOJI_PX)
        return twemoji_png[key]

    # EmojiContent: same-subgroup pairs, similar enough and visible; caps keep the list varied
    scored = []
    subgroups: dict[str, list[str]] = {}
    for c in candidates:
        subgroups.setdefault(c["subgroup"], []).append(c["unicode_key"])
    for sub, keys in subgroups.items():
        for a, b in combinations(keys, 2):
            sim = E.similarity(tw(a), tw(b))
            if sim < E.SIMILARITY_THRESHOLD:
                continue
            ta, tb = (E.render_emoji_tile(tw(k), E.CHECK_CELL_SIZE) for k in (a, b))
            if E.diff_pixels(ta, tb) < E.MIN_DIFF_PIXELS:
                continue
            scored.append((sim, sub, a, b))
    scored.sort(key=lambda t: (-t[0], t[2], t[3]))
    uses: dict[str, int] = {}
    per_sub: dict[str, int] = {}
    content_pairs = []
    for sim, sub, a, b in scored:
        if len(content_pairs) >= CONTENT_TARGET:
            break
        if uses.get(a, 0) >= CONTENT_PER_EMOJI or uses.get(b, 0) >= CONTENT_PER_EMOJI:
            continue
        if per_sub.get(sub, 0) >= CONTENT_PER_SUBGROUP:
            continue
        content_pairs.append(sorted((a, b)))
        uses[a] = uses.get(a, 0) + 1
        uses[b] = uses.get(b, 0) + 1
        per_sub[sub] = per_sub.get(sub, 0) + 1
    # order by (subgroup sort position, keys) rather than by score
    position = {c["unicode_key"]: i for i, c in enumerate(candidates)}
    content_pairs.sort(key=lambda p: (position[p[0]], position[p[1]]))

    # EmojiStyle: round-robin over sub-groups in sort order, emoji with all three providers
    queues = [[k for k in keys if by_key[k]["fluent_name"]] for keys in subgroups.values()]
    style_keys: list[str] = []
    while len(style_keys) < STYLE_TARGET and any(queues):
        for q in queues:
            if q and len(style_keys) < STYLE_TARGET:
                style_keys.append(q.pop(0))
    style_keys.sort(key=position.__getitem__)

    pack = PackWriter("emoji", shas)
    content_keys = {k for p in content_pairs for k in p}
    entries = []
    for c in candidates:
        key = c["unicode_key"]
        if key not in content_keys and key not in style_keys:
            continue
        images = {}
        path = f"twemoji_svg/{key}.png"
        pack.add(path, png_encode(tw(key)), "twemoji", f"package/dist/svg/{tw_files[key]}",
                 f"rasterised to {EMOJI_PX}x{EMOJI_PX} RGBA PNG with resvg-py")
        images["twemoji_svg"] = path
        if key in style_keys:
            with Image.open(g_dir / c["google_file"]) as im:
                g = im.convert("RGBA")
            path = f"noto_png/{key}.png"
            pack.add(path, png_encode(g), "google", f"package/img/google/64/{c['google_file']}",
                     "re-encoded losslessly (RGBA, optimised PNG)")
            images["noto_png"] = path
            path = f"fluent_flat_svg/{key}.png"
            pack.add(path, png_encode(rasterise(fluent_svg(c["fluent_name"]), EMOJI_PX)), "fluent",
                     f"package/icons.json#icons/{c['fluent_name']}",
                     f"SVG assembled from the icon body, rasterised to {EMOJI_PX}x{EMOJI_PX} RGBA PNG with resvg-py")
            images["fluent_flat_svg"] = path
        entries.append({k: c[k] for k in ("unicode_key", "char", "name_en", "name_zh", "group", "subgroup")}
                       | {"images": images})
    used_groups = {e["group"] for e in entries} | {e["subgroup"] for e in entries}
    index = {
        "about": "Emoji selected for ROSE-EmojiStyle / ROSE-EmojiContent (see dataset_builder/sources/emoji.py).",
        "packages": pack.packages(["twemoji", "google", "fluent", "datasource", "emojibase"]),
        "style_majority": "twemoji_svg",
        "style_targets": ["noto_png", "fluent_flat_svg"],
        "content_style": "twemoji_svg",
        "groups": {g: v for g, v in groups.items() if g in used_groups},
        "emoji": entries,
        "style_keys": style_keys,
        "content_pairs": content_pairs,
    }
    pack.add("index.json", json_bytes(index), "project", "-",
             "selection by scripts/build_asset_pack.py; names/groups from emoji-datasource 16.0.0 and emojibase-data "
             "17.0.0 (MIT)" + ("; h2/h3 labels observed in the ROSE v0.1 release metadata "
                              "(github.com/xbdxwyh/ROSE-v0.1, MIT, Copyright (c) 2026 wangyihao)" if observed else ""))
    add_licence_texts(pack, dirs["spdx"], ["Apache-2.0", "CC-BY-4.0", "MIT"])
    for k, fname in (("twemoji", "Twemoji-LICENSE.txt"), ("datasource", "emoji-datasource-LICENSE.txt"),
                     ("emojibase", "emojibase-data-LICENSE.txt")):
        pack.add(f"LICENSES/{fname}", (dirs[k] / "LICENSE").read_bytes(), k, "package/LICENSE",
                 "unmodified (copyright notice of the package)", license="MIT")
    pack.add("ATTRIBUTION.md", attribution_md("emoji", ["twemoji", "google", "fluent", "datasource", "emojibase", "spdx"]),
             "project", "-", "generated notice")
    print(f"emoji: {len(candidates)} candidates, {len(scored)} similar+visible pairs, "
          f"{len(content_pairs)} content pairs, {len(style_keys)} style emoji, {len(pack.files)} files")
    return pack.commit(["twemoji", "google", "fluent", "datasource", "emojibase", "spdx"])


# -- pixel art ----------------------------------------------------------------------------------------

NODE_SCRIPT = r"""
import { createAvatar } from '@dicebear/core';
import * as pixelArt from '@dicebear/pixel-art';
import { readFileSync } from 'node:fs';
const jobs = JSON.parse(readFileSync(0, 'utf8'));
const props = pixelArt.schema.properties;
const enums = {};
for (const [k, v] of Object.entries(props)) if (v.items && v.items.enum) enums[k] = v.items.enum;
const out = jobs.map((options) => {
  const a = createAvatar(pixelArt, options).toJson();
  return { svg: a.svg, extra: a.extra };
});
process.stdout.write(JSON.stringify({ enums, out }));
"""

PARTS = ["accessories", "beard", "clothing", "eyes", "glasses", "hair", "hat", "mouth"]
OPTIONAL = {"accessories", "beard", "glasses", "hat"}
COLOURED = ["accessories", "clothing", "eyes", "glasses", "hair", "hat", "mouth", "skin"]


def explicit_options(extra: dict[str, Any]) -> dict[str, Any]:
    """Options that pin every part and colour, so changing one entry changes only that part."""
    opts: dict[str, Any] = {"seed": "rose"}
    for part in PARTS:
        if extra.get(part):
            opts[part] = [extra[part]]
            if part in OPTIONAL:
                opts[f"{part}Probability"] = 100
        elif part in OPTIONAL:
            opts[f"{part}Probability"] = 0
    for part in COLOURED:
        opts[f"{part}Color"] = [extra[f"{part}Color"].lstrip("#")]
    return opts


def run_dicebear(core: Path, style: Path, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        nm = Path(tmp) / "node_modules" / "@dicebear"
        nm.mkdir(parents=True)
        shutil.copytree(core, nm / "core")
        shutil.copytree(style, nm / "pixel-art")
        (Path(tmp) / "render.mjs").write_text(NODE_SCRIPT, encoding="utf-8")
        res = subprocess.run(["node", "render.mjs"], cwd=tmp, input=json.dumps(jobs), capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(f"node failed rendering DiceBear sprites: {res.stderr[:800]}")
        return json.loads(res.stdout)


def sprite_from_svg(svg: str, px: int) -> Image.Image:
    return rasterise(svg, px)


def build_pixel(cache: Path) -> Path:
    dirs, shas = {}, {}
    for k in ("dicebear_core", "dicebear_pixel", "pixelarticons", "spdx"):
        dirs[k], shas[k] = fetch(cache, k)
    pack = PackWriter("pixel", shas)
    rng = random.Random("rose-bench pixel pack v1")

    # DiceBear characters from fixed seeds, then re-rendered from fully explicit options
    seeds = [{"seed": f"rose-pixel-{i:03d}"} for i in range(DICEBEAR_CHARACTERS)]
    first = run_dicebear(dirs["dicebear_core"], dirs["dicebear_pixel"], seeds)
    enums = first["enums"]
    base_opts = [explicit_options(r["extra"]) for r in first["out"]]
    variant_opts, relations = [], []
    for i in range(DICEBEAR_CONTENT_PAIRS):
        opts = json.loads(json.dumps(base_opts[i]))
        part = PARTS[i % len(PARTS)] if i % 2 == 0 else ["eyes", "mouth", "hair", "glasses"][(i // 2) % 4]
        current = opts.get(part, [None])[0] if opts.get(f"{part}Probability", 100) else None
        if part in OPTIONAL and current is not None and rng.random() < 0.5:
            opts[f"{part}Probability"] = 0
            opts.pop(part, None)
            relation = f"{part}-removed"
        else:
            choices = [v for v in enums[part] if v != current]
            opts[part] = [rng.choice(sorted(choices))]
            if part in OPTIONAL:
                opts[f"{part}Probability"] = 100
            relation = f"{part}-{'added' if current is None else 'swapped'}"
        variant_opts.append(opts)
        relations.append(relation)
    rendered = run_dicebear(dirs["dicebear_core"], dirs["dicebear_pixel"], base_opts + variant_opts)["out"]
    sprites, edit_bases, content_pairs = [], [], []
    base_files = []
    for i, (opts, r) in enumerate(zip(base_opts, rendered[:DICEBEAR_CHARACTERS])):
        img = sprite_from_svg(r["svg"], 16)
        ref = sprite_from_svg(first["out"][i]["svg"], 16)
        if img.tobytes() != ref.tobytes():
            sys.exit(f"DiceBear character {i}: explicit options do not reproduce the seeded sprite")
        path = f"dicebear/char-{i:03d}.png"
        pack.add(path, png_encode(img), "dicebear_pixel", "package/lib/index.js + lib/components/*.js",
                 "rendered with @dicebear/core createAvatar(options in index.json) and rasterised to 16x16 with resvg-py")
        sprites.append({"path": path, "family": "dicebear", "options": opts})
        edit_bases.append(path)
        base_files.append(path)
    for i, (opts, r) in enumerate(zip(variant_opts, rendered[DICEBEAR_CHARACTERS:])):
        path = f"dicebear/char-{i:03d}-{relations[i]}.png"
        img = sprite_from_svg(r["svg"], 16)
        pack.add(path, png_encode(img), "dicebear_pixel", "package/lib/index.js + lib/components/*.js",
                 "rendered with @dicebear/core createAvatar(options in index.json) and rasterised to 16x16 with resvg-py")
        sprites.append({"path": path, "family": "dicebear", "options": opts})
        content_pairs.append({"majority": base_files[i], "target": path, "relation": relations[i]})

    # pixelarticons: name-related icon pairs (happy/sad, outline/solid, siblings) and edit bases
    svg_dir = dirs["pixelarticons"] / "svg"

    def stem(n: str) -> str:
        for suffix in ("-sharp", "-solid", "-glyph"):
            if n.endswith(suffix):
                return n[: -len(suffix)]
        return n

    names = sorted(f[:-4] for f in os.listdir(svg_dir) if f.endswith(".svg") and stem(f[:-4]) not in BRAND_ICONS)
    name_set = set(names)

    def colour_of(n: str) -> str:
        return ICON_COLOURS[int(hashlib.sha256(stem(n).split("-")[0].encode()).hexdigest(), 16) % len(ICON_COLOURS)]

    icon_paths: dict[str, str] = {}

    def icon(n: str) -> str:
        if n not in icon_paths:
            svg = (svg_dir / f"{n}.svg").read_text(encoding="utf-8").replace("currentColor", f"#{colour_of(n)}")
            img = sprite_from_svg(svg, 24)
            path = f"pixelarticons/{n}.png"
            pack.add(path, png_encode(img), "pixelarticons", f"package/svg/{n}.svg",
                     f"fill currentColor -> #{colour_of(n)}, rasterised to 24x24 with resvg-py")
            sprites.append({"path": path, "family": "pixelarticons", "colour": colour_of(n)})
            icon_paths[n] = path
        return icon_paths[n]

    icon_pairs: list[tuple[str, str, str]] = []
    for n in names:
        if n.endswith("-solid") and stem(n) in name_set:
            icon_pairs.append((stem(n), n, "outline-solid"))
        if n.endswith("-glyph") and stem(n) in name_set:
            icon_pairs.append((stem(n), n, "outline-glyph"))
    for n in names:
        if "-happy" in n and n.replace("-happy", "-sad") in name_set:
            icon_pairs.append((n, n.replace("-happy", "-sad"), "happy-sad"))
    plain = [n for n in names if stem(n) == n]
    families: dict[str, list[str]] = {}
    for n in plain:
        if "-" in n:
            families.setdefault(n.rsplit("-", 1)[0], []).append(n)
    for fam, members in sorted(families.items()):
        if len(members) > MAX_FAMILY:
            continue  # e.g. the alphabet: different letters are not "related" sprites
        siblings = [(a, b) for a, b in combinations(members, 2)
                    if not any({a, b} == {x, y} for x, y, _ in icon_pairs)]
        icon_pairs.extend((a, b, "sibling") for a, b in siblings[:PAIRS_PER_FAMILY])
    for a, b, rel in icon_pairs:
        content_pairs.append({"majority": icon(a), "target": icon(b), "relation": rel})
    used_in_pairs = {n for a, b, _ in icon_pairs for n in (a, b)}
    edit_icons = [n for n in plain if n not in used_in_pairs]
    step = max(1, len(edit_icons) // ICON_EDIT_BASES)
    for n in edit_icons[::step][:ICON_EDIT_BASES]:
        edit_bases.append(icon(n))

    index = {
        "about": "Sprites for ROSE-PixelEdit / ROSE-PixelContent (see dataset_builder/sources/pixel.py).",
        "packages": pack.packages(["dicebear_pixel", "dicebear_core", "pixelarticons"]),
        "sprites": sorted(sprites, key=lambda s: s["path"]),
        "edit_bases": edit_bases,
        "content_pairs": content_pairs,
    }
    pack.add("index.json", json_bytes(index), "project", "-", "selection by scripts/build_asset_pack.py")
    pack.add("LICENSES/DiceBear-pixel-art-LICENSE.txt", (dirs["dicebear_pixel"] / "LICENSE").read_bytes(),
             "dicebear_pixel", "package/LICENSE", "unmodified (design CC0-1.0, code MIT)", license="MIT")
    pack.add("LICENSES/pixelarticons-LICENSE.txt", (dirs["pixelarticons"] / "LICENSE").read_bytes(),
             "pixelarticons", "package/LICENSE", "unmodified", license="MIT")
    add_licence_texts(pack, dirs["spdx"], ["CC0-1.0"])
    pack.add("ATTRIBUTION.md", attribution_md("pixel", ["dicebear_pixel", "dicebear_core", "pixelarticons", "spdx"]),
             "project", "-", "generated notice")
    print(f"pixel: {DICEBEAR_CHARACTERS} characters, {len(content_pairs)} content pairs "
          f"({len(icon_pairs)} icon pairs), {len(edit_bases)} edit bases, {len(pack.files)} files")
    return pack.commit(["dicebear_pixel", "dicebear_core", "pixelarticons", "spdx"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["emoji", "pixel", "all"])
    parser.add_argument("--v01-rows", type=Path, default=DEFAULT_V01_ROWS,
                        help="ROSE v0.1 metadata JSONL whose emoji rows give the exact h2/h3 label of each "
                             "(sub)group (default: %(default)s; skipped with a note when absent)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "rose-asset-npm",
                        help="where npm tarballs are downloaded / reused (default: %(default)s)")
    args = parser.parse_args(argv)
    for tool in ("npm", "node"):
        if shutil.which(tool) is None:
            print(f"error: `{tool}` is not on PATH (fix: install Node.js >= 18)", file=sys.stderr)
            return 2
    if args.kind in ("emoji", "all"):
        rows = args.v01_rows if args.v01_rows.is_file() else None
        if rows is None:
            print(f"note: {args.v01_rows} not found: every h2/h3 label comes from emojibase-data", file=sys.stderr)
        print(build_emoji(args.cache, rows))
    if args.kind in ("pixel", "all"):
        print(build_pixel(args.cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
