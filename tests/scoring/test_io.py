"""scoring.io: error messages, the one JSONL policy (BOM), JSONL/CSV/JSON layouts, atomic outputs."""

from __future__ import annotations

import os

import pytest

from rose_bench.scoring.io import (
    InputError,
    atomic_dir,
    atomic_file,
    atomic_write,
    iter_jsonl,
    jsonl_lines,
    line_start_after,
    parquet_rows,
    parse_jsonl,
    publish,
    read_jsonl,
    write_csv,
    write_json,
    write_jsonl,
)


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


# --- one JSONL policy: a leading UTF-8 BOM is accepted and stripped, everywhere ------------------

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    "raw,expected",
    [
        (BOM + b'{"a": 1}\n{"a": 2}\n', [(1, {"a": 1}, None), (2, {"a": 2}, None)]),
        (b'{"a": 1}\n\n  \n{"a": 2}', [(1, {"a": 1}, None), (4, {"a": 2}, None)]),
        (b'{"a": 1}\n' + BOM + b'{"a": 2}\n', [(1, {"a": 1}, None), (2, None, "invalid JSON (Unexpected UTF-8 BOM (decode using utf-8-sig) at column 1)")]),
        (b'[1]\n{oops\n', [(1, [1], None), (2, None, "invalid JSON (Expecting property name enclosed in double quotes at column 2)")]),
        (b'{"n": ' + b"9" * 5000 + b"}\n", "digits"),
        (b'{"a": "x\xe2\x80\xa8y"}\r\n{"a": 2}\r\n', [(1, {"a": "x\u2028y"}, None), (2, {"a": 2}, None)]),
        (b"[" * 100_000 + b"\n", "nested too deeply"),
    ],
    ids=["leading-bom", "blank-lines", "bom-mid-file-is-content", "errors-are-yielded", "huge-integer",
         "crlf-and-line-separator-in-a-string", "deep-nesting"],
)
def test_jsonl_lines_policy(tmp_path, raw, expected):
    path = tmp_path / "p.jsonl"
    path.write_bytes(raw)
    got = list(jsonl_lines(path))
    assert list(parse_jsonl(raw.decode("utf-8"))) == got  # the same policy for text already in memory
    if isinstance(expected, str):
        ((line, value, error),) = got
        assert line == 1 and value is None and error.startswith("invalid JSON") and expected in error
    else:
        assert got == expected


HALVES = {
    "bom-and-blank-lines": BOM + b'{"a": 1}\n\n{"a": "\xc3\xa9\xe4\xb8\x80"}\n  \n{"a": 3}\n{"a": 4}\n',
    "crlf": b'{"a": 1}\r\n{"a": 2}\r\n{"a": "x\xe2\x80\xa8y"}\r\n{"a": 4}',
    "lone-cr": b'{"a": 1}\r{"a": 2}\n{"a": 3}\r{"a": 4}\n{"a": 5}\n',
    "errors": b'{"a": 1}\n{oops\n[1]\n{"a": 4}\n',
}


@pytest.mark.parametrize("name", list(HALVES))
def test_two_byte_ranges_read_what_the_whole_file_does(tmp_path, name):
    """Cut anywhere by ``line_start_after``: the two ranges' entries, in order, are the whole file's
    (line numbers count from each range's start)."""
    path = tmp_path / "f.jsonl"
    path.write_bytes(HALVES[name])
    whole = [(value, error) for _, value, error in jsonl_lines(path)]
    cuts = {line_start_after(path, k / 20) for k in range(1, 20)} - {None}
    assert cuts  # every table entry has a line starting after its first
    for cut in sorted(cuts):
        assert path.read_bytes()[cut - 1:cut] == b"\n"
        halves = list(jsonl_lines(path, start=0, stop=cut)) + list(jsonl_lines(path, start=cut))
        assert [(value, error) for _, value, error in halves] == whole, cut


@pytest.mark.parametrize(
    "content,fraction,expected",
    [(b"abc\ndef\n", 0.5, 4), (b"abc\ndef\n", 0.0, 4), (b"abc\ndef\n", 0.9, None), (b"abcdef", 0.5, None),
     (b"a\nb\nc\n", 0.34, 2), (b"ab\ncd\n", 0.5, 3)],
    ids=["middle", "never-offset-0", "last-line", "one-line", "cut-just-after-a-newline", "cut-is-a-line-start"],
)
def test_line_start_after(tmp_path, content, fraction, expected):
    path = tmp_path / "f.jsonl"
    path.write_bytes(content)
    assert line_start_after(path, fraction) == expected


def test_bom_file_reads_the_same_as_without(tmp_path):
    rows = [{"item_id": "a", "raw_text": "COUNT(1)"}, {"item_id": "b", "raw_text": "DONE"}]
    plain, bom = tmp_path / "plain.jsonl", tmp_path / "bom.jsonl"
    write_jsonl(plain, rows)
    bom.write_bytes(BOM + plain.read_bytes())
    assert read_jsonl(bom) == read_jsonl(plain) == rows


# --- atomic outputs ----------------------------------------------------------------------------------

def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_atomic_write_is_complete_or_absent_with_normal_permissions(tmp_path):
    target = tmp_path / "sub" / "f.json"
    atomic_write(target, '{"a": 1}\n')
    assert target.read_bytes() == b'{"a": 1}\n' and _mode(target) == 0o666 & ~_umask()
    with pytest.raises(RuntimeError):
        with atomic_file(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_bytes() == b'{"a": 1}\n'
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.json"]
    atomic_write(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"


def test_atomic_dir_and_publish_give_normal_permissions(tmp_path):
    with atomic_dir(tmp_path / "out") as tmp:
        write_json(tmp / "s.json", {})
    assert _mode(tmp_path / "out") == 0o777 & ~_umask()
    (tmp_path / "out" / "keep.txt").write_text("k")
    written = publish(tmp_path / "out", jsonl={"r.jsonl": [{"a": 1}]}, csv={"t.csv": [{"a": 1}]}, text={"x.tex": "x\n"})
    assert [p.name for p in written] == ["r.jsonl", "t.csv", "x.tex"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["keep.txt", "r.jsonl", "s.json", "t.csv", "x.tex"]
    assert {_mode(p) for p in written} == {0o666 & ~_umask()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- parquet_rows: the one Parquet row reader ---------------------------------------------------------------

def _parquet(tmp_path) -> os.PathLike:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"item_id": ["a", "b", "c"], "n": [1, 2, 3], "image": [b"x", b"y", b"z"]}), path,
                   row_group_size=2)
    return path


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({}, [{"item_id": "a", "n": 1, "image": b"x"}, {"item_id": "b", "n": 2, "image": b"y"},
              {"item_id": "c", "n": 3, "image": b"z"}]),
        ({"columns": ["n", "item_id"]}, [{"n": 1, "item_id": "a"}, {"n": 2, "item_id": "b"}, {"n": 3, "item_id": "c"}]),
        ({"skip": ("image",), "batch_size": 1}, [{"item_id": "a", "n": 1}, {"item_id": "b", "n": 2}, {"item_id": "c", "n": 3}]),
        ({"columns": ["item_id", "absent"], "require": False}, [{"item_id": "a"}, {"item_id": "b"}, {"item_id": "c"}]),
    ],
    ids=["all", "columns-in-order", "skip", "optional-columns"],
)
def test_parquet_rows_reads_the_requested_columns(tmp_path, kwargs, expected):
    assert list(parquet_rows(_parquet(tmp_path), **kwargs)) == expected


@pytest.mark.parametrize(
    "damage,kwargs,message",
    [
        (lambda p: p.unlink(), {}, "file not found"),
        (lambda p: p.write_bytes(b"PAR1 not parquet"), {}, "unreadable Parquet"),
        (lambda p: p.write_bytes(p.read_bytes()[:-12]), {}, "unreadable Parquet"),
        (lambda p: None, {"columns": ["item_id", "absent"]}, "no column 'absent'"),
    ],
    ids=["missing", "not-parquet", "truncated", "missing-column"],
)
def test_parquet_rows_errors_name_the_file_and_the_fix(tmp_path, damage, kwargs, message):
    path = _parquet(tmp_path)
    damage(path)
    with pytest.raises(InputError) as info:
        list(parquet_rows(path, **kwargs, fix="rebuild it"))
    assert str(info.value).startswith(str(path)) and message in str(info.value)
    assert str(info.value).endswith("(fix: rebuild it)")
