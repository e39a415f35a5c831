"""Display text for KPI values, changes and targets, driven by each KPI's ``format``."""

from __future__ import annotations

import math
import re

import polars as pl

from csm.kpis import Catalogue, Kpi

NO_DATA = "n/a"
CURRENCY_SYMBOL = "€"
STATUS_ICONS = {"on_target": "✓", "off_target": "✗", "no_target": "", "no_data": ""}


def format_duration(seconds: float) -> str:
    """Return a duration in the largest readable unit.

    Examples:
        >>> format_duration(42.4)
        '42 s'
        >>> format_duration(452)
        '7m 32s'
        >>> format_duration(5400)
        '1.5 h'
        >>> format_duration(200000)
        '2.3 d'
    """
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    if s < 60:
        return f"{sign}{s:.0f} s"
    if s < 3600:
        m, sec = divmod(round(s), 60)
        return f"{sign}{m}m {sec:02d}s"
    if s < 172800:
        return f"{sign}{s / 3600:.1f} h"
    return f"{sign}{s / 86400:.1f} d"


def format_value(kpi: Kpi, value: float | None) -> str:
    """Return ``value`` formatted for ``kpi``; ``n/a`` when there is no data.

    Examples:
        >>> from csm.kpis import load_catalogue
        >>> c = load_catalogue()
        >>> format_value(c["csat"], 0.8234), format_value(c["contacts"], 14113), format_value(c["nps"], None)
        ('82.3%', '14,113', 'n/a')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA
    fmt = kpi.format
    if fmt == "percent":
        return f"{value * 100:.1f}%"
    if fmt == "integer":
        return f"{value:,.0f}"
    if fmt == "duration":
        return format_duration(value)
    if fmt == "decimal2":
        return f"{value:,.2f}"
    if fmt == "currency":
        return f"{CURRENCY_SYMBOL}{value:,.2f}"
    return f"{value:,.1f}"


def format_change(kpi: Kpi, change: float | None, change_pct: float | None = None) -> str | None:
    """Return the change against the comparison period, signed, or None without one.

    Ratios change in percentage points; counts show the relative change too.

    Examples:
        >>> from csm.kpis import load_catalogue
        >>> c = load_catalogue()
        >>> format_change(c["csat"], 0.0123), format_change(c["aht_s"], -12.0), format_change(c["contacts"], 1001, 0.0763)
        ('+1.2 pp', '-12 s', '+1,001 (+7.6%)')
    """
    if change is None:
        return None
    sign = "+" if change >= 0 else "-"
    fmt = kpi.format
    if fmt == "percent":
        return f"{sign}{abs(change) * 100:.1f} pp"
    if fmt == "duration":
        return f"{sign}{format_duration(abs(change))}"
    if fmt == "integer":
        text = f"{sign}{abs(change):,.0f}"
        return text + (f" ({'+' if change_pct >= 0 else '-'}{abs(change_pct) * 100:.1f}%)" if change_pct is not None else "")
    return f"{sign}{format_value(kpi, abs(change))}"


def describe_status(status: str) -> str:
    """Return a target status in words.

    Examples:
        >>> describe_status("off_target")
        'Off target'
    """
    return {"on_target": "On target", "off_target": "Off target", "no_target": "No target", "no_data": "No data"}[status]


def format_scorecard(scorecard: pl.DataFrame, *, catalogue: Catalogue, with_definition: bool = False) -> pl.DataFrame:
    """Return a scorecard (``compute_scorecard``) as display text, one row per KPI.

    Columns: KPI, Actual, Target, Gap to target, Status, Previous, Change (and Definition).
    """
    out = []
    for r in scorecard.iter_rows(named=True):
        kpi = catalogue[r["key"]]
        gap = r["value"] - r["target"] if r["value"] is not None and r["target"] is not None else None
        row = {
            "KPI": kpi.label,
            "Actual": format_value(kpi, r["value"]),
            "Target": format_value(kpi, r["target"]) if r["target"] is not None else "—",
            "Gap to target": format_change(kpi, gap) or "—",
            "Status": f"{STATUS_ICONS[r['status']]} {describe_status(r['status'])}".strip(),
            "Previous": format_value(kpi, r["previous"]),
            "Change": format_change(kpi, r["change"], r["change_pct"]) or "—",
        }
        if with_definition:
            row["Definition"] = kpi.definition
        out.append(row)
    columns = ["KPI", "Actual", "Target", "Gap to target", "Status", "Previous", "Change"]
    return pl.DataFrame(out, schema=columns + (["Definition"] if with_definition else []))


DIRECTION_TEXT = {"higher_is_better": "Higher", "lower_is_better": "Lower", "neutral": "Neither"}


def format_catalogue(catalogue: Catalogue) -> pl.DataFrame:
    """Return the KPI catalogue as display text: key, label, definition, unit, direction, target."""
    return pl.DataFrame(
        [
            {
                "KPI": k.label,
                "Key": k.key,
                "Definition": k.definition,
                "Unit": k.unit,
                "Better when": DIRECTION_TEXT[k.direction],
                "Default target": format_value(k, k.target) if k.target is not None else "—",
            }
            for k in catalogue.kpis.values()
        ]
    )


def plural(count: int, word: str) -> str:
    """Return a count with its noun, singular for one.

    Examples:
        >>> plural(1, "contact"), plural(2_500, "row")
        ('1 contact', '2,500 rows')
    """
    return f"{count:,} {word}{'' if count == 1 else 's'}"


RULE_NAMES = {
    "missing_column": "Required field not mapped", "missing_value": "Empty required value",
    "unknown_value": "Unknown value", "unparseable": "Unreadable value", "out_of_range": "Out of range",
    "absurd_duration": "Implausible duration", "resolved_before_created": "Resolved before created",
    "replied_before_created": "Replied before created", "resolved_before_first_reply": "Resolved before first reply",
    "future_date": "Date in the future", "duplicate_id": "Several rows per ticket", "duplicate_key": "Duplicate key",
    "not_first_of_month": "Month not on its first day", "out_of_era": "Date out of range",
    "placeholder_date": "Placeholder date", "control_characters": "Control characters",
}

# The command line's hints, in the Data page's words (the page has no flags).
_PAGE_WORDS = (
    (re.compile(r"map one with --map \w+=HEADER \(download the template to see the expected columns\)"),
     "pick its file column in the mapping (the Templates tab shows the expected columns)"),
    (re.compile(r"map one with --map \w+=HEADER"), "pick its file column in the mapping above"),
    (re.compile(r"fix the file or map them with --set"), "fix the file, or give one value for every row in the "
                                                          "mapping above"),
    (re.compile(r"Say which with --dates day-first or --dates month-first\."), "Say which below."),
    (re.compile(r",? ?(or )?use --drop-invalid"), ", or tick 'Leave out the rows with errors'"),
    (re.compile(r"e\.g\. --map (\w+)=[^;)]*"), r"pick the file column of \1 first"),
    (re.compile(r"map it with --map first"), "pick its file column first"),
    (re.compile(r"\(setting (CSM_\w+)\)"), r"(the dashboard's setting \1)"),
)


def for_page(message: str) -> str:
    """Return an importer message in the Data page's words: no command-line flags.

    Examples:
        >>> for_page("no column of the file is mapped to channel; map one with --map channel=HEADER")
        'no column of the file is mapped to channel; pick its file column in the mapping above'
    """
    for pattern, words in _PAGE_WORDS:
        message = pattern.sub(words, message)
    return message


def format_findings(findings: list) -> pl.DataFrame:
    """Return a validation report as a display table: errors first, one row per finding.

    Examples:
        >>> from csm.ingest.validate import Finding
        >>> format_findings([Finding("out_of_range", "csat_score", "error", 12, (4, 9), "values outside 1 to 5",
        ...                          source="CSAT")]).row(0)
        ('Error', 'Out of range', 'csat_score', 'CSAT', 12, '4, 9 …', 'values outside 1 to 5')
    """
    rows = [{
        "Severity": f.severity.capitalize(), "Rule": RULE_NAMES.get(f.rule, f.rule), "Field": f.column,
        "File column": f.source or "", "Rows": f.count,
        "Sample rows": ", ".join(map(str, f.rows)) + (" …" if f.count > len(f.rows) else ""),
        "What it means": for_page(f.message),
    } for f in sorted(findings, key=lambda f: f.severity != "error")]
    schema = {"Severity": pl.String, "Rule": pl.String, "Field": pl.String, "File column": pl.String,
              "Rows": pl.Int64, "Sample rows": pl.String, "What it means": pl.String}
    return pl.DataFrame(rows, schema=schema)


def format_imports(log: pl.DataFrame) -> pl.DataFrame:
    """Return the import log (``csm.ingest.history.load_imports``) as a display table."""
    status = (pl.when(pl.col("undone_at").is_not_null())
              .then(pl.lit("undone ") + pl.col("undone_at").dt.strftime("%Y-%m-%d %H:%M"))
              .when(pl.col("can_undo")).then(pl.lit("latest: can be undone"))
              .otherwise(pl.lit("in effect")))
    return log.select(
        pl.col("imported_at").dt.strftime("%Y-%m-%d %H:%M").alias("When"),
        pl.col("source").alias("File"),
        pl.col("target_table").alias("Into"),
        pl.col("rows_read").alias("Rows read"),
        pl.col("rows_written").alias("Written"),
        pl.col("rows_folded").alias("Folded"),
        pl.col("rows_dropped").alias("Left out"),
        pl.col("duration_s").round(1).alias("Seconds"),
        status.alias("Status"),
        pl.col("import_id").alias("Import"),
    )


STAFFING_COLUMNS = {"Contacts expected": {"format": "localized"}, "FTE needed": {"format": "%.1f"}}


def format_staffing_channels(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the staffing plan per channel (``csm.workforce``) as a display table (see ``STAFFING_COLUMNS``)."""
    return frame.select(
        pl.col("channel").str.replace("_", " ").alias("Channel"),
        pl.col("method").alias("Planned by"),
        pl.col("contacts").round(0).cast(pl.Int64).alias("Contacts expected"),
        pl.col("aht_s").map_elements(format_duration, return_dtype=pl.String).alias("Handle time"),
        pl.col("fte").round(1).alias("FTE needed"),
    )


def format_agent_scorecard(table: pl.DataFrame, *, keys: tuple[str, ...], sort_by: str | None = None) -> pl.DataFrame:
    """Return the agent scorecard (``csm.agents.scorecard_table``) or the teams side by side for display.

    A cell reads "82.3% (74.1–88.2%)"; "too few (12)" below the minimum sample (no interval);
    "n/a" without data. Flags are listed per agent. Sorted by ``sort_by``'s value, best first,
    too few and no data last. Agents' rows carry their ``ID``.
    """
    from csm.kpis import load_catalogue

    catalogue = load_catalogue()
    if sort_by:
        kpi = catalogue[sort_by]
        usable = pl.col(f"{sort_by}_low").is_not_null()
        table = table.sort(pl.when(usable).then(pl.col(sort_by)), descending=kpi.direction == "higher_is_better",
                           nulls_last=True)

    def cell(row: dict, key: str) -> str:
        kpi, value = catalogue[key], row[key]
        if value is None:
            return NO_DATA
        if row[f"{key}_low"] is None:
            return f"too few ({row[f'{key}_n']:,})"
        return f"{format_value(kpi, value)} ({format_value(kpi, row[f'{key}_low'])}–{format_value(kpi, row[f'{key}_high'])})"

    rows = []
    for row in table.iter_rows(named=True):
        flags = {"coach": [], "recognise": []}
        for key in keys:
            if row[f"{key}_flag"]:
                flags[row[f"{key}_flag"]].append(catalogue[key].label)
        out = {"Agent": row["agent"]} if "agent" in row else {}  # the teams side by side have no agent
        out |= {"Team": row["team"], "Contacts": row["contacts"],
               "Coach on": ", ".join(flags["coach"]), "Recognise for": ", ".join(flags["recognise"])}
        out |= {catalogue[key].label: cell(row, key) for key in keys}
        if "agent" in row:
            out["ID"] = row["agent_id"]  # for the drill-through; the page does not show it
        rows.append(out)
    return pl.DataFrame(rows) if rows else pl.DataFrame()


def to_excel(sheets: dict[str, pl.DataFrame]) -> bytes:
    """Return an Excel workbook (xlsx) with one worksheet per frame, in order; text cells stay text (``csm.inert``)."""
    import io

    import xlsxwriter

    from csm.inert import WORKBOOK_OPTIONS, printable_frame

    book = io.BytesIO()
    with xlsxwriter.Workbook(book, WORKBOOK_OPTIONS) as workbook:
        for name, frame in sheets.items():
            printable_frame(frame).write_excel(workbook, worksheet=name)
    return book.getvalue()


def format_topic_ranking(ranking: pl.DataFrame) -> pl.DataFrame:
    """Return ``csm.topics.TopicsView.ranking`` for display: rates in percent, readable headers.

    The bot columns are left out when no topic has bot contacts.
    """
    rates = ["growth", "csat", "fcr_rate", "bot_resolution_rate", "bot_handoff_rate"]
    if ranking["bot_resolution_rate"].is_null().all():
        ranking = ranking.drop("bot_resolution_rate", "bot_handoff_rate")
    names = {"category": "Topic", "contacts": "Contacts", "previous": "Previous period", "growth": "Growth",
             "csat": "CSAT", "fcr_rate": "First-contact resolution", "bot_resolution_rate": "Bot resolution",
             "bot_handoff_rate": "Bot handed to an agent"}
    return ranking.with_columns(pl.col(c) * 100 for c in rates if c in ranking.columns).rename(
        {k: v for k, v in names.items() if k in ranking.columns})


def format_topic_grid(by_channel: pl.DataFrame, kpi: str) -> pl.DataFrame:
    """Return one row per topic and one column per channel of ``kpi`` (csat or fcr_rate), in percent."""
    return (by_channel.with_columns(pl.col(kpi) * 100, pl.col("channel").str.replace("_", " "))
            .pivot(on="channel", index="category", values=kpi).sort("category").rename({"category": "Topic"}))


def agent_trend_frame(trend: pl.DataFrame, kpi: str, *, name: str) -> pl.DataFrame:
    """Return one agent's weekly ``kpi`` and the team's (``csm.one_on_one`` trend) as bucket, who, <kpi>."""
    part = trend.filter(kpi=kpi)
    return pl.concat([part.select("bucket", pl.lit(name).alias("who"), pl.col("agent").alias(kpi)),
                      part.select("bucket", pl.lit("team").alias("who"), pl.col("team").alias(kpi))])


def format_mix(mix: pl.DataFrame) -> pl.DataFrame:
    """Return an agent's work mix (``csm.one_on_one`` mix) for display, shares in percent."""
    return mix.select(pl.col("dimension").str.replace("category", "topic").alias("By"),
                      pl.col("value").str.replace("_", " ").alias("Value"),
                      (pl.col("agent_share") * 100).round(1).alias("This agent (%)"),
                      (pl.col("team_share") * 100).round(1).alias("Team (%)"))



def _month_label(column: str = "month") -> pl.Expr:
    return pl.col(column).dt.strftime("%b %Y").alias("Month")


def _percent(column: str, name: str) -> pl.Expr:
    return (pl.col(column) * 100).round(1).alias(name)


def format_year_summary(table: pl.DataFrame) -> pl.DataFrame:
    """Return ``csm.budget.YearSummary.table`` for display: money in the currency, variance in percent."""
    return table.select(pl.col("category").str.to_titlecase().alias("Category"), pl.col("ytd_plan").alias("Plan to date"),
                        pl.col("ytd_actual").alias("Spend to date"), pl.col("variance").alias("Variance"),
                        _percent("variance_pct", "Variance (%)"), pl.col("run_rate").alias("Run rate per month"),
                        pl.col("projection").alias("Projected year"), pl.col("full_year_plan").alias("Year plan"),
                        pl.col("projected_variance").alias("Projected against plan"),
                        pl.when(pl.col("over_plan")).then(pl.lit("over plan")).otherwise(pl.lit("")).alias("Status"))


def format_budget_months(by_month: pl.DataFrame) -> pl.DataFrame:
    """Return ``csm.budget.budget_by_month`` for display, newest month first."""
    return by_month.sort("month", "category", descending=[True, False]).select(
        _month_label(), pl.col("category").str.to_titlecase().alias("Category"), pl.col("planned").alias("Plan"),
        pl.col("actual").alias("Spend"), pl.col("variance").alias("Variance"), _percent("variance_pct", "Variance (%)"))


def format_headcount(summary: pl.DataFrame) -> pl.DataFrame:
    """Return ``csm.budget.summarise_headcount`` for display."""
    return summary.select(pl.col("team").alias("Team"), pl.col("months").alias("Months"),
                          pl.col("planned_fte").round(1).alias("Planned FTE"),
                          pl.col("actual_fte").round(1).alias("Actual FTE"), pl.col("hires").alias("Hires"),
                          pl.col("leavers").alias("Leavers"), _percent("attrition", "Attrition, annualised (%)"),
                          pl.col("contacts_per_fte").round(0).alias("Contacts per FTE per month"))


def format_unit_costs(monthly: pl.DataFrame) -> pl.DataFrame:
    """Return ``csm.budget.compute_unit_costs``'s monthly frame for display, newest first."""
    return monthly.sort("month", descending=True).select(
        _month_label(), pl.col("spend").alias("Spend"), pl.col("contacts").alias("Contacts"),
        pl.col("resolved").alias("Resolved"), pl.col("cost_per_contact").alias("Cost per contact"),
        pl.col("cost_per_resolved").alias("Cost per resolved contact"))


def format_channel_costs(by_channel: pl.DataFrame) -> pl.DataFrame:
    """Return ``csm.budget.compute_unit_costs``'s by-channel frame for display."""
    return by_channel.select(pl.col("channel").str.replace("_", " ").alias("Channel"),
                             pl.col("handled_hours").round(0).alias("Handled hours"),
                             _percent("share", "Share of handle time (%)"), pl.col("spend").alias("Allocated spend"),
                             pl.col("contacts").alias("Contacts"), pl.col("cost_per_contact").alias("Cost per contact"))


def format_money(value: float | None, *, signed: bool = False, suffix: str = "") -> str | None:
    """Return whole currency units, the sign first when ``signed`` (so a delta reads -€1,200); None stays None.

    Examples:
        >>> format_money(-17324.9, signed=True, suffix=" against plan"), format_money(1500), format_money(None)
        ('-€17,325 against plan', '€1,500', None)
    """
    if value is None:
        return None
    sign = ("-" if value < 0 else "+") if signed else ("-" if value < 0 else "")
    return f"{sign}{CURRENCY_SYMBOL}{abs(value):,.0f}{suffix}"


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")  # ":" also stops Streamlit's :colour[...] directives
_AUTOLINK = re.compile(r"(?i)(https?:|ftp:|mailto:|www\.)")


def escape_markdown(text: str) -> str:
    r"""Return ``text`` with Markdown's special characters escaped, so data shows as typed in ``st.markdown``.

    Team, topic and channel names come from imported data: a name like ``![x](http://…)`` must not
    become an image that loads from the network, a bare URL must not become a link, and ``**``
    must not turn bold.

    Examples:
        >>> escape_markdown("![x](http://e.test/i.png) *A*")
        '\\!\\[x\\]\\(h\u2060ttp\\://e\\.test/i\\.png\\) \\*A\\*'
    """
    # Streamlit's Markdown (GFM) turns bare URLs and e-mail addresses into links after escapes are
    # read, so an invisible word joiner (U+2060) after their first letter, or after "@", breaks them.
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + "\u2060" + m.group(0)[1:], text).replace("@", "@\u2060")
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIALS else c for c in text)
