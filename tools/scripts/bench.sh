#!/usr/bin/env bash
# `npm run bench`: the benchmarks against a real Docker engine. Provisions the runtimes (as
# the tests do), builds, packages the artifact and its image, runs
# tools/src/bench/attestation-bench.ts, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../provision/session.sh
. tools/provision/session.sh
if [ ! -x node_modules/.bin/node ]; then npm ci --no-audit --no-fund; fi
node_modules/.bin/tsc -b tsconfig.json
# The CLI start-up figures are of the release artifact, unpacked where it was made.
node_modules/.bin/node tools/out-tsc/package/package.js >/dev/null
tar -xzf dist/package/attestor-*-linux-x64.tar.gz -C dist/package
# The Workload API stream figures run their clients in the agent's image (for its Node).
tools/scripts/build-image.sh >/dev/null
node_modules/.bin/node --expose-gc tools/out-tsc/bench/attestation-bench.js
