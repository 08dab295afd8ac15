#!/usr/bin/env bash
# End-to-end on a real cluster (kind), for machines with a Docker engine: builds the image, creates a
# kind cluster, loads the image, installs a simulated Kepler (kind nodes have no RAPL) and the Helm
# chart, applies the sample policies and checks the result with kubectl and the MCP SDK client
# (e2e/kind/verify-cluster.ts). Without a Docker engine it says so and exits 0. Not part of `make test`.
#
# Environment: KEEP_CLUSTER=1 keeps the cluster afterwards; KIND_VERSION (default v0.33.0) is the kind
# built with `go install` when no kind is on PATH; E2E_TIMEOUT_SECONDS bounds the wait for assessments.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { echo "e2e: $*" >&2; }

if ! command -v docker >/dev/null 2>&1; then
  echo "e2e: skipped: no Docker engine (docker is not installed)"
  exit 0
fi
if ! docker info >/dev/null 2>&1; then
  echo "e2e: skipped: no Docker engine (docker info cannot reach a daemon)"
  exit 0
fi

# kubectl and helm: the project's pinned builds, else whatever is on PATH.
if bins="$(bash hack/control-plane-binaries.sh 2>/dev/null)"; then
  kubectl_bin="$bins/kubectl"
  helm_bin="$bins/helm"
else
  kubectl_bin="$(command -v kubectl || true)"
  helm_bin="$(command -v helm || true)"
fi
[[ -x "$kubectl_bin" && -x "$helm_bin" ]] || { log "kubectl and helm are needed (make control-plane builds both)"; exit 1; }

kind_bin="$(command -v kind || true)"
if [[ -z "$kind_bin" ]]; then
  command -v go >/dev/null 2>&1 || { log "kind is not installed and Go is not there to build it"; exit 1; }
  cache="${CARBON_KEPLER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carbon-aware-kepler}/bin/kind-${KIND_VERSION:-v0.33.0}"
  if [[ ! -x "$cache/kind" ]]; then
    log "building kind ${KIND_VERSION:-v0.33.0}"
    GOBIN="$cache" CGO_ENABLED=0 go install "sigs.k8s.io/kind@${KIND_VERSION:-v0.33.0}"
  fi
  kind_bin="$cache/kind"
fi

cluster="carbon-e2e-$$"
image="carbon-aware-kepler:e2e"
release="carbon-aware-kepler"
release_ns="carbon-system"
work="$(mktemp -d)"
export KUBECONFIG="$work/kubeconfig"
kubectl() { "$kubectl_bin" "$@"; }
helm() { "$helm_bin" "$@"; }

cleanup() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    log "failed (exit $rc); cluster state follows"
    kubectl get pods -A -o wide || true
    kubectl -n "$release_ns" logs -l app.kubernetes.io/component=operator --tail=80 --prefix || true
    kubectl -n "$release_ns" logs -l app.kubernetes.io/component=mcp --tail=40 --prefix || true
    kubectl get carboncompliance -A -o yaml || true
  fi
  if [[ "${KEEP_CLUSTER:-0}" == "1" ]]; then
    log "keeping cluster $cluster (KUBECONFIG=$KUBECONFIG)"
  else
    "$kind_bin" delete cluster --name "$cluster" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
  exit $rc
}
trap cleanup EXIT

mcp_port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"

log "building $image"
docker build -t "$image" .

cat >"$work/kind.yaml" <<YAML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    extraPortMappings:
      - containerPort: 30800
        hostPort: ${mcp_port}
        listenAddress: 127.0.0.1
  - role: worker
YAML
log "creating kind cluster $cluster"
"$kind_bin" create cluster --name "$cluster" --config "$work/kind.yaml" --kubeconfig "$KUBECONFIG" --wait 180s
"$kind_bin" load docker-image "$image" --name "$cluster"

log "installing the simulated Kepler exporter"
npx --no-install esbuild e2e/kind/simulated-node-exporter.ts --bundle --platform=node --format=esm \
  --target=node20 --minify --log-level=warning --outfile="$work/simulated-node-exporter.mjs"
kubectl create namespace kepler
kubectl -n kepler create configmap simulated-node-exporter --from-file="simulated-node-exporter.mjs=$work/simulated-node-exporter.mjs"
kubectl apply -f e2e/kind/manifests/simulated-kepler.yaml
kubectl -n kepler rollout status daemonset/kepler --timeout=180s

log "starting the workloads the sample policies select"
kubectl apply -f e2e/kind/manifests/workloads.yaml
kubectl -n production rollout status deployment/web-app --timeout=180s
kubectl -n ai-team wait --for=jsonpath='{.status.active}'=1 job/ml-training-job --timeout=180s

log "installing the chart"
helm install "$release" charts/carbon-aware-kepler --namespace "$release_ns" --create-namespace \
  --set image.tag=e2e --set mcp.service.type=NodePort \
  --set metricsSource.kepler.scrapeIntervalSeconds=10 --wait --timeout 5m
kubectl get carboncompliancepolicies.carbon-aware.dev >/dev/null

log "applying the sample policies"
kubectl apply -f examples/ai-team-ml-training.yaml -f examples/production-web-app.yaml

E2E_KUBECONFIG="$KUBECONFIG" E2E_RELEASE="$release" E2E_RELEASE_NAMESPACE="$release_ns" \
  E2E_MCP_URL="http://127.0.0.1:${mcp_port}" npx --no-install tsx e2e/kind/verify-cluster.ts
kubectl get carboncompliance -A
log "passed"
