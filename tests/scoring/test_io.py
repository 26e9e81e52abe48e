"""scoring.io: error messages, JSONL/CSV/JSON layouts, atomic output directories."""

from __future__ import annotations

import pytest

from rose_bench.scoring.io import InputError, atomic_dir, iter_jsonl, read_jsonl, write_csv, write_json, write_jsonl


@pytest.mark.parametrize(
    "kwargs,text",
    [
        ({}, "p.jsonl: bad"),
        ({"line": 3}, "p.jsonl:3: bad"),
        ({"line": 3, "field": "item_id"}, "p.jsonl:3: item_id: bad"),
        ({"field": "item_id", "fix": "add it"}, "p.jsonl: item_id: bad (fix: add it)"),
    ],
    ids=["plain", "line", "line-field", "field-fix"],
)
def test_input_error_text(kwargs, text):
    err = InputError("p.jsonl", "bad", **kwargs)
    assert str(err) == text and isinstance(err, ValueError)


@pytest.mark.parametrize(
    "content,line,message",
    [
        ('{"a": 1}\n{"a": \n', 2, "invalid JSON"),
        ('\n\n[1]\n', 3, "expected a JSON object, got list"),
        ('{"a": 1}\n"x"\n', 2, "got str"),
    ],
    ids=["truncated", "array", "string"],
)
def test_read_jsonl_errors_name_the_line(tmp_path, content, line, message):
    path = tmp_path / "p.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_jsonl(path)
    assert info.value.line == line and message in str(info.value) and str(path) in str(info.value)


def test_read_jsonl_missing_and_non_utf8(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_jsonl(tmp_path / "nope.jsonl")
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes('{"a": "é"}\n'.encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_jsonl(bad)


def test_jsonl_round_trip_keeps_unicode(tmp_path):
    rows = [{"item_id": "a", "char": "架"}, {"item_id": "b", "x": None}]
    path = tmp_path / "out" / "r.jsonl"
    write_jsonl(path, rows)
    assert "架" in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8") + "\n   \n", encoding="utf-8")
    assert read_jsonl(path) == rows
    assert [line for line, _ in iter_jsonl(path)] == [1, 2]


def test_write_json_layout(tmp_path):
    write_json(tmp_path / "s.json", {"a": [1], "b": "é"})
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == '{\n  "a": [\n    1\n  ],\n  "b": "é"\n}'


def test_write_csv_header_union_bom_and_empty(tmp_path):
    write_csv(tmp_path / "t.csv", [{"a": 1, "b": None}, {"c": 0.5, "a": 2}])
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == ["a,b,c", "1,,", "2,,0.5"]
    write_csv(tmp_path / "e.csv", [])
    assert (tmp_path / "e.csv").read_bytes() == b""


def test_atomic_dir_replaces_after_success(tmp_path):
    final = tmp_path / "out"
    final.mkdir()
    (final / "old.txt").write_text("old")
    with atomic_dir(final) as tmp:
        assert tmp.parent == tmp_path and tmp != final
        (tmp / "new.txt").write_text("new")
        assert (final / "old.txt").exists()  # untouched until the block succeeds
    assert sorted(p.name for p in final.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_dir_cleans_up_on_error(tmp_path):
    final = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with atomic_dir(final) as tmp:
            (tmp / "half.txt").write_text("x")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_without_overwrite(tmp_path):
    final = tmp_path / "out"
    final.mkdir()
    (final / "keep.txt").write_text("k")
    with pytest.raises(InputError, match="not empty"):
        with atomic_dir(final, overwrite=False):
            pass
    assert (final / "keep.txt").read_text() == "k"
    json_file = tmp_path / "f.json"
    json_file.write_text("{}")
    with pytest.raises(InputError, match="not a directory"):
        with atomic_dir(json_file):
            pass
