#!/usr/bin/env bash
# Copies the standards catalogue (operator/data/standards.yaml) into the chart's files/ folder, from
# where the standards ConfigMap reads it with .Files.Get. A chart test fails when the copies differ.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../operator/data/standards.yaml"
dst="$here/carbon-aware-kepler/files/standards.yaml"
if [[ ! -f "$src" ]]; then
  echo "sync-standards: $src does not exist" >&2
  exit 1
fi
cp "$src" "$dst"
echo "synced operator/data/standards.yaml into charts/carbon-aware-kepler/files/standards.yaml"
