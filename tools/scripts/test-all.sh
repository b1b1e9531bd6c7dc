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

step "generated code is current (the Workload API from its vendored .proto)"
generated="$(mktemp -d)"
(cd packages/workload-api && buf generate --output "$generated")
diff -r "$generated/src/gen" packages/workload-api/src/gen
rm -rf "$generated"

step "format (prettier --check)"
prettier --check . --log-level warn

step "unused files, dependencies and exports (knip)"
knip --no-progress

step "lint the workspace files outside every project"
eslint --max-warnings=0 eslint.config.mjs vitest.config.ts

step "typecheck, lint and test every project (nx run-many; Vitest with coverage, then e2e)"
# Each project's test target is inferred by tools/nx/vitest-targets.mjs: its unit tests with
# coverage of its sources (domain packages must keep their thresholds), and the e2e suites
# against the real runtimes after the agent and CLI are built. Every target runs even when
# another fails, so that one run reports everything.
rm -rf tmp/vitest
mkdir -p tmp/vitest
status=0
nx run-many -t typecheck lint test --parallel=2 --nxBail=false --outputStyle=static || status=$?

step "the reusable packages' unit tests on the oldest Node their engines field names"
tools/scripts/test-oldest-node.sh || status=1
node -e '
  const { readdirSync, readFileSync } = require("node:fs");
  const totals = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const name of readdirSync("tmp/vitest")) {
    const report = JSON.parse(readFileSync(`tmp/vitest/${name}`, "utf8"));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
    totals.total += report.numTotalTests;
  }
  console.log(`\n${totals.passed} passed, ${totals.failed} failed` + (totals.skipped ? `, ${totals.skipped} skipped` : ""));
  if (totals.total === 0) { console.error("no test ran"); process.exit(1); }
' || status=1
exit "$status"
