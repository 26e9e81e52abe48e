"""The lmms-eval hooks without lmms-eval's runner: prompts, per-item payloads, figures, data location.

Prompt snapshots: one frozen row per template (snapshots/frozen_docs.json, image
dropped; a small stand-in image is attached here).  Regenerate the expected
prompts with ``ROSE_UPDATE_SNAPSHOTS=1 pytest tests/lmms_tasks/test_hooks.py``.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from rose_bench.lmms_tasks import data_source, metrics, prompting
from rose_bench.scoring import aggregate
from rose_bench.scoring.item import ITEM_FIELDS, score_item

HERE = Path(__file__).parent
FROZEN_DOCS = json.loads((HERE / "snapshots" / "frozen_docs.json").read_text(encoding="utf-8"))
PROMPT_SNAPSHOT = HERE / "snapshots" / "prompts.json"
UPDATE = os.environ.get("ROSE_UPDATE_SNAPSHOTS") == "1"


def _doc(row: dict, color: tuple[int, int, int] = (10, 20, 30)) -> dict:
    return {**row, "image": Image.new("RGB", (row["cols"], row["rows"]), color)}


def _shown(messages: list[dict]) -> list[dict]:
    """Messages with the image replaced by a comparable description."""
    out = []
    for message in messages:
        parts = []
        for part in message["content"]:
            if part["type"] == "image":
                parts.append({"type": "image", "url": f"<{type(part['url']).__name__} {part['url'].size}>"})
            else:
                parts.append(part)
        out.append({"role": message["role"], "content": parts})
    return out


def _prompts() -> dict:
    return {
        row["task_template"]: {
            "doc_to_messages": _shown(prompting.doc_to_messages(_doc(row))),
            "doc_to_text": prompting.doc_to_text(_doc(row)),
        }
        for row in FROZEN_DOCS
    }


def test_prompt_snapshot() -> None:
    current = _prompts()
    if UPDATE or not PROMPT_SNAPSHOT.exists():
        PROMPT_SNAPSHOT.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote missing snapshot {PROMPT_SNAPSHOT}; check it and re-run")
    expected = json.loads(PROMPT_SNAPSHOT.read_text(encoding="utf-8"))
    assert current == expected, "prompt changed; if intended, re-run with ROSE_UPDATE_SNAPSHOTS=1"


@pytest.mark.parametrize("row", FROZEN_DOCS, ids=[r["task_template"] for r in FROZEN_DOCS])
def test_messages_are_global_image_local_in_that_order(row: dict) -> None:
    doc = _doc(row)
    (message,) = prompting.doc_to_messages(doc)
    assert message["role"] == "user"
    assert [p["type"] for p in message["content"]] == ["text", "image", "text"]
    assert message["content"][0]["text"] == row["prompt_global"].strip()
    assert message["content"][1]["url"] is doc["image"]
    assert message["content"][2]["text"] == row["prompt_local"].strip()
    assert prompting.doc_to_visual(doc) == [doc["image"]]
    assert prompting.doc_to_text(doc) == row["prompt_global"].strip() + "\n\n" + row["prompt_local"].strip()


def test_openai_payload_keeps_the_order_and_the_pixels() -> None:
    """What lmms-eval's OpenAI chat adapter builds from our messages (no HTTP)."""
    import base64
    import io

    from lmms_eval.protocol import ChatMessages

    row = FROZEN_DOCS[3]  # T4: the cued image
    doc = _doc(row, color=(124, 58, 237))
    openai = ChatMessages(messages=prompting.doc_to_messages(doc)).to_openai_messages()
    (message,) = openai
    assert [p["type"] for p in message["content"]] == ["text", "image_url", "text"]
    assert [p.get("text") for p in message["content"]] == [row["prompt_global"].strip(), None, row["prompt_local"].strip()]
    url = message["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent.size == doc["image"].size and sent.convert("RGB").tobytes() == doc["image"].tobytes()


def test_prompt_falls_back_to_prompt_when_both_parts_are_empty() -> None:
    doc = _doc({**FROZEN_DOCS[0], "prompt_global": "", "prompt_local": "  ", "prompt": " whole prompt \n"})
    assert prompting.doc_to_messages(doc)[0]["content"] == [
        {"type": "text", "text": "whole prompt"}, {"type": "image", "url": doc["image"]},
    ]
    assert prompting.doc_to_text(doc) == "whole prompt"


# --- process_results ---------------------------------------------------------------------------------

ANSWERS = ["", "COUNT(2)", "CLICK(R1,C1); DONE", "CLICK(R1,C1); SUBMIT(1)", "  DONE \n", "I think 3", "SUBMIT(0)"]


@pytest.mark.parametrize("row", FROZEN_DOCS, ids=[r["task_template"] for r in FROZEN_DOCS])
def test_process_results_payload(row: dict) -> None:
    answer = row["answer"]
    out = metrics.process_results_all(dict(row), ["  " + answer + "\n"])
    assert list(out) == list(metrics.FIGURES)
    payload = out[metrics.PAYLOAD_METRIC]
    assert list(payload) == list(ITEM_FIELDS)
    for key in ("item_id", "scene_id", "rose_subset", "task_template", "task_mode"):
        assert payload[key] == row[key]
    assert payload["raw_text"] == answer  # stripped, otherwise untouched
    assert payload["pass"] == 1 and payload["format_valid"] == 1
    assert payload == score_item(row, answer)
    for name in metrics.FIGURES[1:]:
        assert isinstance(out[name], metrics.ItemRef) and out[name].row is payload
        assert str(out[name]) == row["item_id"]


def test_lmms_failure_marker_is_scored_as_an_api_error() -> None:
    row = FROZEN_DOCS[0]
    marker = "[LMMS_EVAL_REQUEST_FAILED after 5 retries] Connection refused"
    payload = metrics.process_results_all(dict(row), [marker])["pass"]
    assert payload["api_error"] == 1 and payload["raw_text"] is None and payload["api_error_text"] == marker
    assert payload["pass"] == 0


def test_process_results_is_thread_safe() -> None:
    jobs = [(row, text) for row in FROZEN_DOCS for text in ANSWERS + [row["answer"]]] * 20
    sequential = [metrics.process_results_all(dict(row), [text])["pass"] for row, text in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda job: metrics.process_results_all(dict(job[0]), [job[1]])["pass"], jobs))
    assert threaded == sequential


# --- aggregation ---------------------------------------------------------------------------------------

def _items(rows_and_answers) -> list[dict]:
    return [metrics.process_results_all(dict(row), [text]) for row, text in rows_and_answers]


@pytest.mark.parametrize("kind", sorted(metrics.TASK_FIGURES))
def test_each_task_kind_returns_exactly_its_figures(kind: str) -> None:
    out = getattr(metrics, f"process_results_{kind}")(dict(FROZEN_DOCS[0]), ["COUNT(1)"])
    assert tuple(out) == metrics.TASK_FIGURES[kind] and out["pass"]["item_id"] == FROZEN_DOCS[0]["item_id"]


@pytest.mark.parametrize(
    "templates",
    [("T1_COUNT_GLOBAL", "T2_COUNT_LOCAL_NUMERIC"), ("T3_CLICK_LOCAL_NUMERIC", "T4_CLICK_VISUAL_REGION",
     "T5_CLICK_COUNT_EXCLUSION"), None, ("T1B_CLICK_GLOBAL",)],
    ids=["count", "action", "all", "global_click"],
)
def test_aggregations_report_the_scoring_library_figures(templates) -> None:
    rows = [r for r in FROZEN_DOCS if templates is None or r["task_template"] in templates]
    items = _items((row, text) for row in rows for text in ANSWERS + [row["answer"]])
    scored = [item["pass"] for item in items]
    t1, t2, gap = aggregate.table1(scored), aggregate.table2(scored), aggregate.perception_action_gap(scored)
    expected = {
        "pass": t1["Avg. PASS"], "soft": t1["Avg. SOFT"], "valid": t1["VALID"],
        "g_cnt": t2["G-Cnt"], "l_cnt": t2["L-Cnt"], "l_clk": t2["L-Clk"], "v_clk": t2["V-Clk"],
        "excl_cs": t2["Excl. C+S"], "c_f1": t2["C-F1"], "r_ok": t2["R-OK"],
        "counting_avg": gap["Counting Avg."], "action_avg": gap["Action Avg."], "gap": gap["gap"],
    }
    got = {name: getattr(metrics, f"agg_{name}")([item[name] for item in items]) for name in metrics.FIGURES}
    assert got == expected
    assert got["pass"] is not None and 0 < got["pass"] < 1
    if templates is not None and "T3_CLICK_LOCAL_NUMERIC" not in templates:
        assert got["l_clk"] is None and got["action_avg"] is None  # missing, never 0


def test_aggregation_cache_tells_tasks_apart() -> None:
    right = _items((row, row["answer"]) for row in FROZEN_DOCS)
    wrong = _items((row, "nonsense") for row in FROZEN_DOCS)
    assert metrics.agg_pass([i["pass"] for i in right]) == 1.0
    assert metrics.agg_pass([i["pass"] for i in wrong]) == 0.0
    assert metrics.agg_soft([i["soft"] for i in right]) == 1.0
    assert metrics.agg_valid([i["valid"] for i in wrong]) == 0.0


# --- withheld split ----------------------------------------------------------------------------------------

def _withheld(row: dict) -> dict:
    from rose_bench.scoring.answer_key import WITHHELD_COLUMNS

    return {k: v for k, v in row.items() if k not in WITHHELD_COLUMNS}


@pytest.mark.parametrize("kind", sorted(metrics.TASK_FIGURES))
def test_withheld_rows_keep_the_answer_and_report_no_figure(kind: str, caplog) -> None:
    process = getattr(metrics, f"process_results_{kind}")
    marker = "[LMMS_EVAL_REQUEST_FAILED after 5 retries] refused"
    items = [process(_withheld(row), [text]) for row in FROZEN_DOCS for text in ("  COUNT(3)\n", marker)]
    payloads = [item["pass"] for item in items]
    assert all(tuple(item) == metrics.TASK_FIGURES[kind] for item in items)
    for payload, row in zip(payloads[::2], FROZEN_DOCS):
        assert payload["withheld"] is True and payload["raw_text"] == "COUNT(3)"
        assert {k: payload[k] for k in ("item_id", "scene_id", "task_template", "task_mode")} == \
            {k: row[k] for k in ("item_id", "scene_id", "task_template", "task_mode")}
        assert "pass" not in payload and "ground_truth_formal_answer" not in payload
    assert all(p["raw_text"] is None and p["api_error_text"] == marker for p in payloads[1::2])
    metrics._warn_withheld.cache_clear()  # the warning is once per process; this test checks it is given
    with caplog.at_level("WARNING", logger=metrics.__name__):
        figures = {name: getattr(metrics, f"agg_{name}")([item[name] for item in items])
                   for name in metrics.TASK_FIGURES[kind]}
    assert figures and all(value is None for value in figures.values())
    warnings = [r.getMessage() for r in caplog.records if r.name == metrics.__name__]
    assert len(warnings) == 1 and "rose score" in warnings[0] and "--answer-key" in warnings[0]


def test_doc_to_target_is_the_answer_or_a_withheld_marker() -> None:
    row = FROZEN_DOCS[0]
    assert metrics.doc_to_target(row) == row["answer"]
    assert metrics.doc_to_target(_withheld(row)) == metrics.WITHHELD_TARGET == "[withheld]"


# --- data location ---------------------------------------------------------------------------------------

def _build_dir(tmp_path: Path, name: str = "rose-bench") -> Path:
    path = tmp_path / name
    path.mkdir()
    (path / "README.md").write_text("---\nconfigs: []\n---\n", encoding="utf-8")
    return path


def test_data_source_defaults_to_rose_bench_in_the_working_directory(tmp_path: Path) -> None:
    build = _build_dir(tmp_path)
    assert data_source.resolve({}, cwd=tmp_path) == (str(build.resolve()), {})


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"ROSE_BENCH_DATA": "other"}, "LOCAL"),
        ({"ROSE_BENCH_DATA": "someone/rose-bench"}, ("someone/rose-bench", {})),
        ({"ROSE_BENCH_DATA": "someone/rose-bench", "ROSE_BENCH_REVISION": "abc123"}, ("someone/rose-bench", {"revision": "abc123"})),
    ],
    ids=["local-relative", "hub", "hub-revision"],
)
def test_data_source_from_environment(tmp_path: Path, env: dict, expected) -> None:
    other = _build_dir(tmp_path, "other")
    if expected == "LOCAL":
        expected = (str(other.resolve()), {})
    assert data_source.resolve(env, cwd=tmp_path) == expected


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "ROSE_BENCH_DATA is unset"),
        ({"ROSE_BENCH_DATA": "./missing"}, "'./missing' is not a directory"),
        ({"ROSE_BENCH_DATA": "rose-bench", "ROSE_BENCH_REVISION": "v1"}, "has no revisions"),
        ({"ROSE_BENCH_DATA": "empty"}, "not a rose-bench build"),
    ],
    ids=["default-missing", "path-missing", "revision-on-local", "not-a-build"],
)
def test_data_source_errors_name_the_fix(tmp_path: Path, env: dict, message: str) -> None:
    if env.get("ROSE_BENCH_REVISION"):
        _build_dir(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(data_source.DataSourceError, match="fix: ") as info:
        data_source.resolve(env, cwd=tmp_path)
    assert message in str(info.value)


def test_yaml_reads_the_data_source_when_the_task_loads(tmp_path: Path, monkeypatch) -> None:
    build = _build_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ROSE_BENCH_DATA", "someone/rose")
    monkeypatch.setenv("ROSE_BENCH_REVISION", "0123abc")
    assert (data_source.dataset_path, data_source.dataset_kwargs) == ("someone/rose", {"revision": "0123abc"})
    monkeypatch.delenv("ROSE_BENCH_DATA")
    monkeypatch.delenv("ROSE_BENCH_REVISION")
    assert (data_source.dataset_path, data_source.dataset_kwargs) == (str(build.resolve()), {})


def test_data_source_refuses_a_build_that_lost_a_shard(tmp_path: Path) -> None:
    """Complete builds only: a shard listed in manifest.json but missing would load a silently smaller split."""
    build = tmp_path / "rose-bench"
    (build / "data" / "t1").mkdir(parents=True)
    (build / "README.md").write_text("---\nconfigs: []\n---\n", encoding="utf-8")
    listed = {"path": "data/t1/test-00000-of-00001.parquet", "size": 10, "sha256": "-"}
    (build / "manifest.json").write_text(json.dumps({"files": [listed]}), encoding="utf-8")
    with pytest.raises(data_source.DataSourceError, match="listed in manifest.json but missing"):
        data_source.resolve({}, cwd=tmp_path)
