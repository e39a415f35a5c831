import pytest

from csm.db import connect, create_schema


@pytest.fixture
def con(tmp_path):
    """A new, empty database file with the canonical schema."""
    con = connect(tmp_path / "import.duckdb")
    create_schema(con)
    yield con
    con.close()
