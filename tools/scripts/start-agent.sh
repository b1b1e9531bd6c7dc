#!/usr/bin/env bash
# `npm start`: runs the agent in the foreground. Installs dependencies (Node 24 included, from
# the npm registry) and builds first when needed, so it works on a fresh clone.
# Arguments are passed to the agent: npm start -- --config /path/to/agent.yaml
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "attestor: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
node_modules/.bin/tsc -b tsconfig.json
# The Node flags and environment are bin/attestor-agent's (tools/src/package/agent-node-flags.ts).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node_modules/.bin/node --optimize-for-size apps/agent/bin/attestor-agent.js "$@"
