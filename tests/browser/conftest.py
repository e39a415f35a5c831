"""Real-browser fixtures: the app served on 127.0.0.1 with the demo data, and Debian's Chromium.

Playwright's own browser downloads are never used (they fail offline): the tests drive
``/usr/bin/chromium``. Without it they skip, except in CI, where they must run.
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

import pytest

from csm.db import connect
from csm.demo import write_demo

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI needs Debian's chromium for the browser tests: apt-get install chromium")
    skip = pytest.mark.skip(reason="chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(db: Path):
    """Start the app the way ``make run`` does, on a free port; yield its URL."""
    port = _free_port()
    env = {**os.environ, "CSM_DB_PATH": str(db)}
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


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory, demo_data) -> Path:
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    con = connect(db)
    write_demo(con, demo_data)
    con.close()
    return db


@pytest.fixture(scope="session")
def app_url(demo_db_file):
    with serve_app(demo_db_file) as url:
        yield url
