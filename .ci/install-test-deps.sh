#!/usr/bin/env bash
# Install what the test suite needs on a fresh machine: the package with its dev and bench extras (PyPI),
# headless Chromium and ChromeDriver for the map tests (Debian).  Leaflet for offline maps comes with the package
# (xstatic-leaflet on PyPI), so nothing is needed from npm.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
python -m pip install -q -e ".[dev,bench,distributed]"
