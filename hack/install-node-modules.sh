#!/usr/bin/env bash
# Installs node_modules exactly from package-lock.json. npm 11.16+ `npm ci` rejects a lock file it
# wrote itself when an optional platform package (e.g. @unrs/resolver-binding-* for other OSes) could
# not be resolved (npm/cli#9846); `npm install` then installs the same locked versions and leaves
# the lock file unchanged.
set -euo pipefail
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! npm ci --no-audit --no-fund 2>"$log"; then
  if grep -q 'EUSAGE' "$log"; then
    echo "npm ci refused the lock file (npm/cli#9846); installing the locked versions with npm install" >&2
    npm install --no-audit --no-fund
  else
    cat "$log" >&2
    exit 1
  fi
fi
