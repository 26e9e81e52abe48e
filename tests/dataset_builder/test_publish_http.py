"""rose publish through the real ``huggingface_hub.HfApi`` against a local Hub-protocol server.

The Hub is unreachable and nothing on PyPI serves its write API offline, so
this test starts a small HTTP server on 127.0.0.1 that answers the endpoints
``HfApi`` uses when publishing (repo create, refs, tree, validate-yaml,
preupload, commit, tag) with minimal but faithful semantics: files committed
as NDJSON are stored, deletions applied, commit ids derived from the content,
existing tags refused with 409.  Everything between ``publish()`` and the
socket -- HfApi's payloads, upload modes, delete-pattern listing, error
mapping -- is the real library code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from huggingface_hub import HfApi

from rose_bench.dataset_builder import publish as pub

from tests.support import writer as ws


def _git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class MiniHub:
    """In-memory dataset repos behind the Hub's HTTP API (only what publishing needs)."""

    def __init__(self) -> None:
        self.repos: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.endpoint = ""  # set once the server is listening

    def seed(self, repo_id: str, files: dict[str, bytes], tags: tuple[str, ...] = ()) -> str:
        repo = self.repos.setdefault(repo_id, {"files": {}, "commits": [], "tags": {}})
        repo["files"].update(files)
        oid = self._commit_id(repo)
        for tag in tags:
            repo["tags"][tag] = oid
        return oid

    @staticmethod
    def _commit_id(repo: dict) -> str:
        digest = hashlib.sha1(str(len(repo["commits"])).encode())
        for path in sorted(repo["files"]):
            digest.update(path.encode() + b"\0" + repo["files"][path])
        oid = digest.hexdigest()
        repo["commits"].append(oid)
        return oid

    def handle(self, method: str, path: str, query: str, body: bytes) -> tuple[int, dict, object]:
        self.requests.append((method, path))
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if method == "POST" and path == "/api/repos/create":
            payload = json.loads(body)
            repo_id = f"{payload['organization']}/{payload['name']}"
            if payload.get("type") != "dataset":
                return 400, {}, {"error": "only dataset repos here"}
            if repo_id in self.repos:
                return 409, {}, {"error": "You already created this dataset repo", "url": f"/datasets/{repo_id}"}
            self.repos[repo_id] = {"files": {}, "commits": [], "tags": {}, "visibility": payload.get("visibility")}
            self._commit_id(self.repos[repo_id])  # initial commit, as on the Hub
            return 200, {}, {"url": f"{self.endpoint}/datasets/{repo_id}"}
        if method == "POST" and path == "/api/validate-yaml":
            content = json.loads(body)["content"]
            header = yaml.safe_load(content.split("---\n")[1])
            errors = [] if isinstance(header.get("configs"), list) else [{"message": "configs missing"}]
            return (400 if errors else 200), {}, {"errors": errors, "warnings": []}
        if len(parts) < 5 or parts[:2] != ["api", "datasets"]:
            return 404, {}, {"error": f"unknown endpoint {path}"}
        repo_id, action, rest = f"{parts[2]}/{parts[3]}", parts[4], parts[5:]
        repo = self.repos.get(repo_id)
        if repo is None:
            return 404, {"X-Error-Code": "RepoNotFound"}, {"error": "Repository not found"}
        head = repo["commits"][-1]
        if method == "GET" and action == "refs":
            return 200, {}, {
                "branches": [{"name": "main", "ref": "refs/heads/main", "targetCommit": head}],
                "converts": [],
                "tags": [{"name": t, "ref": f"refs/tags/{t}", "targetCommit": o} for t, o in repo["tags"].items()],
            }
        if method == "GET" and action == "tree":
            return 200, {}, [
                {"type": "file", "path": p, "size": len(d), "oid": _git_blob_oid(d)} for p, d in sorted(repo["files"].items())
            ]
        if method == "POST" and action == "preupload":
            files = json.loads(body)["files"]
            return 200, {}, {
                "files": [
                    {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
                     "oid": _git_blob_oid(repo["files"][f["path"]]) if f["path"] in repo["files"] else None}
                    for f in files
                ]
            }
        if method == "POST" and action == "commit":
            lines = [json.loads(line) for line in body.splitlines() if line.strip()]
            header = lines[0]
            if header["key"] != "header":
                return 400, {}, {"error": "first line must be the header"}
            for line in lines[1:]:
                value = line["value"]
                if line["key"] == "file":
                    repo["files"][value["path"]] = base64.b64decode(value["content"])
                elif line["key"] == "deletedFile":
                    repo["files"].pop(value["path"], None)
                else:
                    return 400, {}, {"error": f"unsupported operation {line['key']}"}
            oid = self._commit_id(repo)
            repo.setdefault("messages", {})[oid] = header["value"]["summary"]
            return 200, {}, {"commitUrl": f"{self.endpoint}/datasets/{repo_id}/commit/{oid}", "commitOid": oid,
                             "pullRequestUrl": None}
        if method == "POST" and action == "tag":
            revision = rest[0] if rest else "main"
            target = head if revision == "main" else revision
            if target not in repo["commits"]:
                return 404, {"X-Error-Code": "RevisionNotFound"}, {"error": f"Invalid rev id: {revision}"}
            tag = json.loads(body)["tag"]
            if tag in repo["tags"]:
                return 409, {}, {"error": f"Tag {tag} already exists"}
            repo["tags"][tag] = target
            return 200, {}, {}
        return 404, {}, {"error": f"unknown endpoint {method} {path}"}


@pytest.fixture
def hub():
    state = MiniHub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            url = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Authorization") != "Bearer hf_test":
                status, headers, payload = 401, {}, {"error": "bad token"}
            else:
                with state.lock:
                    status, headers, payload = state.handle(self.command, url.path, url.query, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args):  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return ws.write_build(tmp_path_factory.mktemp("ph") / "build")


def _publish(build, hub, version, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    return pub.run_publish(
        build, "rose-org/rose-bench", version,
        environ={"HF_TOKEN": "hf_test"},
        client_factory=lambda token: HfApi(endpoint=hub.endpoint, token=token),
        echo=lambda _: None,
    )


def test_real_hfapi_publishes_the_build_and_tags_that_commit(build, hub, monkeypatch):
    oid = _publish(build, hub, "v0.1.0", monkeypatch)
    repo = hub.repos["rose-org/rose-bench"]
    assert repo["tags"] == {"v0.1.0": oid} and repo["commits"][-1] == oid
    local = {p.relative_to(build).as_posix(): p.read_bytes() for p in build.rglob("*") if p.is_file()}
    assert repo["files"] == local  # byte-identical upload of every file
    assert repo["messages"][oid] == "rose-bench dataset v0.1.0"
    kinds = [(m, p.split("/")[-2] if p.count("/") > 4 else p) for m, p in hub.requests]
    assert ("POST", "/api/repos/create") in kinds and ("POST", "/api/validate-yaml") in kinds
    assert [r for r in hub.requests if "/tag/" in r[1]] == [("POST", f"/api/datasets/rose-org/rose-bench/tag/{oid}")]


def test_stale_shards_are_deleted_and_gitattributes_kept(build, hub, monkeypatch):
    hub.seed("rose-org/rose-bench", {
        ".gitattributes": b"*.parquet filter=lfs\n",
        "data/t1/test-00000-of-00009.parquet": b"stale",
        "data/old_config/dev-00000-of-00001.parquet": b"stale",
    }, tags=("v0.0.1",))
    oid = _publish(build, hub, "v0.2.0", monkeypatch)
    repo = hub.repos["rose-org/rose-bench"]
    assert not [p for p in repo["files"] if "stale" in p or "00009" in p or "old_config" in p]
    assert repo["files"][".gitattributes"] == b"*.parquet filter=lfs\n"
    assert repo["tags"]["v0.2.0"] == oid and repo["tags"]["v0.0.1"] != oid


def test_an_existing_tag_stops_before_any_upload(build, hub, monkeypatch):
    hub.seed("rose-org/rose-bench", {"README.md": b"old"}, tags=("v0.1.0",))
    before = hub.repos["rose-org/rose-bench"]["commits"][:]
    with pytest.raises(pub.PublishError, match="tag v0.1.0 already exists"):
        _publish(build, hub, "v0.1.0", monkeypatch)
    assert hub.repos["rose-org/rose-bench"]["commits"] == before
    assert not [r for r in hub.requests if "/commit/" in r[1] or "/preupload/" in r[1]]


def test_a_rejected_token_surfaces_as_a_hub_error(build, hub, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    from huggingface_hub.errors import HfHubHTTPError

    with pytest.raises(HfHubHTTPError):
        pub.run_publish(
            build, "rose-org/rose-bench", "v0.1.0", environ={"HF_TOKEN": "hf_wrong"},
            client_factory=lambda token: HfApi(endpoint=hub.endpoint, token=token), echo=lambda _: None,
        )
    assert "rose-org/rose-bench" not in hub.repos
