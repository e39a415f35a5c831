"""Serve the app for browser tests and screenshots, the way ``make run`` does.

``python -m tests.browser.server OUT_DIR`` starts the app on the configured database and saves a
1440 px wide screenshot of every page in the registry, for a person to look at.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(db: Path | None = None, *, env: dict[str, str] | None = None):
    """Start the app the way ``make run`` does, on a free port; yield its URL."""
    port = _free_port()
    env = {**os.environ, **({"CSM_DB_PATH": str(db)} if db else {}), **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "csm.ui.serve", "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    proc.kill()
                    log = proc.stdout.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"the app did not start: {log}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)



def save_screenshots(out: Path, *, height: int = 2000) -> list[Path]:
    """Save a screenshot of every registered page to ``out``; return the files."""
    from playwright.sync_api import sync_playwright

    from csm.ui.navigation import PAGES

    out.mkdir(parents=True, exist_ok=True)
    files = []
    with serve_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": height})
        for spec in PAGES:
            page.goto(f"{url}/{'' if spec is PAGES[0] else spec.url_path}")
            page.get_by_role("heading", name=spec.title).wait_for(timeout=60_000)
            page.wait_for_timeout(3000)  # charts finish drawing
            files.append(out / f"{spec.url_path}.png")
            page.screenshot(path=files[-1], full_page=True)
        browser.close()
    return files


if __name__ == "__main__":
    for path in save_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")):
        print(path)
