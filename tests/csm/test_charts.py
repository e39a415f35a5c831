from datetime import date

import polars as pl

from csm.charts import build_channel_volume_figure, build_kpi_trend_figure
from csm.kpis import load_catalogue

CATALOGUE = load_catalogue()
SERIES = pl.DataFrame({
    "bucket": [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)],
    "csat": [0.8, None, 0.9],
    "aht_s": [420.0, 480.0, 450.0],
})


def test_trend_draws_the_kpi_with_a_target_line():
    fig = build_kpi_trend_figure(SERIES, kpi=CATALOGUE["csat"], target=0.85)
    assert [t.type for t in fig.data] == ["scatter"]
    assert list(fig.data[0].y) == [0.8, None, 0.9]  # a gap stays a gap, never 0
    assert fig.layout.shapes[0].y0 == 0.85
    assert fig.layout.yaxis.tickformat == ".0%"


def test_trend_of_durations_uses_a_readable_unit():
    fig = build_kpi_trend_figure(SERIES, kpi=CATALOGUE["aht_s"], target=480)
    assert list(fig.data[0].y) == [7.0, 8.0, 7.5]
    assert fig.layout.yaxis.title.text == "Average handle time (minutes)"
    assert fig.layout.shapes[0].y0 == 8.0


def test_trend_without_data_says_so():
    fig = build_kpi_trend_figure(SERIES.clear(), kpi=CATALOGUE["csat"])
    assert fig.layout.annotations[0].text == "No data for this selection"


def test_channel_volume_stacks_one_bar_trace_per_channel_largest_first():
    frame = pl.DataFrame({
        "bucket": [date(2026, 10, 1)] * 2 + [date(2026, 10, 2)] * 2,
        "channel": ["phone", "email", "phone", "email"],
        "contacts": [10, 30, 12, 25],
    })
    fig = build_channel_volume_figure(frame)
    assert [t.name for t in fig.data] == ["email", "phone"]
    assert fig.layout.barmode == "stack"
    assert list(fig.data[1].y) == [10, 12]


def test_empty_figures_hide_their_axes():
    fig = build_channel_volume_figure(pl.DataFrame(schema={"bucket": pl.Date, "channel": pl.String, "contacts": pl.Int64}))
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_volume_figures_carry_the_data_and_say_when_empty():
    from datetime import date

    import polars as pl

    from csm.charts import build_aging_figure, build_arrivals_heatmap, build_flow_figure, build_split_volume_figure

    split = pl.DataFrame({"bucket": [date(2026, 10, 5)] * 3, "value": ["Billing", "other", "Login"],
                          "contacts": [5, 1, 3]})
    fig = build_split_volume_figure(split, by="category", grain="week")
    assert [t.name for t in fig.data] == ["Billing", "Login", "other"]  # largest first, "other" last
    assert fig.layout.title.text == "Contacts by category per week (starting Monday)"
    flow = pl.DataFrame({"bucket": [date(2026, 10, 1)], "created": [4], "resolved": [2], "backlog": [7]})
    fig = build_flow_figure(flow)
    assert [(t.name, list(t.y)) for t in fig.data] == [("created", [4]), ("resolved", [2]),
                                                        ("open at the end (backlog)", [7])]
    assert fig.data[2].yaxis == "y2"
    arrivals = pl.DataFrame({"weekday": [1], "hour": [9], "contacts": [10], "service_level": [0.5], "per_day": [2.5]})
    heat = build_arrivals_heatmap(arrivals, value="service_level")
    assert heat.data[0].z[0][9] == 0.5 and heat.data[0].z[6][23] is None and heat.data[0].zmax == 1
    # drill-through: each series names itself, each point carries its bucket, each heatmap cell its key
    assert [(t.legendgroup, list(t.customdata)) for t in fig.data] == [
        ("created", ["2026-10-01"]),
        ("resolved", ["2026-10-01"]),
        ("backlog", ["2026-10-01"]),
    ]
    cell = heat.data[1]
    assert (list(cell.x), list(cell.y), [list(c) for c in cell.customdata], list(cell.text)) == (
        [9],
        ["Mon"],
        [[1, 9]],
        ["50%"],
    )
    assert heat.data[0].hoverinfo == "skip" and list(heat.layout.xaxis.range) == [-0.5, 23.5]
    empty = build_aging_figure(
        pl.DataFrame(schema={"age": pl.String, "age_order": pl.Int32, "channel": pl.String, "open": pl.Int64})
    )
    assert empty.layout.annotations[0].text == "No data for this selection"


def test_a_kpi_by_group_draws_a_line_per_group_that_has_it():
    from datetime import date

    import polars as pl

    from csm.charts import build_kpi_by_group_figure
    from csm.kpis import load_catalogue

    kpi = load_catalogue()["service_level"]
    frame = pl.DataFrame({"bucket": [date(2026, 10, 1)] * 2, "channel": ["phone", "email"],
                          "service_level": [0.75, None]})
    fig = build_kpi_by_group_figure(frame, kpi=kpi, by="channel", target=0.8)
    assert [t.name for t in fig.data] == ["phone"]  # email has no service level: no line, never a zero
    assert fig.layout.shapes[0].y0 == fig.data[0].y[0] / 0.75 * 0.8


def test_the_handle_time_histogram_shows_empty_minutes_as_zero():
    from csm.charts import build_handle_time_figure

    bars = build_handle_time_figure(pl.DataFrame({"minute": [1, 3, 30], "contacts": [2, 1, 4]})).data[0]
    assert list(bars.x[:4]) == ["0", "1", "2", "3"] and bars.x[-1] == "30+" and len(bars.x) == 31
    assert list(bars.y[:4]) == [0, 2, 0, 1] and bars.y[-1] == 4
    empty = build_handle_time_figure(pl.DataFrame({"minute": [], "contacts": []}, schema={"minute": pl.Int32,
                                                                                          "contacts": pl.Int64}))
    assert len(empty.data[0].x) == 0 and empty.layout.annotations  # says there is nothing to show
