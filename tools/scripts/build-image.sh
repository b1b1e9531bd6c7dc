#!/usr/bin/env bash
# Builds the agent's container image offline: FROM scratch, the release artifact (npm run
# package) and the shared libraries its binaries need, copied from this Debian host.
# Usage: tools/scripts/build-image.sh [TAG] (default attestor-agent:<version>); prints the tag.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(node_modules/.bin/node -p 'require("./package.json").version')
tag=${1:-attestor-agent:$version}
tarball=dist/package/attestor-$version-linux-x64.tar.gz
[ -f "$tarball" ] || { echo "build-image: $tarball is missing; run npm run package first" >&2; exit 1; }
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/rootfs/opt" "$context/rootfs/etc/attestor"
tar -xzf "$tarball" -C "$context/rootfs/opt"
mv "$context/rootfs/opt/attestor-$version-linux-x64" "$context/rootfs/opt/attestor"
# Every library the Node binary and koffi's native module load, and the loader itself.
for binary in "$context/rootfs/opt/attestor/lib/node" \
  "$context"/rootfs/opt/attestor/lib/attestor/node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node; do
  ldd "$binary" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r library; do
  mkdir -p "$context/rootfs$(dirname "$library")"
  cp -L "$library" "$context/rootfs$library"
done
# koffi opens libc by name at run time (SO_PEERPIDFD); it is among the above.
cp deploy/container/Dockerfile "$context/Dockerfile"
docker build -q -t "$tag" "$context" >/dev/null
echo "$tag"
