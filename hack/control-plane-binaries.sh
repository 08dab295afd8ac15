#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver, etcd, kubectl) and helm from their upstream Go
# modules, once per version, into a per-user cache outside the repository. Prints the directory
# that holds the binaries (use it as KUBEBUILDER_ASSETS). A second run with the same versions
# only prints the directory.
#
# If KUBEBUILDER_ASSETS is already set and holds kube-apiserver and etcd, that directory wins.
set -euo pipefail

KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${HELM_VERSION:-v3.19.5}"

log() { echo "control-plane-binaries: $*" >&2; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if [[ -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
    echo "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS does not hold executable kube-apiserver and etcd"
  exit 1
fi

cache_root="${CARBON_KEPLER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carbon-aware-kepler}"
out="$cache_root/bin/k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_helm-${HELM_VERSION}"
if [[ -x "$out/kube-apiserver" && -x "$out/etcd" && -x "$out/kubectl" && -x "$out/helm" ]]; then
  echo "$out"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "Go is not installed and KUBEBUILDER_ASSETS is not set."
  log "Install Go >= 1.24 (https://go.dev/doc/install, or 'apt-get install golang'), or set"
  log "KUBEBUILDER_ASSETS to a directory holding kube-apiserver, etcd (and kubectl, helm)."
  exit 1
fi

mkdir -p "$out.partial"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
start=$SECONDS

# Kubernetes: k8s.io/kubernetes refers to its staging modules as ./staging/src/k8s.io/*; outside
# its own tree each must be replaced with the published v0.X.Y of the same release.
if [[ ! -x "$out.partial/kube-apiserver" || ! -x "$out.partial/kubectl" ]]; then
  log "building kube-apiserver and kubectl $KUBERNETES_VERSION (cold: several minutes)"
  mkdir -p "$work/k8s" && cd "$work/k8s"
  go mod init local/controlplane >/dev/null 2>&1
  go mod edit -require "k8s.io/kubernetes@$KUBERNETES_VERSION"
  gomod="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  staging_version="v0.${KUBERNETES_VERSION#v1.}"
  for m in $(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod"); do
    go mod edit -replace "$m=$m@$staging_version"
  done
  echo 'package tools
import (
  _ "k8s.io/kubernetes/cmd/kube-apiserver/app"
  _ "k8s.io/kubectl/pkg/cmd"
)' > tools.go
  go mod tidy >/dev/null 2>&1 || go mod tidy
  go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION" \
    -o "$out.partial/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION" \
    -o "$out.partial/kubectl" k8s.io/kubernetes/cmd/kubectl
fi

if [[ ! -x "$out.partial/etcd" ]]; then
  log "building etcd $ETCD_VERSION"
  mkdir -p "$work/etcd" && cd "$work/etcd"
  go mod init local/etcd >/dev/null 2>&1
  go mod edit -require "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  echo 'package tools
import _ "go.etcd.io/etcd/server/v3/etcdmain"' > tools.go
  go mod tidy >/dev/null 2>&1 || go mod tidy
  go build -trimpath -ldflags "-s -w" -o "$out.partial/etcd" go.etcd.io/etcd/server/v3
fi

if [[ ! -x "$out.partial/helm" ]]; then
  log "building helm $HELM_VERSION"
  GOBIN="$out.partial" go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi

rm -rf "$out" && mv "$out.partial" "$out"
log "built in $((SECONDS - start)) s into $out"
echo "$out"
