#!/usr/bin/env bash
# Install Leaflet from the npm registry into .cache/npm/node_modules/leaflet/dist, where maps.assets looks for
# it (offline maps with assets="inline", and the browser tests).  Leaflet's source is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache/npm
if [ ! -f .cache/npm/node_modules/leaflet/dist/leaflet.js ]; then
  npm install --silent --no-audit --no-fund --prefix .cache/npm leaflet@1.9.4 >/dev/null
fi
echo "leaflet at .cache/npm/node_modules/leaflet/dist"
