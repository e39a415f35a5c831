"""Shared fixtures: the seeded demo data set, an in-memory database loaded from it, and a
builder for tiny hand-written databases."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from csm.db import build_rollup, connect, create_schema
from csm.demo import DemoData, generate_demo, write_demo
from csm.ingest.load import import_file
from csm.schema import TABLES_BY_NAME
from tests.hostile import RENAMED

DEMO_END = date(2026, 10, 31)
DEMO_SEED = 7
GOLDEN_DIR = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* from the code")


@pytest.fixture(scope="session")
def demo_data() -> DemoData:
    return generate_demo(end=DEMO_END, seed=DEMO_SEED)


@pytest.fixture(scope="session")
def demo_con(demo_data: DemoData) -> duckdb.DuckDBPyConnection:
    con = connect(":memory:")
    write_demo(con, demo_data)
    return con


def frame_for(table: str, rows: list[dict]) -> pl.DataFrame:
    """Return ``rows`` as a frame with every column of ``table`` (missing values null)."""
    spec = TABLES_BY_NAME[table]
    dtypes = {
        "VARCHAR": pl.String, "TIMESTAMP": pl.Datetime("us"), "DOUBLE": pl.Float64, "BOOLEAN": pl.Boolean,
        "INTEGER": pl.Int32, "SMALLINT": pl.Int16, "DATE": pl.Date, "BIGINT": pl.Int64,
    }
    schema = {c.name: dtypes[c.dtype] for c in spec.columns}
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


@pytest.fixture
def make_db() -> Callable[..., duckdb.DuckDBPyConnection]:
    """Return a builder: ``make_db(tickets=[...], budget=[...], targets=[...])`` -> connection."""

    def build(**tables: list[dict]) -> duckdb.DuckDBPyConnection:
        con = connect(":memory:")
        create_schema(con)
        for name, rows in tables.items():
            frame = frame_for(name, rows)  # noqa: F841 - read by DuckDB below
            con.execute(f'INSERT INTO "{name}" SELECT * FROM frame')
        build_rollup(con)
        return con

    return build


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with ``tests/golden/<name>``; ``--update-golden`` rewrites the file."""

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if request.config.getoption("--update-golden"):
            path.write_text(text, encoding="utf-8")
        assert path.is_file(), f"missing golden file {path}; run pytest --update-golden and review it"
        assert text == path.read_text(encoding="utf-8"), f"{name} changed; review, then pytest --update-golden"

    return check




@pytest.fixture(scope="session")
def demo_db_source(tmp_path_factory, demo_data: DemoData) -> Path:
    """A demo database file, written once; tests that write take a copy (``private_demo_db``)."""
    path = tmp_path_factory.mktemp("demo_source") / "demo.duckdb"
    con = connect(path)
    write_demo(con, demo_data)
    con.close()
    return path


@pytest.fixture
def private_demo_db(demo_db_source, tmp_path, monkeypatch) -> Path:
    """A private copy of the demo database that the app (AppTest) uses; its caches start and end empty."""
    import shutil

    import streamlit as st

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_source, path)
    monkeypatch.setenv("CSM_DB_PATH", str(path))
    monkeypatch.setenv("CSM_UPLOADS_DIR", str(tmp_path / "uploads"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


# Names a hostile or careless export could hold (tests/test_hostile_names.py, tests/csm/test_exports.py).
@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory, demo_db_source):
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(demo_db_source, path)
    con = connect(path)
    for (column, old), new in RENAMED.items():
        tables = ["tickets", "agents", "budget", "headcount"] if column == "team" else ["tickets"]
        for table in tables:
            con.execute(f'UPDATE "{table}" SET "{column}" = $new WHERE "{column}" = $old', {"new": new, "old": old})
    con.execute("UPDATE agents SET name = '=cmd|'' /C calc''!A0' WHERE agent_id = 'A004'")
    con.execute("BEGIN TRANSACTION")
    build_rollup(con)
    con.execute("COMMIT")
    con.close()
    return path


@pytest.fixture
def small_app_db(tmp_path, monkeypatch):
    """A database holding the four contacts of helpdesk_clean.csv, used by the app (AppTest); caches start empty."""
    path = tmp_path / "data.duckdb"
    con = connect(path)
    import_file(con, Path(__file__).parent / "fixtures" / "files" / "helpdesk_clean.csv")
    con.close()
    for name, value in {"DB_PATH": path, "UPLOADS_DIR": tmp_path / "uploads",
                        "MAPPINGS_DIR": tmp_path / "mappings"}.items():
        monkeypatch.setenv(f"CSM_{name}", str(value))
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()
