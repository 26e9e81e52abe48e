"""A human run as a leaderboard submission: ``submission.json`` + ``predictions.jsonl``.

The fields follow the leaderboard's submission bundle (issue 12): model name and
organisation, revision / API id, weights, parameters, harness and version,
dataset fingerprint (sha256 of the build manifest), split, variants tried, the
predictions' sha256 and the rose-bench version -- with the model being the
annotator, ``"kind": "human"``, and the sample described, because a human study
answers a stratified sample rather than the whole split.  Same run -> same bytes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from rose_bench import __version__
from rose_bench.scoring.paths import check_output, commit_dir

from .report import ScoredRun, _seconds

__all__ = ["BUNDLE_FILES", "bundle_files", "write_bundle"]

BUNDLE_FILES = ("submission.json", "predictions.jsonl")


def bundle_files(run: ScoredRun) -> dict[str, bytes]:
    """The two files' bytes: predictions in answering order (item_id, raw_text, model) and the description."""
    lines = [json.dumps({"item_id": r["item_id"], "raw_text": r["raw_text"], "model": run.config.annotator},
                        ensure_ascii=False) for r in run.predictions]
    predictions = ("\n".join(lines) + "\n").encode("utf-8")
    config = run.config
    submission: dict[str, Any] = {
        "model": {
            "name": config.annotator,
            "organisation": None,
            "kind": "human",
            "revision": None,
            "api_model_id": None,
            "weights": "human",
            "parameters": None,
        },
        "harness": {"name": "rose human", "version": __version__, "limit": None},
        "dataset": {"fingerprint": config.fingerprint, "split": config.split},
        "variants_tried": 1,
        "predictions_sha256": hashlib.sha256(predictions).hexdigest(),
        "rose_bench_version": __version__,
        "coverage": {"partial": True, "items": len(run.predictions), "sampled": len(config.items)},
        "human": {
            "annotator": config.annotator,
            "sample": {"n": config.n, "seed": config.seed, "templates": list(config.templates),
                       "stratified_by": ["rose_subset", "task_template"]},
            "seconds_per_item": _seconds(run.predictions),
        },
    }
    text = json.dumps(submission, ensure_ascii=False, indent=2) + "\n"
    return {"submission.json": text.encode("utf-8"), "predictions.jsonl": predictions}


def write_bundle(run: ScoredRun, out_dir: Path) -> Path:
    """Write the bundle folder ``out_dir`` in one rename (an earlier bundle there is replaced)."""
    out = check_output(out_dir, [("RUN_DIR predictions", run.run_dir / "predictions.jsonl"),
                                 ("RUN_DIR run.json", run.run_dir / "run.json"), ("BUILD", run.build)],
                       flag="--bundle-dir", replaceable=BUNDLE_FILES, owner="rose human report")
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name, data in bundle_files(run).items():
            (stage / name).write_bytes(data)
        commit_dir(stage, out, overwrite=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out
