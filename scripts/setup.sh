#!/usr/bin/env bash
# Create .venv and install rose-bench with everything it needs (lmms-eval on a CPU torch).
# Idempotent: re-running only installs what changed.  Override the interpreter with PYTHON=...
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
LOG="$VENV/setup.log"
: > "$LOG"
# pip's output (setuptools warnings included) goes to $LOG and is shown only if a step fails.
pip_install() {
  if ! "$VENV/bin/python" -m pip --disable-pip-version-check install "$@" >>"$LOG" 2>&1; then
    tail -n 60 "$LOG" >&2
    echo "setup failed: pip install $* (full log: $LOG)" >&2
    exit 1
  fi
}
pip_install --upgrade pip
# The CPU build of torch first: lmms-eval would otherwise pull the multi-GB CUDA build.
# constraints.txt pins torch to that build for every later resolve (see README "Install").
pip_install -c scripts/constraints.txt torch
pip_install -c scripts/constraints.txt -e ".[test,lmms]"
# lmms-eval 0.7.3 pulls a CUDA-linked torchvision that cannot import beside CPU torch;
# transformers falls back to PIL image processors without it (lmms-eval-notes §6.2).
"$VENV/bin/python" -m pip uninstall -y torchvision >>"$LOG" 2>&1 || true
# Headless Chromium for the page tests (leaderboard site, human-baseline page): Debian packages,
# installed where this script runs as root with apt-get; elsewhere the tests say how to install them.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } >>"$LOG" 2>&1; then
      tail -n 30 "$LOG" >&2
      echo "setup failed: apt-get install chromium chromium-driver (full log: $LOG)" >&2
      exit 1
    fi
  else
    echo "note: chromium/chromedriver not found and not root: browser tests need 'apt-get install chromium chromium-driver'" >&2
  fi
fi
echo "rose-bench installed in $VENV"
