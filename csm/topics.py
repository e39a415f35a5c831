"""Customer topics: what customers contact about, what grows, and what is emerging.

A topic is a ``category``. For the period the page ranks topics by volume with the growth
against the previous period of the same length, CSAT and FCR (catalogue definitions), and where
the data has bot contacts the bot resolution rate and its complement, the share of bot contacts
handed to an agent.

**Emerging topics.** For each month of the period, a topic's share of that month's contacts is
compared with its share over the six months before (the baseline). Under "nothing changed" the
month's count is Binomial(month's contacts, baseline share); the one-sided z-score of the
observed count against it gives a p-value, and Benjamini-Hochberg over all topics and months of
the period (false discovery rate 5%) decides. A topic also needs its share to be at least 1.5
times the baseline and at least 20 contacts that month, so that a big but tiny relative move or
a handful of contacts are not called emerging. Months without six months of history before them
are not judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

import duckdb
import polars as pl

from csm.compile import Filters, Window
from csm.metrics import compute_kpis
from csm.stats import FDR, benjamini_hochberg

BASELINE_MONTHS = 6
MIN_LIFT = 1.5
MIN_CONTACTS = 20
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class TopicsView:
    """What the Customer topics page shows."""

    ranking: pl.DataFrame  # category, contacts, previous, growth, csat, fcr_rate, bot_resolution_rate, bot_handoff_rate
    emerging: pl.DataFrame  # month, category, contacts, share, baseline_share, lift, p, emerging
    by_channel: pl.DataFrame  # category, channel, contacts, csat, fcr_rate


def _month_start(day: date, months_back: int = 0) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months_back, 12)
    return date(y, m + 1, 1)


def find_emerging(frame: pl.DataFrame, *, months: list[date], fdr: float = FDR) -> pl.DataFrame:
    """Return the topics of ``months`` tested against their six months before (``frame``: month, category, contacts).

    Returns:
        month, category, contacts, share, baseline_share, lift, p, emerging (bool).
    """
    totals = frame.group_by("month").agg(total=pl.col("contacts").sum())
    counts = frame.join(totals, on="month")
    rows = []
    normal = NormalDist()
    for month in months:
        base_months = [_month_start(month, k) for k in range(1, BASELINE_MONTHS + 1)]
        base = counts.filter(pl.col("month").is_in(base_months))
        if base["month"].n_unique() < BASELINE_MONTHS:
            continue
        base_total = base.group_by("month").agg(pl.col("total").first())["total"].sum()
        base_share = dict(base.group_by("category").agg(pl.col("contacts").sum()).iter_rows())
        now = counts.filter(month=month)
        for category, contacts, total in now.select("category", "contacts", "total").iter_rows():
            p0 = base_share.get(category, 0) / base_total if base_total else 0.0
            share = contacts / total
            if p0 <= 0:
                z = math.inf if contacts else 0.0
            else:
                z = (contacts - total * p0) / math.sqrt(total * p0 * (1 - p0))
            rows.append({"month": month, "category": category, "contacts": contacts, "share": share,
                         "baseline_share": p0, "lift": share / p0 if p0 else None, "p": 1 - normal.cdf(z)})
    schema = {"month": pl.Date, "category": pl.String, "contacts": pl.Int64, "share": pl.Float64,
              "baseline_share": pl.Float64, "lift": pl.Float64, "p": pl.Float64}
    out = pl.DataFrame(rows, schema=schema)
    found = benjamini_hochberg(out["p"].to_list(), fdr=fdr)
    material = [(r["lift"] is None or r["lift"] >= MIN_LIFT) and r["contacts"] >= MIN_CONTACTS
                for r in out.iter_rows(named=True)]
    return out.with_columns(emerging=pl.Series([f and m for f, m in zip(found, material, strict=True)],
                                               dtype=pl.Boolean))


def compute_topics_view(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters = Filters(),
) -> TopicsView:
    """Return the topic ranking of the period, the emerging topics of its months and CSAT / FCR by channel."""
    length = (end - start).days + 1
    before = Window("previous", start - timedelta(days=length), start - timedelta(days=1))
    ranked = compute_kpis(con, windows=(Window("current", start, end), before), filters=filters,
                          keys=("contacts", "csat", "fcr_rate", "bot_resolution_rate"), group_by=("category",))
    current = ranked.filter(window="current").select(pl.col("category").fill_null(NONE_LABEL), "contacts", "csat",
                                                       "fcr_rate", "bot_resolution_rate")
    previous = ranked.filter(window="previous").select(pl.col("category").fill_null(NONE_LABEL),
                                                         pl.col("contacts").alias("previous"))
    ranking = (current.join(previous, on="category", how="left")
               .with_columns(growth=pl.when(pl.col("previous") > 0)
                             .then(pl.col("contacts") / pl.col("previous") - 1))
               .with_columns(bot_handoff_rate=1 - pl.col("bot_resolution_rate"))
               .select("category", "contacts", "previous", "growth", "csat", "fcr_rate", "bot_resolution_rate",
                       "bot_handoff_rate")
               .sort("contacts", descending=True))
    first = _month_start(start, BASELINE_MONTHS)
    monthly = compute_kpis(con, windows=(Window("history", first, end),), filters=filters, keys=("contacts",),
                           group_by=("category",), grain="month").select(
        pl.col("bucket").alias("month"), pl.col("category").fill_null(NONE_LABEL), "contacts")
    months = sorted(m for m in monthly["month"].unique().to_list() if m >= _month_start(start))
    by_channel = compute_kpis(con, windows=(Window("current", start, end),), filters=filters,
                              keys=("contacts", "csat", "fcr_rate"), group_by=("category", "channel")).select(
        pl.col("category").fill_null(NONE_LABEL), "channel", "contacts", "csat", "fcr_rate")
    return TopicsView(ranking, find_emerging(monthly, months=months), by_channel)


__all__ = ["BASELINE_MONTHS", "MIN_CONTACTS", "MIN_LIFT", "TopicsView", "compute_topics_view", "find_emerging"]
