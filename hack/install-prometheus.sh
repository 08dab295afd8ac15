#!/usr/bin/env bash
# Installs the Debian `prometheus` package when no prometheus binary is on PATH (idempotent).
# The Prometheus integration tests start the binary themselves on a loopback port with a temporary
# configuration and storage directory; the package's systemd service is not used.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1; then
  echo "prometheus already installed: $(command -v prometheus)"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# Do not leave the package's own service running: tests bring their own instance.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  $SUDO systemctl stop prometheus || true
fi
echo "prometheus installed: $(command -v prometheus)"
