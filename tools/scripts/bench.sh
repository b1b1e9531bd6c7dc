#!/usr/bin/env bash
# `npm run bench`: the attestation benchmark against a real Docker engine. Provisions the
# runtimes (as the tests do), builds, runs tools/src/bench/attestation-bench.ts, and stops
# what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../provision/session.sh
. tools/provision/session.sh
if [ ! -x node_modules/.bin/node ]; then npm ci --no-audit --no-fund; fi
node_modules/.bin/tsc -b tsconfig.json
# The CLI start-up figures are of the release artifact, unpacked where it was made.
node_modules/.bin/node tools/out-tsc/package/package.js >/dev/null
tar -xzf dist/package/attestor-*-linux-x64.tar.gz -C dist/package
node_modules/.bin/node --expose-gc tools/out-tsc/bench/attestation-bench.js
