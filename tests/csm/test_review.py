"""The business review: periods, the mix/rate decomposition on hand-built data, the narrative on the demo."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csm.compile import Filters
from csm.db import connect, create_schema
from csm.review import (
    compute_review,
    decompose,
    load_notes,
    parse_period,
    previous_period,
    review_periods,
    save_notes,
    shift_period,
    write_narrative,
)


def sums(**segments: tuple[float, float]) -> pl.DataFrame:
    return pl.DataFrame({"segment": list(segments), "num": [v[0] for v in segments.values()],
                         "den": [v[1] for v in segments.values()]})


def by_segment(parts: pl.DataFrame) -> dict[str, dict]:
    return {r["segment"]: r for r in parts.iter_rows(named=True)}


def test_periods():
    assert (parse_period("2026-10").start, parse_period("2026-10").end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert parse_period(" 2026-q1 ").label == "2026-Q1" and parse_period("2026-Q1").name == "Q1 2026"
    assert previous_period(parse_period("2026-Q1")).label == "2025-Q4"
    assert previous_period(parse_period("2026-01")).name == "December 2025"
    assert shift_period(parse_period("2026-Q3"), months=-12).label == "2025-Q3"
    for bad in ("2026-13", "2026-Q5", "Oct 2026", "2026-1"):
        with pytest.raises(ValueError, match="not a month like 2026-10 or a quarter like 2026-Q3"):
            parse_period(bad)
    assert review_periods(None, None) == []


def test_a_pure_mix_change_by_hand():
    # Rates stay (A 80%, B 60%); A's share grows from half to 80%: 70% -> 76%, all of it mix.
    parts = by_segment(decompose(sums(A=(40, 50), B=(30, 50)), sums(A=(64, 80), B=(12, 20))))
    assert parts["A"]["rate"] == pytest.approx(0) and parts["B"]["rate"] == pytest.approx(0)
    # mix = (share after - share before) x (segment's average rate - overall average rate 73%)
    assert parts["A"]["mix"] == pytest.approx(0.3 * (0.8 - 0.73))
    assert parts["B"]["mix"] == pytest.approx(-0.3 * (0.6 - 0.73))
    assert parts["A"]["total"] + parts["B"]["total"] == pytest.approx(0.76 - 0.70)


def test_a_pure_rate_change_by_hand():
    # Shares stay half and half; A's rate goes from 80% to 90%: 70% -> 75%, all of it A's rate.
    parts = by_segment(decompose(sums(A=(40, 50), B=(30, 50)), sums(A=(45, 50), B=(30, 50))))
    assert (parts["A"]["mix"], parts["A"]["rate"]) == (pytest.approx(0), pytest.approx(0.05))
    assert (parts["B"]["mix"], parts["B"]["rate"]) == (pytest.approx(0), pytest.approx(0))
    assert (parts["A"]["rate_before"], parts["A"]["rate_after"]) == (0.8, 0.9)


def test_a_new_segment_is_all_mix_and_the_effects_still_add_up():
    # C appears with 50 contacts and a rate of 0: 70% -> 46.7%.
    parts = decompose(sums(A=(40, 50), B=(30, 50)), sums(A=(40, 50), B=(30, 50), C=(0, 50)))
    c = by_segment(parts)["C"]
    average = (0.7 + 70 / 150) / 2
    assert (c["rate_before"], c["rate_after"], c["rate"]) == (None, 0.0, pytest.approx(0))
    assert c["mix"] == pytest.approx(1 / 3 * (0 - average))
    assert parts["total"].sum() == pytest.approx(70 / 150 - 0.7)
    assert parts["segment"][0] == "C"  # largest effect first


def test_an_empty_period_has_no_change_to_split_and_the_scale_applies():
    parts = decompose(sums(A=(0, 0)), sums(A=(3, 4)), scale=100.0)
    assert parts["total"].to_list() == [None] and parts["rate_after"][0] == 75.0  # n/a before: nothing to split
    scaled = decompose(sums(A=(1, 4)), sums(A=(3, 4)), scale=100.0)
    assert scaled["total"].sum() == pytest.approx(50.0)  # 25 -> 75 on a percent scale


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
                min_size=1, max_size=6))
def test_mix_and_rate_always_add_up_to_the_change(rows):
    before = pl.DataFrame({"segment": [f"s{i}" for i in range(len(rows))], "num": [float(min(a, b)) for a, b, _, _ in rows],
                           "den": [float(b) for _, b, _, _ in rows]})
    after = pl.DataFrame({"segment": [f"s{i}" for i in range(len(rows))], "num": [float(min(c, d)) for _, _, c, d in rows],
                          "den": [float(d) for _, _, _, d in rows]})
    d0, d1 = before["den"].sum(), after["den"].sum()
    r0 = before["num"].sum() / d0 if d0 else None
    r1 = after["num"].sum() / d1 if d1 else None
    parts = decompose(before.filter(pl.col("den") > 0), after.filter(pl.col("den") > 0))
    if r0 is not None and r1 is not None:
        assert parts["total"].sum() == pytest.approx(r1 - r0, abs=1e-12)
        assert (parts["mix"] + parts["rate"] - parts["total"]).abs().max() < 1e-12


def test_the_reviews_of_the_planted_months_name_their_causes(demo_con):
    july = write_narrative(compute_review(demo_con, period=parse_period("2026-07")))
    assert any(line.startswith("CSAT fell from 81.3% in June 2026 to 78.8%") for line in july)
    assert any(line.startswith("Most of it comes from topic App crash") and "its own CSAT moved, from 82.4% to 44.0%"
               in line for line in july)
    december = write_narrative(compute_review(demo_con, period=parse_period("2025-12")))
    assert any(line.startswith("Service level fell from 72.7% in November 2025 to 39.6%") for line in december)
    assert any(line.startswith("Most of it comes from teams Orders & Delivery and Billing") for line in december)
    assert "7 agents left in December 2025: Billing (4), Orders & Delivery (3)." in december


def test_the_review_table_and_decompositions_add_up(demo_con):
    review = compute_review(demo_con, period=parse_period("2026-07"))
    csat = review.table.filter(key="csat").row(0, named=True)
    assert csat["moved"] and csat["status"] == "off_target" and csat["last_year"] is not None
    for dim, parts in review.why["csat"].items():
        assert parts["total"].sum() == pytest.approx(csat["change"], abs=1e-12), dim
    assert "frt_median_s" not in review.why  # a median does not split into segments
    billing = compute_review(demo_con, period=parse_period("2026-07"), filters=Filters(team=("Billing",)))
    assert set(billing.headcount["team"]) <= {"Billing"}


def test_more_calls_on_the_same_agents_is_all_volume(make_db):
    from datetime import datetime

    from csm.compile import Window
    from csm.review import service_level_drivers

    def calls(day, n):  # n calls of 180 s between 9:00 and 9:30 on a Monday, answered by three agents
        return [{"ticket_id": f"{day}-{i}", "created_at": datetime(2026, 1, day, 9, i), "channel": "phone",
                 "agent_id": f"A{i % 3}", "is_answered": True, "handle_time_s": 180.0, "wait_time_s": 5.0}
                for i in range(n)]

    con = make_db(tickets=calls(5, 10) + calls(12, 20))
    drivers = dict(service_level_drivers(con, before=Window("b", date(2026, 1, 5), date(2026, 1, 11)),
                                         after=Window("a", date(2026, 1, 12), date(2026, 1, 18))).iter_rows())
    from csm.staffing import service_level

    expected = service_level(2.0, 3, aht_s=180, threshold_s=20) - service_level(1.0, 3, aht_s=180, threshold_s=20)
    assert drivers["volume"] == pytest.approx(expected) and expected < 0
    assert drivers["handle time"] == pytest.approx(0) and drivers["staffing"] == pytest.approx(0)
    assert drivers["modelled change"] == pytest.approx(expected)
    assert service_level_drivers(con, before=Window("b", date(2025, 1, 5), date(2025, 1, 11)),
                                 after=Window("a", date(2026, 1, 12), date(2026, 1, 18))) is None  # no calls before


def test_the_queue_model_puts_decembers_drop_on_staffing_first(demo_con):
    review = compute_review(demo_con, period=parse_period("2025-12"))
    drivers = dict(review.queue_drivers.iter_rows())
    assert drivers["staffing"] < drivers["volume"] < 0  # the leavers first, the winter volume second
    assert drivers["staffing"] + drivers["volume"] + drivers["handle time"] == pytest.approx(drivers["modelled change"])
    assert any(line.startswith("An Erlang C model of the queues") for line in write_narrative(review))


def test_notes_are_saved_per_period_and_teams(tmp_path):
    con = connect(tmp_path / "notes.duckdb")
    create_schema(con)
    october = parse_period("2026-10")
    assert load_notes(con, period=october) == ""
    save_notes(con, period=october, filters=Filters(), notes="Hire two agents for Billing.")
    save_notes(con, period=october, filters=Filters(), notes="Hire <b>three</b>.")  # replaces
    save_notes(con, period=october, filters=Filters(team=("Billing",)), notes="Billing only.")
    assert load_notes(con, period=october) == "Hire <b>three</b>."
    assert load_notes(con, period=october, filters=Filters(team=("Billing",))) == "Billing only."
    assert load_notes(con, period=parse_period("2026-Q4")) == ""


def test_the_queue_model_names_no_cause_when_it_does_not_reproduce_the_change():
    from csm.review import _queue_sentence

    drivers = pl.DataFrame({"factor": ["volume", "handle time", "staffing", "modelled change"],
                            "effect": [-0.017, 0.003, 0.022, 0.008]})
    assert _queue_sentence(drivers, -0.07).startswith("An Erlang C model of the queues (their calls, handle time and "
                                                      "agents seen working) does not reproduce this change (+0.8 of "
                                                      "the -7.0 points)")
    agreeing = drivers.with_columns(pl.Series("effect", [-0.01, 0.0, -0.02, -0.03]))
    assert "reproduces -3.0 of the -7.0 points: staffing -2.0, volume -1.0, handle time +0.0." in _queue_sentence(
        agreeing, -0.07)
