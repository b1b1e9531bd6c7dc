#!/usr/bin/env bash
# `npm run soak`: the soak and fault run (not part of CI). Provisions the runtimes and the
# registry as the tests do, builds, runs tools/src/bench/soak.ts for $SOAK_MINUTES (default
# 30), and stops what it started. It kills and restarts dockerd twice on the way.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../provision/session.sh
. tools/provision/session.sh
if [ ! -x node_modules/.bin/node ]; then npm ci --no-audit --no-fund; fi
node_modules/.bin/tsc -b tsconfig.json
node_modules/.bin/node tools/out-tsc/bench/soak.js
