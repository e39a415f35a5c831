from csm.db import connect, create_schema, is_rollup_current, refresh_aggregates
from csm.demo import write_demo


def test_stale_aggregates_are_rebuilt(tmp_path, demo_data):
    path = tmp_path / "old.duckdb"
    con = connect(path)
    write_demo(con, demo_data)
    con.execute("DROP TABLE tickets_daily_team")  # as left by an older version
    con.close()
    assert refresh_aggregates(path) is True
    con = connect(path, read_only=True)
    assert is_rollup_current(con)
    con.close()
    assert refresh_aggregates(path) is False


def test_a_new_service_level_threshold_makes_the_aggregates_stale(tmp_path, demo_data):
    path = tmp_path / "db.duckdb"
    con = connect(path)
    write_demo(con, demo_data)
    assert not is_rollup_current(con, settings={"service_level_threshold_s": 30})
    con.close()
    assert refresh_aggregates(path, settings={"service_level_threshold_s": 30}) is True


def test_a_database_of_an_earlier_version_loses_its_ticket_key_and_keeps_its_rows(tmp_path):
    from csm.db import has_old_ticket_key, missing_columns

    path = tmp_path / "old.duckdb"
    con = connect(path)
    con.execute("CREATE TABLE tickets (ticket_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, "
                "channel VARCHAR NOT NULL, PRIMARY KEY (ticket_id))")
    con.execute("INSERT INTO tickets VALUES ('b', '2026-10-02', 'chat'), ('a', '2026-10-01', 'phone')")
    con.execute("CREATE TABLE imports (import_id VARCHAR PRIMARY KEY, imported_at TIMESTAMP NOT NULL, "
                "source VARCHAR NOT NULL, rows_written BIGINT, note VARCHAR)")
    con.close()
    con = connect(path)
    try:
        assert create_schema(con) is None and not has_old_ticket_key(con) and missing_columns(con) == []
        assert con.execute("SELECT ticket_id, channel, team FROM tickets").fetchall() == [
            ("a", "phone", None), ("b", "chat", None)]  # in created_at order, with the newer columns empty
    finally:
        con.close()
