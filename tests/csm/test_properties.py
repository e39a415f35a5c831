"""Property tests over random small contact tables."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csm.compile import Window
from csm.db import build_rollup, connect, create_schema
from csm.kpis import load_catalogue
from csm.metrics import compute_kpis
from tests.conftest import frame_for

CATALOGUE = load_catalogue()
RATIO_KEYS = tuple(k for k, v in CATALOGUE.kpis.items() if v.unit == "ratio")
TWO_MONTHS = (Window("current", date(2026, 1, 1), date(2026, 2, 28)),)
JAN = (Window("current", date(2026, 1, 1), date(2026, 1, 31)),)
FEB = (Window("current", date(2026, 2, 1), date(2026, 2, 28)),)
maybe = st.none() | st.booleans()


@st.composite
def contact(draw, i: int = 0):
    created = datetime(2026, 1, 1) + timedelta(minutes=draw(st.integers(0, 59 * 24 * 60 - 1)))
    answered = draw(maybe)
    return {
        "ticket_id": f"t{draw(st.integers(0, 10**9))}",
        "created_at": created,
        "channel": draw(st.sampled_from(["phone", "chat", "email"])),
        "team": draw(st.sampled_from(["A", "B"])),
        "priority": draw(st.sampled_from(["high", "low", None])),
        "first_response_at": draw(st.none() | st.just(created + timedelta(seconds=draw(st.integers(0, 90000))))),
        "resolved_at": draw(st.none() | st.just(created + timedelta(seconds=draw(st.integers(0, 900000))))),
        "handle_time_s": draw(st.none() | st.floats(0, 3000)),
        "wait_time_s": draw(st.none() | st.floats(0, 300)),
        "is_answered": answered,
        "is_fcr": draw(maybe), "is_escalated": draw(maybe), "is_sla_met": draw(maybe),
        "is_resolved_by_bot": draw(maybe),
        "reopen_count": draw(st.none() | st.integers(0, 3)),
        "reassignment_count": draw(st.none() | st.integers(0, 3)),
        "csat_score": draw(st.none() | st.integers(1, 5)),
        "nps_score": draw(st.none() | st.integers(0, 10)),
        "qa_score": draw(st.none() | st.floats(0, 100)),
    }


contacts = st.lists(contact(), min_size=0, max_size=25, unique_by=lambda r: r["ticket_id"])
fast = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


_CONNECTIONS = [connect(":memory:"), connect(":memory:")]
for _con in _CONNECTIONS:
    create_schema(_con)


def load(rows, slot: int = 0):
    """Return a reused in-memory database holding exactly ``rows`` (two slots for comparisons)."""
    con = _CONNECTIONS[slot]
    frame = frame_for("tickets", rows)  # noqa: F841 - read by DuckDB
    con.execute("DELETE FROM tickets")
    con.execute("INSERT INTO tickets SELECT * FROM frame")
    build_rollup(con)
    return con


def same(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == pytest.approx(b, rel=1e-9, abs=1e-9))


@fast
@given(contacts)
def test_ratio_kpis_stay_between_zero_and_one(rows):
    row = compute_kpis(load(rows), windows=TWO_MONTHS, keys=RATIO_KEYS).row(0, named=True)
    for key in RATIO_KEYS:
        assert row[key] is None or 0 <= row[key] <= 1


@fast
@given(contacts, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(rows, rnd):
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    a = compute_kpis(load(rows), windows=TWO_MONTHS)
    b = compute_kpis(load(shuffled, slot=1), windows=TWO_MONTHS)
    for key in CATALOGUE.keys():
        assert same(a[key][0], b[key][0]), key


@fast
@given(contacts)
def test_two_months_recomputed_from_components_equal_the_combined_period(rows):
    con = load(rows)
    for kpi in (CATALOGUE[k] for k in ("csat", "fcr_rate", "aht_s", "service_level", "nps")):
        keys = (kpi.numerator, kpi.denominator)
        parts = [con.execute(
            f'SELECT sum("m_{keys[0]}"), sum("m_{keys[1]}") FROM tickets_daily_team WHERE day BETWEEN $a AND $b',
            {"a": w[0].start, "b": w[0].end}).fetchone() for w in (JAN, FEB)]
        num = sum(p[0] or 0 for p in parts)
        den = sum(p[1] or 0 for p in parts)
        combined = compute_kpis(con, windows=TWO_MONTHS, keys=(kpi.key,))[kpi.key][0]
        assert same(combined, None if den == 0 else num / den * kpi.scale), kpi.key


@fast
@given(contacts)
def test_rollup_and_raw_rows_agree(rows):
    con = load(rows)
    a = compute_kpis(con, windows=TWO_MONTHS, use_rollup=True)
    b = compute_kpis(con, windows=TWO_MONTHS, use_rollup=False)
    for key in CATALOGUE.keys():
        assert same(a[key][0], b[key][0]), key


@fast
@given(contacts)
def test_an_empty_denominator_gives_null(rows):
    no_csat = [{**r, "csat_score": None} for r in rows]
    assert compute_kpis(load(no_csat), windows=TWO_MONTHS, keys=("csat", "csat_avg")).row(0)[1:] == (None, None)
