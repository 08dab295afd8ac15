# syntax=docker/dockerfile:1
# One image, three programs: carbon-operator (the default entrypoint), carbon-mcp (MCP stdio / Streamable
# HTTP + REST; select it with `--entrypoint carbon-mcp` or a Pod `command`) and the carbon-kepler CLI.
# Runs as uid 65532 with a read-only root filesystem: nothing is written outside /tmp (an emptyDir).
# Node 24 is an LTS line with security support until April 2028 (Node 20 reached end of life on
# 2026-04-30); the code itself still runs on Node >= 20 (package.json engines), which CI uses.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript, then drop dev dependencies --------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV CI=true \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
# Dependencies first, so that a source change does not reinstall them. --ignore-scripts: no dependency's
# install script runs (one pulls in an install-time telemetry reporter; the build needs none: tsc and
# the programs are plain JavaScript).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY operator ./operator
COPY mcp ./mcp
COPY hack/post-build.mjs ./hack/post-build.mjs
COPY crds ./crds
COPY LICENSE ./LICENSE
# tsconfig.build.json compiles the programs only: no test, test-support, fixture or demo code in dist/.
RUN npm run build \
 && npm prune --omit=dev \
 && rm -rf node_modules/.cache

# ---- runtime: Node and the built programs only -----------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp
WORKDIR /app
# npm, npx and corepack are not needed to run the programs; removing them shrinks what an attacker finds.
# Small launchers put the programs on PATH under their package.json bin names; `exec` keeps node as PID 1
# so that SIGTERM reaches the operator's graceful shutdown.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && printf '#!/bin/sh\nexec node /app/dist/operator/main.js "$@"\n' > /usr/local/bin/carbon-operator \
 && printf '#!/bin/sh\nexec node /app/dist/mcp/main.js "$@"\n' > /usr/local/bin/carbon-mcp \
 && printf '#!/bin/sh\nexec node /app/dist/operator/cli/carbon-kepler.js "$@"\n' > /usr/local/bin/carbon-kepler \
 && chmod 0555 /usr/local/bin/carbon-operator /usr/local/bin/carbon-mcp /usr/local/bin/carbon-kepler
# Owned by root and not writable by the runtime user, even without a read-only root filesystem.
COPY --from=build --chown=0:0 /src/package.json ./package.json
COPY --from=build --chown=0:0 /src/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/dist ./dist
COPY --from=build --chown=0:0 /src/crds ./crds
# What the npm package ships beside dist/ (package.json "files"); the data files are in dist/operator/data.
COPY --from=build --chown=0:0 /src/operator/README.md ./operator/README.md
COPY --from=build --chown=0:0 /src/mcp/README.md ./mcp/README.md
COPY --from=build --chown=0:0 /src/LICENSE ./LICENSE
USER 65532:65532
# Operator health/metrics port and the MCP/HTTP server port.
EXPOSE 8081 8000
ENTRYPOINT ["carbon-operator"]
