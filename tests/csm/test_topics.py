"""Customer topics: emerging topics on hand-built monthly counts, and the demo's planted spike."""

import math
from datetime import date

import polars as pl
import pytest

from csm.topics import find_emerging


def months(*rows):
    return pl.DataFrame(rows, schema={"month": pl.Date, "category": pl.String, "contacts": pl.Int64}, orient="row")


def history(share_a: int, *, month: date) -> list[tuple]:
    """Six steady months of 100 A and 900 B, then ``month`` with ``share_a`` A out of 1,000."""
    rows = [(date(2026, m, 1), c, n) for m in range(1, 7) for c, n in (("A", 100), ("B", 900))]
    return rows + [(month, "A", share_a), (month, "B", 1000 - share_a)]


def test_a_topic_that_doubles_is_emerging_and_the_z_score_is_by_hand():
    got = find_emerging(months(*history(200, month=date(2026, 7, 1))), months=[date(2026, 7, 1)])
    a = got.filter(category="A").row(0, named=True)
    # baseline share 600 / 6,000 = 10%; expected 100 of 1,000, sd sqrt(1000 * 0.1 * 0.9) = 9.49; z = 10.5
    assert (a["share"], a["baseline_share"], a["lift"]) == (0.2, 0.1, 2.0)
    assert a["p"] == pytest.approx(0.5 * math.erfc(100 / math.sqrt(90) / math.sqrt(2)), abs=1e-15)
    assert a["emerging"] and not got.filter(category="B")["emerging"].item()  # B shrank


def test_normal_variation_and_small_lifts_are_not_emerging():
    noise = find_emerging(months(*history(112, month=date(2026, 7, 1))), months=[date(2026, 7, 1)])
    assert not noise["emerging"].any()  # 112 against 100 ± 9.5: z = 1.26
    lift = find_emerging(months(*history(140, month=date(2026, 7, 1))), months=[date(2026, 7, 1)])
    a = lift.filter(category="A").row(0, named=True)
    assert a["p"] < 1e-4 and not a["emerging"]  # clear, but 1.4 times the baseline: under the 1.5 floor


def test_a_new_topic_needs_enough_contacts_and_a_month_needs_six_months_before():
    rows = history(100, month=date(2026, 7, 1)) + [(date(2026, 7, 1), "New", 25), (date(2026, 8, 1), "A", 5)]
    got = find_emerging(months(*rows), months=[date(2026, 7, 1), date(2026, 8, 1)])
    new = got.filter(category="New").row(0, named=True)
    assert (new["baseline_share"], new["lift"], new["emerging"]) == (0.0, None, True)
    assert got.filter(month=date(2026, 8, 1)).height == 1  # August has July and five earlier months: judged
    early = find_emerging(months(*history(300, month=date(2026, 7, 1))), months=[date(2026, 3, 1)])
    assert early.is_empty()  # March has only two months before it


def test_the_planted_release_spike_is_found_in_its_month(demo_con):
    from csm.topics import compute_topics_view

    view = compute_topics_view(demo_con, start=date(2026, 5, 1), end=date(2026, 10, 31))
    emerging = view.emerging.filter("emerging")
    assert emerging.select("month", "category").rows() == [(date(2026, 7, 1), "App crash")]
    ranking = view.ranking
    assert ranking["contacts"].to_list() == sorted(ranking["contacts"].to_list(), reverse=True)
    assert ranking["contacts"].sum() == view.by_channel["contacts"].sum()


def test_bot_resolution_and_handoff_by_topic(make_db):
    from datetime import datetime

    from csm.formatting import format_topic_ranking
    from csm.topics import compute_topics_view

    def contact(i, category, bot):
        return {"ticket_id": str(i), "created_at": datetime(2026, 10, 1, 9, i), "channel": "chat",
                "category": category, "is_resolved_by_bot": bot}

    rows = [contact(0, "Login", True), contact(1, "Login", True), contact(2, "Login", False),
            contact(3, "Login", None), contact(4, "Refund", None)]
    view = compute_topics_view(make_db(tickets=rows), start=date(2026, 10, 1), end=date(2026, 10, 1))
    login = view.ranking.filter(category="Login").row(0, named=True)
    assert (login["contacts"], login["bot_resolution_rate"], login["bot_handoff_rate"]) == (
        4, pytest.approx(2 / 3), pytest.approx(1 / 3))
    refund = view.ranking.filter(category="Refund").row(0, named=True)
    assert refund["bot_resolution_rate"] is None and refund["growth"] is None  # no bot, no earlier contacts
    assert "Bot resolution" in format_topic_ranking(view.ranking).columns
    no_bot = view.ranking.with_columns(pl.lit(None, pl.Float64).alias("bot_resolution_rate"))
    assert "Bot resolution" not in format_topic_ranking(no_bot).columns
