#!/usr/bin/env bash
# Copies the CRDs from the repository's crds/ folder into the chart's crds/ folder. Helm cannot read
# files outside the chart, so the chart carries its own copy; a chart test fails when they differ.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../crds"
dst="$here/carbon-aware-kepler/crds"
mkdir -p "$dst"
# Remove copies whose source is gone, then copy every CRD byte for byte.
for f in "$dst"/*.yaml; do
  [[ -e "$f" ]] || continue
  [[ -e "$src/$(basename "$f")" ]] || rm -f "$f"
done
cp "$src"/*.yaml "$dst"/
echo "synced $(ls "$src"/*.yaml | wc -l) CRD file(s) into charts/carbon-aware-kepler/crds"
