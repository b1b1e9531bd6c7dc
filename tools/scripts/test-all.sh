#!/usr/bin/env bash
# `npm test`: the project's one test command. It does its own set-up on a fresh Debian
# machine (the container runtimes and registry via tools/provision/provision.sh, dependencies,
# Node 24 from the npm registry, the build), then runs every check CI relies on: workspace
# sync, lint with zero warnings, formatting, type checks, unit tests and end-to-end tests
# against real Docker, rootful and rootless Podman. Any failure fails the run; what the
# provisioning started is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true

step() { printf '\n==> %s\n' "$*"; }

step "provision container runtimes and the registry (tools/provision/provision.sh)"
# shellcheck source=../provision/session.sh
. tools/provision/session.sh

step "install dependencies (npm ci; builds the workspace in its prepare step)"
npm ci --no-audit --no-fund

node_version=$(node_modules/.bin/node --version)
case "$node_version" in
  v24.*) echo "node $node_version" ;;
  *) echo "expected Node 24 in node_modules/.bin, found $node_version" >&2; exit 1 ;;
esac
# Everything below runs on the pinned Node 24.
export PATH="$PWD/node_modules/.bin:$PATH"

step "nx sync:check (TypeScript project references match the dependency graph)"
# Computes the project graph, which @nx/enforce-module-boundaries needs during lint.
nx show projects >/dev/null
nx sync:check

step "type check and build (tsc -b)"
tsc -b tsconfig.json

step "lint (zero warnings; module boundaries)"
eslint . --max-warnings=0

step "format (prettier --check)"
prettier --check . --log-level warn

step "unused files, dependencies and exports (knip)"
knip --no-progress

step "unit and end-to-end tests (vitest)"
mkdir -p tmp
status=0
vitest run --reporter=default --reporter=json --outputFile=tmp/vitest-report.json || status=$?
node -e '
  const report = JSON.parse(require("node:fs").readFileSync("tmp/vitest-report.json", "utf8"));
  const skipped = report.numPendingTests + report.numTodoTests;
  console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (report.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' || status=1
exit "$status"
