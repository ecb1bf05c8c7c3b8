"""Find headless Chromium and its chromedriver for the browser tests (run it to see what it finds).

Looks at ``$CHROME_BIN``/``$CHROMEDRIVER`` first, then the usual names on ``PATH`` (Debian's ``chromium`` and
``chromium-driver`` packages install ``/usr/bin/chromium`` and ``/usr/bin/chromedriver``).
"""

from __future__ import annotations

import os
import shutil
import sys

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
DRIVER_NAMES = ("chromedriver",)
INSTALL_HINT = (
    "install them with `apt-get install -y chromium chromium-driver` (as .ci/run does), or set CHROME_BIN and "
    "CHROMEDRIVER; set FIELDROUTE_SKIP_BROWSER=1 to skip the browser tests explicitly"
)


def _find(env: str, names: tuple[str, ...]) -> str | None:
    named = os.environ.get(env)
    if named:
        return named if os.access(named, os.X_OK) else None
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def find_chromium() -> tuple[str | None, str | None]:
    """``(chromium binary, chromedriver)``; either is ``None`` when not found."""
    return _find("CHROME_BIN", BROWSER_NAMES), _find("CHROMEDRIVER", DRIVER_NAMES)


if __name__ == "__main__":
    browser, driver = find_chromium()
    print(f"chromium:     {browser or 'NOT FOUND'}")
    print(f"chromedriver: {driver or 'NOT FOUND'}")
    if not (browser and driver):
        print(INSTALL_HINT, file=sys.stderr)
        sys.exit(1)
