#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install paretonas with its test extras into it.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "paretonas needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv" >&2
  "$python" -m venv .venv
fi
stamp=.venv/.paretonas-installed
if [ ! -f "$stamp" ] || ! cmp -s pyproject.toml "$stamp"; then
  echo "[setup] installing paretonas and its dependencies into .venv (about a minute)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  # torch is pinned to 2.13.0 in pyproject.toml: the CPU build, no CUDA download.
  .venv/bin/python -m pip install --quiet -e ".[test]"
  cp pyproject.toml "$stamp"
fi
