#!/usr/bin/env bash
# Creates the skeleton of a workspace project: package.json, tsconfig trio, src/index.ts.
# Usage: tools/scripts/scaffold-package.sh <dir> <npm-name> <tag> "<description>"
set -euo pipefail
dir=$1 name=$2 tag=$3 description=$4
mkdir -p "$dir/src"
cat >"$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "description": "$description",
  "license": "Apache-2.0",
  "type": "module",
  "exports": {
    ".": {
      "@attestor/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "files": ["dist", "README.md"],
  "engines": { "node": ">=24.0.0" },
  "nx": { "tags": ["$tag"] }
}
JSON
cat >"$dir/tsconfig.json" <<JSON
{
  "extends": "$(realpath --relative-to="$dir" tsconfig.base.json)",
  "files": [],
  "include": [],
  "references": [{ "path": "./tsconfig.lib.json" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat >"$dir/tsconfig.lib.json" <<JSON
{
  "extends": "$(realpath --relative-to="$dir" tsconfig.base.json)",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist",
    "tsBuildInfoFile": "dist/tsconfig.lib.tsbuildinfo"
  },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"],
  "references": []
}
JSON
cat >"$dir/tsconfig.spec.json" <<JSON
{
  "extends": "$(realpath --relative-to="$dir" tsconfig.base.json)",
  "compilerOptions": {
    "outDir": "out-tsc/spec",
    "tsBuildInfoFile": "out-tsc/spec/tsconfig.spec.tsbuildinfo"
  },
  "include": ["src/**/*.spec.ts"],
  "references": [{ "path": "./tsconfig.lib.json" }]
}
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" >"$dir/src/index.ts"
