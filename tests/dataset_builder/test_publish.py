"""rose publish against a recording stand-in for the Hub (the Hub is unreachable here).

The stand-in implements the four HubClient methods, records every call and
simulates existing tags and returned commit ids, so the tests can assert the
exact call sequence and arguments without network access.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from rose_bench.cli import main as rose_main
from rose_bench.dataset_builder import publish as pub

from tests.support import writer as ws


OID = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class RecordingHub:
    tags: list[str] = field(default_factory=list)
    oid: str = OID
    calls: list[tuple[str, tuple, dict]] = field(default_factory=list)
    uploaded_files: list[str] = field(default_factory=list)

    def create_repo(self, repo_id, **kw):
        self.calls.append(("create_repo", (repo_id,), kw))
        return f"https://hub.example/datasets/{repo_id}"

    def list_repo_refs(self, repo_id, **kw):
        self.calls.append(("list_repo_refs", (repo_id,), kw))
        return SimpleNamespace(tags=[SimpleNamespace(name=t, ref=f"refs/tags/{t}", target_commit="f" * 40) for t in self.tags])

    def upload_folder(self, **kw):
        self.calls.append(("upload_folder", (), kw))
        root = Path(kw["folder_path"])
        self.uploaded_files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        return SimpleNamespace(oid=self.oid, commit_url=f"https://hub.example/commit/{self.oid}")

    def create_tag(self, repo_id, **kw):
        self.calls.append(("create_tag", (repo_id,), kw))
        self.tags.append(kw["tag"])

    @property
    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return ws.write_build(tmp_path_factory.mktemp("p") / "build")


def _run(build, hub, version="v0.1.0", **kw):
    messages: list[str] = []
    kw.setdefault("environ", {"HF_TOKEN": "hf_test"})
    oid = pub.run_publish(
        build, "rose-org/rose-bench", version, client_factory=lambda token: hub, echo=messages.append, **kw
    )
    return oid, messages


def test_publish_creates_uploads_and_tags_the_returned_commit(build):
    hub = RecordingHub(tags=["v0.0.9"])
    oid, messages = _run(build, hub)
    assert oid == OID
    assert hub.names == ["create_repo", "list_repo_refs", "upload_folder", "create_tag"]
    create, refs, upload, tag = hub.calls
    assert create == ("create_repo", ("rose-org/rose-bench",), {"repo_type": "dataset", "exist_ok": True, "private": None})
    assert refs[2] == {"repo_type": "dataset"}
    assert upload[2]["repo_id"] == "rose-org/rose-bench" and upload[2]["repo_type"] == "dataset"
    assert upload[2]["folder_path"] == str(build)
    assert upload[2]["delete_patterns"] == ["data/**"]
    assert upload[2]["commit_message"] == "rose-bench dataset v0.1.0"
    assert tag[2]["tag"] == "v0.1.0" and tag[2]["revision"] == OID and tag[2]["repo_type"] == "dataset"
    assert "manifest.json" in hub.uploaded_files and "README.md" in hub.uploaded_files
    assert messages == [f"rose publish: rose-org/rose-bench v0.1.0 -> commit {OID}"]


def test_private_flag_reaches_create_repo(build):
    hub = RecordingHub()
    _run(build, hub, private=True)
    assert hub.calls[0][2]["private"] is True


def test_an_existing_tag_is_never_moved(build):
    hub = RecordingHub(tags=["v0.1.0"])
    with pytest.raises(pub.PublishError, match="tag v0.1.0 already exists"):
        _run(build, hub)
    assert "upload_folder" not in hub.names and "create_tag" not in hub.names


def test_a_build_that_does_not_verify_is_refused_before_any_call(build, tmp_path):
    copy = tmp_path / "build"
    shutil.copytree(build, copy)
    (copy / "data" / "t1" / "stale.parquet").write_bytes(b"PAR1")
    hub = RecordingHub()
    with pytest.raises(pub.PublishError, match="not listed in the manifest"):
        _run(copy, hub)
    assert hub.calls == []


def test_dry_run_makes_no_calls_and_needs_no_token(build):
    hub = RecordingHub()
    oid, messages = _run(build, hub, dry_run=True, environ={})
    assert oid is None and hub.calls == []
    assert "no Hub calls made" in messages[0] and "delete_patterns=['data/**']" in messages[0]


def test_missing_token_is_a_clear_error(build):
    hub = RecordingHub()
    with pytest.raises(pub.PublishError, match="HF_TOKEN is not set"):
        _run(build, hub, environ={"HF_TOKEN": "  "})
    assert hub.calls == []


BAD_ARGS = [
    ("no-v", "0.1.0", "rose-org/rose-bench", "expected vX.Y.Z"),
    ("two-parts", "v0.1", "rose-org/rose-bench", "expected vX.Y.Z"),
    ("suffix", "v0.1.0-rc1", "rose-org/rose-bench", "expected vX.Y.Z"),
    ("leading-zero", "v01.1.0", "rose-org/rose-bench", "expected vX.Y.Z"),
    ("no-org", "v0.1.0", "rose-bench", "expected ORG/NAME"),
]


@pytest.mark.parametrize("version,repo_id,message", [a[1:] for a in BAD_ARGS], ids=[a[0] for a in BAD_ARGS])
def test_bad_arguments_are_refused(build, version, repo_id, message):
    with pytest.raises(pub.PublishError, match=message):
        pub.plan_publish(build, repo_id, version)


def test_a_failed_tag_names_the_uploaded_commit(build):
    class TagFails(RecordingHub):
        def create_tag(self, repo_id, **kw):
            raise RuntimeError("403 Forbidden")

    with pytest.raises(RuntimeError, match=f"uploaded commit {OID} but could not tag it v0.1.0.*--revision {OID}"):
        _run(build, TagFails())


def test_cli_dry_run_and_refusals(build, capsys, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    argv = ["publish", str(build), "--repo-id", "rose-org/rose-bench", "--version", "v1.2.3"]
    assert rose_main(argv + ["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "create_tag('v1.2.3', revision=<oid of the commit from step 3>)" in out
    assert rose_main(argv) == 2
    assert "HF_TOKEN is not set" in capsys.readouterr().err
    assert rose_main(["publish", str(build), "--repo-id", "rose-org/rose-bench", "--version", "1.2.3", "--dry-run"]) == 2
