# Every target installs what it needs from the project's own files.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
JEST := node --experimental-vm-modules node_modules/jest/bin/jest.js

.PHONY: all deps build lint typecheck test unit integration bench demo image e2e control-plane clean

all: build

node_modules/.package-lock.json: package.json package-lock.json
	bash hack/install-node-modules.sh
deps: node_modules/.package-lock.json

# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, helm and kwok, built once per
# version into a per-user cache.
control-plane:
	@bash hack/control-plane-binaries.sh >/dev/null

# npm run build compiles the shipped programs into dist/ (what the image and the package carry: no test,
# demo or fixture code); the demo and the test harness go to dist-dev/, which nothing ships.
build: deps
	npm run build
	npx tsc -p tsconfig.dev-tools.json

lint: deps
	npx eslint .
	npx prettier --check .
	# The layout's rules (.dependency-cruiser.cjs: the engine does no I/O, operator/kube imports no domain
	# module, product code imports no test support, no module cycles), then no cycles between folders.
	npx depcruise operator mcp
	node hack/folder-cycles.mjs
	# Nothing unused: unused files, exports, types and dependencies (knip.json); in production mode,
	# a product module that only tests import is unused too.
	npx knip --no-progress
	npx knip --production --include files --no-progress

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

# `make unit` runs the in-process jest project (*.test.ts); `make integration` the real-processes project
# (*.itest.ts: a real kube-apiserver + etcd, Prometheus, Chromium, spawned programs).
unit: deps
	$(JEST) --selectProjects in-process

integration: deps control-plane build
	KUBEBUILDER_ASSETS="$$(bash hack/control-plane-binaries.sh)" $(JEST) --selectProjects real-processes --runInBand

test: lint typecheck unit integration

bench: deps control-plane build
	KUBEBUILDER_ASSETS="$$(bash hack/control-plane-binaries.sh)" npx tsx bench/run-all.ts

demo: deps control-plane build
	KUBEBUILDER_ASSETS="$$(bash hack/control-plane-binaries.sh)" node dist-dev/hack/demo/main.js

image:
	docker build -t carbon-aware-kepler:dev .

e2e: deps
	bash e2e/run.sh

clean:
	rm -rf dist dist-dev .demo coverage
