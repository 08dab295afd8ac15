#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver, etcd, kubectl, kube-controller-manager,
# kube-scheduler), kwok (simulated nodes: the Kubernetes SIG's node and pod lifecycle simulator) and
# helm from their upstream Go modules, once per version, into a per-user cache outside the
# repository. Prints the directory that holds the binaries (use it as KUBEBUILDER_ASSETS). A second
# run with the same versions only prints the directory.
#
# If KUBEBUILDER_ASSETS is already set and holds kube-apiserver and etcd, that directory wins (tests
# that need the controllers, the scheduler or kwok say so when that directory lacks them).
set -euo pipefail

KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${HELM_VERSION:-v3.19.5}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"

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
out="$cache_root/bin/k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_helm-${HELM_VERSION}_kwok-${KWOK_VERSION}"
binaries=(kube-apiserver kubectl kube-controller-manager kube-scheduler etcd helm kwok)
complete() {
  local b
  for b in "${binaries[@]}"; do [[ -x "$1/$b" ]] || return 1; done
}
if complete "$out"; then
  echo "$out"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "Go is not installed and KUBEBUILDER_ASSETS is not set."
  log "Install Go >= 1.26 (https://go.dev/doc/install, or 'apt-get install golang'), or set"
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
# its own tree each must be replaced with the published v0.X.Y of the same release. All five
# commands come from one module graph, so they share the module download and the compiled packages.
k8s_commands=(kube-apiserver kubectl kube-controller-manager kube-scheduler)
missing_k8s=()
for c in "${k8s_commands[@]}"; do [[ -x "$out.partial/$c" ]] || missing_k8s+=("$c"); done
if (( ${#missing_k8s[@]} > 0 )); then
  log "building ${missing_k8s[*]} $KUBERNETES_VERSION (cold: several minutes)"
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
  _ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
  _ "k8s.io/kubernetes/cmd/kube-scheduler/app"
  _ "k8s.io/kubectl/pkg/cmd"
)' > tools.go
  go mod tidy >/dev/null 2>&1 || go mod tidy
  for c in "${missing_k8s[@]}"; do
    go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION" \
      -o "$out.partial/$c" "k8s.io/kubernetes/cmd/$c"
  done
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

# kwok's own go.mod has no replace directives, so `go install module@version` builds it as released.
if [[ ! -x "$out.partial/kwok" ]]; then
  log "building kwok $KWOK_VERSION"
  GOBIN="$out.partial" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
fi

rm -rf "$out" && mv "$out.partial" "$out"
log "built in $((SECONDS - start)) s into $out"
echo "$out"
