"""Publish a verified build directory to the Hugging Face Hub as one tagged commit.

Flow: verify manifest -> create the dataset repo (exist_ok) -> refuse if the
version tag already exists -> upload the folder in one commit, deleting stale
``data/**`` shards -> tag exactly the commit that upload returned.  The bytes
that were tested locally are therefore the bytes behind the tag, and a tag is
never moved.

The Hub is reached only through :class:`HubClient` (the four ``HfApi`` methods
used), so tests can substitute a recording client; the default is
``huggingface_hub.HfApi``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol

from rose_bench.scoring.errors import UsageError
from rose_bench.scoring.contract import is_hub_repo_id

from .manifest import read_manifest, verify_manifest

VERSION_RE = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
DELETE_PATTERNS = ("data/**",)  # shards of an earlier version that this build does not have
REPO_TYPE = "dataset"
TOKEN_ENV = "HF_TOKEN"


class PublishError(UsageError):
    """Refusal before anything irreversible happened (bad version, unverified build, existing tag, no token)."""


class HubClient(Protocol):
    def create_repo(self, repo_id: str, *, repo_type: str, exist_ok: bool, private: bool | None) -> Any: ...

    def list_repo_refs(self, repo_id: str, *, repo_type: str) -> Any:
        """An object whose ``tags`` is a list of objects with ``name`` (``GitRefs``)."""

    def upload_folder(
        self, *, repo_id: str, folder_path: str, repo_type: str, commit_message: str, delete_patterns: list[str]
    ) -> Any:
        """An object with the new commit's ``oid`` (``CommitInfo``)."""

    def create_tag(self, repo_id: str, *, tag: str, tag_message: str, revision: str, repo_type: str) -> Any: ...


def default_client(token: str) -> HubClient:
    from huggingface_hub import HfApi

    return HfApi(token=token)


@dataclass(frozen=True)
class PublishPlan:
    build_dir: Path
    repo_id: str
    version: str
    private: bool
    n_files: int
    n_bytes: int
    dataset_versions: Mapping[str, Any]

    @property
    def commit_message(self) -> str:
        return f"rose-bench dataset {self.version}"

    @property
    def tag_message(self) -> str:
        return f"rose-bench dataset {self.version} (tag on the upload commit)"

    def describe(self) -> str:
        return "\n".join(
            [
                f"repo:     {self.repo_id} (dataset{', private' if self.private else ''})",
                f"version:  {self.version}",
                f"build:    {self.build_dir} ({self.n_files} files, {self.n_bytes:,} bytes, manifest verified)",
                f"1. create_repo({self.repo_id!r}, repo_type='dataset', exist_ok=True)",
                f"2. refuse if tag {self.version!r} already exists (list_repo_refs)",
                f"3. upload_folder(... delete_patterns={list(DELETE_PATTERNS)}, commit_message={self.commit_message!r})",
                f"4. create_tag({self.version!r}, revision=<oid of the commit from step 3>)",
            ]
        )


def plan_publish(build_dir: Path, repo_id: str, version: str, *, private: bool = False) -> PublishPlan:
    """Validate the arguments and the build; raise PublishError naming every problem."""
    if not VERSION_RE.match(version or ""):
        raise PublishError(f"--version {version!r}: expected vX.Y.Z, e.g. v0.1.0")
    if not is_hub_repo_id(repo_id):
        raise PublishError(f"--repo-id {repo_id!r}: expected ORG/NAME, e.g. my-org/rose-bench")
    build_dir = Path(build_dir)
    problems = verify_manifest(build_dir)
    if problems:
        raise PublishError(
            f"{build_dir}: refusing to publish, the build does not match its manifest:\n  " + "\n  ".join(problems)
        )
    manifest = read_manifest(build_dir)
    files = manifest["files"]
    return PublishPlan(
        build_dir=build_dir,
        repo_id=repo_id,
        version=version,
        private=private,
        n_files=len(files) + 1,  # + manifest.json
        n_bytes=sum(f["size"] for f in files) + (build_dir / "manifest.json").stat().st_size,
        dataset_versions=manifest.get("versions", {}).get("dataset_version", {}),
    )


def resolve_token(environ: Mapping[str, str] = os.environ) -> str:
    token = (environ.get(TOKEN_ENV) or "").strip()
    if not token:
        raise PublishError(f"{TOKEN_ENV} is not set (fix: export {TOKEN_ENV}=<a Hub token with write access>, or use --dry-run)")
    return token


def _tag_names(refs: Any) -> set[str]:
    return {getattr(t, "name", t) for t in (getattr(refs, "tags", None) or [])}


def publish(plan: PublishPlan, client: HubClient) -> str:
    """Run the plan; returns the oid of the tagged commit."""
    # private=None keeps the owner's default visibility for a new repo; an existing repo is left as it is
    client.create_repo(plan.repo_id, repo_type=REPO_TYPE, exist_ok=True, private=True if plan.private else None)
    existing = _tag_names(client.list_repo_refs(plan.repo_id, repo_type=REPO_TYPE))
    if plan.version in existing:
        raise PublishError(
            f"{plan.repo_id}: tag {plan.version} already exists; tags are never moved "
            f"(fix: publish as a new version, e.g. bump the patch number)"
        )
    commit = client.upload_folder(
        repo_id=plan.repo_id,
        folder_path=str(plan.build_dir),
        repo_type=REPO_TYPE,
        commit_message=plan.commit_message,
        delete_patterns=list(DELETE_PATTERNS),
    )
    oid = getattr(commit, "oid", None)
    if not oid:
        raise RuntimeError(f"{plan.repo_id}: upload returned no commit id; nothing was tagged")
    try:
        client.create_tag(plan.repo_id, tag=plan.version, tag_message=plan.tag_message, revision=oid, repo_type=REPO_TYPE)
    except Exception as exc:
        raise RuntimeError(
            f"{plan.repo_id}: uploaded commit {oid} but could not tag it {plan.version}: {exc} "
            f"(fix: hf repos tag create {plan.repo_id} {plan.version} --repo-type dataset --revision {oid})"
        ) from exc
    return oid


def run_publish(
    build_dir: Path,
    repo_id: str,
    version: str,
    *,
    private: bool = False,
    dry_run: bool = False,
    environ: Mapping[str, str] = os.environ,
    client_factory: Callable[[str], HubClient] = default_client,
    echo: Callable[[str], None] = print,
) -> str | None:
    """CLI-level entry: plan, then either print it (dry run, no Hub calls) or execute it."""
    plan = plan_publish(build_dir, repo_id, version, private=private)
    if dry_run:
        echo("rose publish --dry-run (no Hub calls made):\n" + plan.describe())
        return None
    client = client_factory(resolve_token(environ))
    oid = publish(plan, client)
    echo(f"rose publish: {plan.repo_id} {plan.version} -> commit {oid}")
    return oid
