#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo use, only those that are missing.
set -euo pipefail
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
# A Korean font, so that the dashboard screenshots (mcp/dashboard-page.itest.ts) show Hangul.
[[ -d /usr/share/fonts/truetype/nanum ]] || need+=(fonts-nanum)
if ((${#need[@]} > 0)); then
  echo "installing Debian packages: ${need[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
