#!/usr/bin/env bash
# Create .venv and install rose-bench with everything it needs (lmms-eval on a CPU torch).
# Idempotent: re-running only installs what changed.  Override the interpreter with PYTHON=...
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${ROSE_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
"${PIP[@]}" install --upgrade pip
# The CPU build of torch first: lmms-eval would otherwise pull the multi-GB CUDA build.
# constraints.txt pins torch to that build for every later resolve (see README "Install").
"${PIP[@]}" install -c scripts/constraints.txt torch
"${PIP[@]}" install -c scripts/constraints.txt -e ".[test,lmms]"
# lmms-eval 0.7.3 pulls a CUDA-linked torchvision that cannot import beside CPU torch;
# transformers falls back to PIL image processors without it (lmms-eval-notes §6.2).
"${PIP[@]}" uninstall -y torchvision >/dev/null 2>&1 || true
echo "rose-bench installed in $VENV"
