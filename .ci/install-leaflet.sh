#!/usr/bin/env bash
# Install Leaflet from the npm registry into .cache/leaflet (for offline maps and the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache/npm
if [ ! -f .cache/npm/node_modules/leaflet/dist/leaflet.js ]; then
  npm install --silent --no-audit --no-fund --prefix .cache/npm leaflet@1.9.4 >/dev/null
fi
echo "leaflet at .cache/npm/node_modules/leaflet/dist"
