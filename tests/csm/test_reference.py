"""Reference checks: for every KPI, a query written by hand on the demo data must equal the
compiled KPI, for a whole month and for a filtered selection."""

from datetime import date

import pytest

from csm.compile import Filters, Window
from csm.kpis import load_catalogue
from csm.metrics import compute_kpis

OCT = "created_at >= DATE '2026-10-01' AND created_at < DATE '2026-11-01'"
END = "TIMESTAMP '2026-11-01 00:00:00'"

# Written independently of the catalogue: AVG over booleans, COUNT with FILTER, MEDIAN, etc.
REFERENCE_SQL = {
    "contacts": "SELECT count(*) FROM tickets WHERE {w}",
    "resolved": "SELECT count(resolved_at) FROM tickets WHERE {w}",
    "backlog": f"SELECT count(*) FROM tickets WHERE created_at < {END} AND coalesce(resolved_at >= {END}, true) "
               "AND coalesce(is_answered, true) AND {f}",
    "csat": "SELECT avg(CASE WHEN csat_score >= 4 THEN 1.0 ELSE 0.0 END) FROM tickets WHERE {w} AND csat_score IS NOT NULL",
    "csat_avg": "SELECT avg(csat_score) FROM tickets WHERE {w}",
    "nps": "SELECT 100.0 * (count(*) FILTER (nps_score >= 9) - count(*) FILTER (nps_score <= 6)) / count(nps_score) "
           "FROM tickets WHERE {w}",
    "fcr_rate": "SELECT avg(is_fcr::INT) FROM tickets WHERE {w} AND coalesce(is_answered, true)",
    "aht_s": "SELECT avg(handle_time_s) FROM tickets WHERE {w} AND coalesce(is_answered, true)",
    "frt_median_s": "SELECT median(epoch(first_response_at) - epoch(created_at)) FROM tickets WHERE {w}",
    "frt_p90_s": "SELECT quantile_cont(epoch(first_response_at) - epoch(created_at), 0.9) FROM tickets WHERE {w}",
    "resolution_median_s": "SELECT median(epoch(resolved_at) - epoch(created_at)) FROM tickets WHERE {w}",
    "service_level": "SELECT avg(CASE WHEN is_answered AND wait_time_s <= 20 THEN 1.0 ELSE 0.0 END) FROM tickets "
                     "WHERE {w} AND is_answered IS NOT NULL",
    "asa_s": "SELECT avg(wait_time_s) FROM tickets WHERE {w} AND is_answered",
    "answer_rate": "SELECT avg(is_answered::INT) FROM tickets WHERE {w}",
    "abandon_rate": "SELECT avg((NOT is_answered)::INT) FROM tickets WHERE {w}",
    "sla_rate": "SELECT avg(is_sla_met::INT) FROM tickets WHERE {w}",
    "reopen_rate": "SELECT avg((reopen_count > 0)::INT) FROM tickets WHERE {w}",
    "escalation_rate": "SELECT avg(is_escalated::INT) FROM tickets WHERE {w}",
    "reassignment_rate": "SELECT avg((reassignment_count > 0)::INT) FROM tickets WHERE {w}",
    "bot_resolution_rate": "SELECT avg(is_resolved_by_bot::INT) FROM tickets WHERE {w}",
    "qa_score": "SELECT avg(qa_score) FROM tickets WHERE {w}",
    "cost_per_contact": "SELECT (SELECT sum(actual) FROM budget WHERE month = DATE '2026-10-01' AND {bf}) "
                        "/ (SELECT count(*) FROM tickets WHERE {w})",
    "cost_per_resolved": "SELECT (SELECT sum(actual) FROM budget WHERE month = DATE '2026-10-01' AND {bf}) "
                         "/ (SELECT count(*) FROM tickets WHERE {w} AND resolved_at IS NOT NULL)",
}
SELECTIONS = {
    "all": (Filters(), "true", "true"),
    "two_teams": (Filters(team=("Billing", "Retention")), "team IN ('Billing', 'Retention')",
                  "team IN ('Billing', 'Retention')"),
}


def test_every_kpi_has_a_reference_query():
    assert set(REFERENCE_SQL) == set(load_catalogue().keys())


@pytest.fixture(scope="module")
def computed(demo_con):
    window = (Window("current", date(2026, 10, 1), date(2026, 10, 31)),)
    return {name: compute_kpis(demo_con, windows=window, filters=f).row(0, named=True)
            for name, (f, _, _) in SELECTIONS.items()}


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
@pytest.mark.parametrize("key", sorted(REFERENCE_SQL))
def test_compiled_kpi_equals_hand_written_query(demo_con, computed, key, selection):
    _, where, budget_where = SELECTIONS[selection]
    sql = REFERENCE_SQL[key].format(w=f"{OCT} AND {where}", f=where, bf=budget_where)
    expected = demo_con.execute(sql).fetchone()[0]
    assert expected is not None, "the demo month should have data for every KPI"
    assert computed[selection][key] == pytest.approx(float(expected), rel=1e-9)
