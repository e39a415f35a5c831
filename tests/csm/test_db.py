from csm.db import connect, is_rollup_current, refresh_aggregates
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
