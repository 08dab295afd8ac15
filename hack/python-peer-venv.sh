#!/usr/bin/env bash
# A virtualenv with the benchmark's Python peer (bench/python-peer/requirements.txt), built once per
# requirements file into the per-user cache. Prints the venv's python. Needs python3 >= 3.10 with venv.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=bench/python-peer/requirements.txt
cache_root="${CARBON_KEPLER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carbon-aware-kepler}"
venv="$cache_root/python-peer-$(sha256sum "$requirements" | cut -c1-12)"
# The marker is written last, so an interrupted install is redone rather than used.
if [[ ! -f "$venv/.installed" ]]; then
  if ! command -v python3 >/dev/null 2>&1; then
    echo "python-peer-venv: python3 is not installed (only make bench's Python peer needs it)" >&2
    exit 1
  fi
  echo "python-peer-venv: installing $requirements into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  touch "$venv/.installed"
fi
echo "$venv/bin/python"
