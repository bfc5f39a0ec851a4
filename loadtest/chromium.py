"""Debian's Chromium, launched the same way by the browser tests and the benchmark."""

from __future__ import annotations

import os
import shutil

# No sandbox (containers, root in CI), no GPU, and nothing that phones home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """$CHROMIUM, else Debian's chromium on the PATH (apt-get install -y chromium)."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
