"""Real-browser fixtures: the app served on 127.0.0.1 with the demo data, and Debian's Chromium.

Playwright's own browser downloads are never used (they fail offline): the tests drive
``/usr/bin/chromium``. Without it they skip, except in CI, where they must run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csm.db import connect
from csm.demo import write_demo
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, serve_app


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
