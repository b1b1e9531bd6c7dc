#!/usr/bin/env node
// The `attestor` command. Built output lives in ../dist (npm run build, run by npm ci).
// Checked before the rest is loaded, which an older Node could not even parse.
if (Number(process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(
    `attestor: needs Node 24 or later, and this is Node ${process.versions.node}; run the release artifact (bin/attestor), which brings its own\n`,
  );
  process.exit(1);
}
const { main } = await import('../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
