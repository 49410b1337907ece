#!/usr/bin/env bash
# Installs exactly what package-lock.json pins. Used by .ci/run and amplify.yml.
#
# `npm ci` is the first choice. npm 10 and 11 can refuse a lockfile that
# `npm install` itself wrote when a dependency bundles its own dependencies
# (Amplify's data and GraphQL constructs do): "Missing: ... from lock file"
# (npm/cli#9821). Only for that refusal we fall back to `npm install`, which
# installs the same locked versions.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
if npm ci --no-audit --no-fund 2>&1 | tee "$log"; then
  exit 0
fi
if grep -q 'can only install packages when your package.json and package-lock.json' "$log"; then
  echo "npm ci refused the lockfile (npm/cli#9821, bundled dependencies); installing from it with npm install" >&2
  npm install --no-audit --no-fund
else
  exit 1
fi
