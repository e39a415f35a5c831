"""Drill-through: the contacts behind each chart point are exactly the ones the chart counted."""

from datetime import date

import pytest

from csm.compile import Filters
from csm.drill import (
    Drill,
    bucket_days,
    drill_aging,
    drill_arrivals,
    drill_flow,
    drill_forecast,
    drill_interval,
    drill_service,
    drill_split,
    load_drill,
)
from csm.volume import AGE_BUCKETS, compute_aging, compute_arrivals, compute_flow, compute_split
from tests.csm.test_volume import CONTACTS

START, END = date(2026, 10, 1), date(2026, 10, 4)


@pytest.fixture
def con(make_db):
    return make_db(tickets=CONTACTS)


def ids(con, drill, **kw):
    rows, total = load_drill(con, drill, **kw)
    assert rows.height == total
    return sorted(rows["ticket_id"].to_list())


def test_every_point_of_the_flow_chart_lists_what_it_counts(con):
    for row in compute_flow(con, start=START, end=END).iter_rows(named=True):
        for series in ("created", "resolved", "backlog"):
            drill = drill_flow({"x": f"{row['day']}", "legendgroup": series}, grain="day", start=START, end=END)
            assert load_drill(con, drill)[1] == row[series], (row["day"], series)


def test_flow_points_by_hand(con):
    def point(day, series):
        return drill_flow({"x": f"2026-10-0{day}", "legendgroup": series}, grain="day", start=START, end=END)

    assert ids(con, point(2, "created")) == ["C", "F", "G", "H"]
    assert ids(con, point(2, "resolved")) == ["D", "F", "G", "H"]  # C was abandoned: it never entered the backlog
    assert ids(con, point(3, "resolved")) == ["A", "E"]  # E "resolved before created" leaves on its creation day
    assert ids(con, point(1, "backlog")) == ["A", "B", "D"]
    assert ids(con, point(3, "backlog")) == ["B"]
    assert point(1, "backlog").title == "Open at the end of Thu 01 Oct 2026"
    assert drill_flow({"x": "2026-10-01"}, grain="day", start=START, end=END) is None  # no series: nothing to show


def test_a_week_bucket_is_clipped_to_the_period(con):
    drill = drill_flow({"x": "2026-09-28", "legendgroup": "created"}, grain="week", start=START, end=END)
    assert (drill.first, drill.last) == (START, END)  # the week of Monday 28 Sep, from 1 Oct (the period's start)
    assert ids(con, drill) == ["A", "B", "C", "E", "F", "G", "H"]  # D was created on 30 Sep, before the period
    assert bucket_days(date(2026, 12, 1), grain="month", start=date(2026, 1, 1), end=date(2026, 12, 31)) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
    )
    with pytest.raises(ValueError, match="grain"):
        bucket_days(START, grain="hour", start=START, end=END)


def test_split_bars_and_the_other_series(con):
    split = compute_split(con, start=START, end=END, by="channel", grain="day")
    named = tuple(v for v in split["value"].unique().to_list() if v != "other")
    for row in split.iter_rows(named=True):
        drill = drill_split(
            {"x": str(row["bucket"]), "legendgroup": row["value"]},
            grain="day",
            by="channel",
            start=START,
            end=END,
            named=named,
        )
        assert load_drill(con, drill)[1] == row["contacts"]
    phone = drill_split(
        {"x": "2026-10-02", "legendgroup": "phone"}, grain="day", by="channel", start=START, end=END, named=named
    )
    assert ids(con, phone) == ["C", "G", "H"]
    assert phone.title == "Created Fri 02 Oct 2026, channel phone"
    other = drill_split(
        {"x": "2026-10-02", "legendgroup": "other"}, grain="day", by="channel", start=START, end=END, named=("phone",)
    )
    assert ids(con, other) == ["F"]  # every channel but the named one


def test_empty_values_are_drilled_as_none(con):
    split = compute_split(con, start=START, end=END, by="category", grain="day")
    assert split["value"].unique().to_list() == ["(none)"]  # no contact has a category
    drill = drill_split(
        {"x": "2026-10-02", "legendgroup": "(none)"},
        grain="day",
        by="category",
        start=START,
        end=END,
        named=("(none)",),
    )
    assert ids(con, drill) == ["C", "F", "G", "H"]


def test_a_service_point_lists_the_contacts_its_kpi_counts(con):
    drill = drill_service(
        {"x": "2026-10-02", "legendgroup": "phone"},
        kpi_key="service_level",
        kpi_label="Service level",
        by="channel",
        grain="day",
        start=START,
        end=END,
    )
    assert ids(con, drill) == ["C", "G", "H"]  # abandoned C and the answered calls with a known wait
    sla = drill_service(
        {"x": "2026-10-02", "legendgroup": "phone"},
        kpi_key="sla_rate",
        kpi_label="SLA met",
        by="channel",
        grain="day",
        start=START,
        end=END,
    )
    assert ids(con, sla) == []  # none has an SLA outcome


def test_heatmap_cells_list_the_contacts_created_then(con):
    arrivals = compute_arrivals(con, start=START, end=END)
    for row in arrivals.iter_rows(named=True):
        drill = drill_arrivals({"customdata": [row["weekday"], row["hour"]]}, start=START, end=END)
        assert load_drill(con, drill)[1] == row["contacts"]
    friday_eight = drill_arrivals({"customdata": [5, 8]}, start=START, end=END)
    assert ids(con, friday_eight) == ["C", "G", "H"]
    assert friday_eight.title == "Created on Fridays 8:00–9:00, 01 Oct – 04 Oct 2026"
    assert drill_arrivals({"x": 3}, start=START, end=END) is None


def test_aging_bars_list_what_is_open_at_that_age(con):
    labels = [b[2] for b in AGE_BUCKETS]
    for as_of in (date(2026, 10, 1), date(2026, 10, 3)):
        aging = compute_aging(con, as_of=as_of)
        for row in aging.iter_rows(named=True):
            drill = drill_aging({"x": row["age"], "legendgroup": row["channel"]}, as_of=as_of)
            assert load_drill(con, drill)[1] == row["open"]
    assert ids(con, drill_aging({"x": labels[0], "legendgroup": "chat"}, as_of=date(2026, 10, 1))) == ["A", "B"]
    assert ids(con, drill_aging({"x": labels[1], "legendgroup": "chat"}, as_of=date(2026, 10, 1))) == ["D"]
    assert drill_aging({"x": "ancient", "legendgroup": "chat"}, as_of=START) is None


def test_forecast_points(con):
    actual = drill_forecast({"x": "2026-09-28", "legendgroup": "actual"}, grain="week", last_day=date(2026, 10, 3))
    assert (actual.first, actual.last) == (date(2026, 9, 28), date(2026, 10, 3))
    assert ids(con, actual) == ["A", "B", "C", "D", "E", "F", "G", "H"]
    ahead = drill_forecast({"x": "2026-10-04", "legendgroup": "forecast"}, grain="day", last_day=date(2026, 10, 3))
    rows, total = load_drill(con, ahead)
    assert (ahead.future, rows.height, total) == (True, 0, 0)
    assert (
        drill_forecast(
            {"x": "2026-10-04", "legendgroup": "80% prediction interval"}, grain="day", last_day=date(2026, 10, 3)
        )
        is None
    )


def test_staffing_cells_list_the_queue_contacts_of_that_interval(con):
    cell = drill_interval({"customdata": [5, 480]}, first=START, last=END, slot_minutes=30, channels=("phone", "chat"))
    assert ids(con, cell) == ["C", "G"]  # 8:00-8:30 on Friday; H came at 8:45
    assert cell.title == "phone, chat contacts created on Fridays 8:00–8:30, 01 Oct – 04 Oct 2026"


def test_shared_filters_apply_on_top_and_the_limit_keeps_the_newest(con):
    drill = Drill(date(2026, 10, 2), date(2026, 10, 2), "Created Fri 02 Oct 2026")
    rows, total = load_drill(con, drill, filters=Filters(channel=("phone",)), limit=1)
    assert (rows["ticket_id"].to_list(), total) == (["H"], 3)  # newest first, the count covers all
    everything, _ = load_drill(con, drill)
    assert everything["ticket_id"].to_list() == ["F", "H", "G", "C"]


def test_bad_drills_are_refused(con):
    with pytest.raises(ValueError, match="on must be"):
        load_drill(con, Drill(START, END, "x", on="closed"))
    with pytest.raises(ValueError, match="cannot drill on"):
        load_drill(con, Drill(START, END, "x", keep=(("status; DROP TABLE tickets", ("a",)),)))
    injected = Drill(START, END, "x", keep=(("channel", ("phone' OR 1=1 --",)),))
    assert load_drill(con, injected)[1] == 0  # a value is a bound parameter, never SQL


def test_the_bucket_comes_from_customdata_when_the_chart_puts_it_there():
    # a grouped bar reports an x shifted off its bucket; the chart's customdata holds the bucket itself
    drill = drill_flow(
        {"x": "2026-08-29 12:00", "customdata": "2026-08-31", "legendgroup": "created"},
        grain="week",
        start=date(2026, 9, 1),
        end=date(2026, 9, 30),
    )
    assert (drill.first, drill.last) == (date(2026, 9, 1), date(2026, 9, 6))
