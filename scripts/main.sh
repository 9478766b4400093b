#!/usr/bin/env bash
# Quick start, command 1: install if needed, then run the main job on its defaults.
# Any arguments are passed to `paretonas` instead (e.g. scripts/main.sh --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cd "$root"
if [ "$#" -eq 0 ]; then
  set -- demo
fi
exec .venv/bin/paretonas "$@"
