#!/usr/bin/env bash
# Runs a command with another major version of Node.js first on PATH:
#   bash scripts/with-node.sh 24 npx vitest run
# The binary comes from the npm registry (the node-linux-<arch> packages carry
# Node's official builds), unpacked once under node_modules/.cache. .ci/run
# uses it to run the tests on the Lambda's Node.js 24 as well as on the
# machine's own: a fork is as likely to be developed on one as on the other.
set -euo pipefail

major=$1
shift
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "with-node: no Node.js package for $(uname -m)" >&2; exit 1 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/node_modules/.cache/node-$major-linux-$arch"
if [ ! -x "$dir/bin/node" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-$arch@$major" >/dev/null && tar xzf node-linux-*.tgz)
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$work/package" "$dir"
fi

PATH="$dir/bin:$PATH" "$@"
