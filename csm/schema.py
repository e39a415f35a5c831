"""The canonical data model, declared once: tables, columns, types, allowed values.

DDL, the identifier allow-list and ``docs/data-model.md`` are all derived from
``TABLES``; nothing else in the project spells a column list by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS = ("phone", "chat", "email", "social", "web_form", "bot")
PRIORITIES = ("urgent", "high", "normal", "low")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
BUDGET_CATEGORIES = ("headcount", "tools", "training", "overtime", "other")


@dataclass(frozen=True)
class Column:
    """One column of the canonical model."""

    name: str
    dtype: str
    description: str
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None

    @property
    def allowed_text(self) -> str:
        """Return the allowed values or range in words, for the docs."""
        if self.allowed:
            return ", ".join(f"`{v}`" for v in self.allowed)
        if self.min_value is not None and self.max_value is not None:
            return f"{self.min_value:g} to {self.max_value:g}"
        if self.min_value is not None:
            return f">= {self.min_value:g}"
        return ""


@dataclass(frozen=True)
class Table:
    """One table of the canonical model."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    key: tuple[str, ...] = ()  # reference tables: the columns naming a row (an import replaces rows by it)

    def column(self, name: str) -> Column:
        """Return the column called ``name``.

        Raises:
            KeyError: the table has no such column.
        """
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Return the column names in declaration order."""
        return tuple(c.name for c in self.columns)


TICKETS = Table(
    "tickets",
    "One row per customer contact: a call, chat, email, social message, web form or bot conversation.",
    (
        Column("ticket_id", "VARCHAR", "Identifier of the contact in the source system.", required=True),
        Column("created_at", "TIMESTAMP", "When the customer made contact (local time of the operation).", required=True),
        Column("channel", "VARCHAR", "Channel the contact came in on.", required=True, allowed=CHANNELS),
        Column("team", "VARCHAR", "Team that owns the contact."),
        Column("agent_id", "VARCHAR", "Agent who handled the contact (`agents.agent_id`); empty for abandoned or bot-only contacts."),
        Column("category", "VARCHAR", "Topic or reason for contact."),
        Column("priority", "VARCHAR", "Priority of the contact.", allowed=PRIORITIES),
        Column("status", "VARCHAR", "Status at the time of the export.", allowed=STATUSES),
        Column("first_response_at", "TIMESTAMP", "First reply by a person: answer of a call or chat, first public reply to a message."),
        Column("resolved_at", "TIMESTAMP", "When the contact was last marked solved; empty while unresolved."),
        Column("handle_time_s", "DOUBLE", "Agent time spent on the contact in seconds (talk or work time plus wrap-up).", min_value=0),
        Column("wait_time_s", "DOUBLE", "Seconds in queue before an answer or abandonment (queue channels: phone, chat).", min_value=0),
        Column("is_answered", "BOOLEAN", "Queue contacts: true when answered, false when abandoned; empty for non-queue channels."),
        Column("is_fcr", "BOOLEAN", "True when the issue was resolved on first contact, with no follow-up needed."),
        Column("reopen_count", "INTEGER", "Times the contact was reopened after being solved.", min_value=0),
        Column("is_escalated", "BOOLEAN", "True when the contact was escalated to a higher tier or specialist team."),
        Column("reassignment_count", "INTEGER", "Times the contact moved from one agent or group to another.", min_value=0),
        Column("is_sla_met", "BOOLEAN", "True when the contact met its service-level agreement (first reply within the target for its channel and priority)."),
        Column("csat_score", "SMALLINT", "Customer satisfaction survey answer on a 1-5 scale.", min_value=1, max_value=5),
        Column("nps_score", "SMALLINT", "Net promoter survey answer on a 0-10 scale.", min_value=0, max_value=10),
        Column("qa_score", "DOUBLE", "Quality assurance review score, 0-100.", min_value=0, max_value=100),
        Column("is_resolved_by_bot", "BOOLEAN", "Bot-capable contacts: true when a bot resolved it without an agent; empty where no bot was involved."),
        Column("customer_id", "VARCHAR", "Identifier of the customer."),
        Column("import_id", "VARCHAR", "Import (`imports.import_id`) that last wrote this row; `demo` for generated data."),
    ),
    # One row per ticket_id, kept by the importer (it folds a file's rows per ticket and replaces
    # stored rows) rather than by a PRIMARY KEY: DuckDB's key index made loads ~3x slower
    # (4 s of a 1M-row import, docs/performance.md).
    key=("ticket_id",),
)

AGENTS = Table(
    "agents",
    "One row per agent, current or former.",
    (
        Column("agent_id", "VARCHAR", "Identifier used in `tickets.agent_id`.", required=True),
        Column("name", "VARCHAR", "Display name.", required=True),
        Column("team", "VARCHAR", "Current team."),
        Column("lead", "VARCHAR", "Team lead the agent reports to."),
        Column("hire_date", "DATE", "First working day."),
        Column("fte", "DOUBLE", "Contracted full-time equivalent, 1.0 for full time.", min_value=0, max_value=1.5),
        Column("hourly_cost", "DOUBLE", "Fully loaded cost per paid hour, in the budget currency.", min_value=0),
        Column("is_active", "BOOLEAN", "False once the agent has left.", required=True),
    ),
    primary_key=("agent_id",),
    key=("agent_id",),
)

BUDGET = Table(
    "budget",
    "Planned and actual spend per month, category and (optionally) team.",
    (
        Column("month", "DATE", "First day of the month.", required=True),
        Column("team", "VARCHAR", "Team the money belongs to; empty for shared costs."),
        Column("category", "VARCHAR", "Spend category.", required=True, allowed=BUDGET_CATEGORIES),
        Column("planned", "DOUBLE", "Planned spend in the budget currency.", min_value=0),
        Column("actual", "DOUBLE", "Actual spend in the budget currency; empty until the month is booked.", min_value=0),
    ),
    key=("month", "team", "category"),
)

HEADCOUNT = Table(
    "headcount",
    "Planned and actual staffing per month and team.",
    (
        Column("month", "DATE", "First day of the month.", required=True),
        Column("team", "VARCHAR", "Team.", required=True),
        Column("planned_fte", "DOUBLE", "Full-time equivalents in the staffing plan.", min_value=0),
        Column("actual_fte", "DOUBLE", "Full-time equivalents on the books (average over the month).", min_value=0),
        Column("hires", "INTEGER", "Agents who started in the month.", min_value=0),
        Column("leavers", "INTEGER", "Agents who left in the month.", min_value=0),
    ),
    key=("month", "team"),
)

TARGETS = Table(
    "targets",
    "KPI targets; a row overrides the catalogue's default target from `valid_from` on.",
    (
        Column("kpi_key", "VARCHAR", "Key of a KPI in the catalogue (`docs/kpis.md`).", required=True),
        Column("target", "DOUBLE", "Target value in the KPI's unit (ratios as 0-1).", required=True),
        Column("team", "VARCHAR", "Team the target applies to; empty for every team."),
        Column("valid_from", "DATE", "First day the target applies.", required=True),
    ),
    key=("kpi_key", "team", "valid_from"),
)

IMPORTS = Table(
    "imports",
    "Log of every load into the database (demo build or file import).",
    (
        Column("import_id", "VARCHAR", "Identifier written to `tickets.import_id`.", required=True),
        Column("imported_at", "TIMESTAMP", "When the load finished.", required=True),
        Column("source", "VARCHAR", "File name, or `demo` for generated data.", required=True),
        Column("rows_written", "BIGINT", "Rows inserted or replaced.", min_value=0),
        Column("note", "VARCHAR", "Free text: generator seed, mapping used."),
        Column("target_table", "VARCHAR", "Table the import wrote: `tickets` or a reference table."),
        Column("file_sha256", "VARCHAR", "SHA-256 of the imported file."),
        Column("rows_read", "BIGINT", "Data rows in the file.", min_value=0),
        Column("rows_folded", "BIGINT", "Rows merged into another row of the same ticket (the latest is kept).",
               min_value=0),
        Column("rows_dropped", "BIGINT", "Rows left out because of errors (on request).", min_value=0),
        Column("duration_s", "DOUBLE", "Seconds the import took.", min_value=0),
        Column("undone_at", "TIMESTAMP", "When the import was rolled back; empty while it is in effect."),
    ),
    primary_key=("import_id",),
)


def _replaced(table: Table, what: str) -> Table:
    """Return the table keeping ``table``'s rows as they were before an import replaced them."""
    return Table(
        f"{table.name}_replaced",
        f"{what} as they were before an import replaced them, so the import can be undone.",
        (
            Column("replaced_by", "VARCHAR", "Import (`imports.import_id`) that replaced the row.", required=True),
            *(Column(c.name, c.dtype, c.description, allowed=c.allowed, min_value=c.min_value,
                     max_value=c.max_value) for c in table.columns),
        ),
    )


TICKETS_REPLACED = _replaced(TICKETS, "Contacts")
REFERENCE_TABLES: tuple[Table, ...] = (AGENTS, BUDGET, HEADCOUNT, TARGETS)
REPLACED_TABLES: dict[str, Table] = {
    "tickets": TICKETS_REPLACED, "agents": _replaced(AGENTS, "Agents"), "budget": _replaced(BUDGET, "Budget rows"),
    "headcount": _replaced(HEADCOUNT, "Headcount rows"), "targets": _replaced(TARGETS, "Targets"),
}

REVIEW_NOTES = Table(
    "review_notes",
    "The manager's commentary and recommendations saved with a business review.",
    (
        Column("review_key", "VARCHAR", "The period and the teams reviewed (`2026-10|Billing`).", required=True),
        Column("period", "VARCHAR", "The month (`2026-10`) or quarter (`2026-Q3`).", required=True),
        Column("notes", "VARCHAR", "The commentary, as typed (Markdown)."),
        Column("saved_at", "TIMESTAMP", "When it was last saved.", required=True),
    ),
    primary_key=("review_key",),
)

TABLES: tuple[Table, ...] = (TICKETS, AGENTS, BUDGET, HEADCOUNT, TARGETS, IMPORTS,
                             *REPLACED_TABLES.values(), REVIEW_NOTES)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def quote_identifier(name: str, *, table: str | None = None) -> str:
    """Return ``name`` quoted for SQL after checking it against the canonical schema.

    Identifiers cannot be bound parameters, so every table or column name that reaches
    SQL passes through here.

    Args:
        name: a table name, or a column name when ``table`` is given.
        table: the table the column must belong to.

    Returns:
        The identifier in double quotes.

    Raises:
        ValueError: the name is not in the allow-list.

    Examples:
        >>> quote_identifier("tickets")
        '"tickets"'
        >>> quote_identifier("channel", table="tickets")
        '"channel"'
    """
    allowed = TABLES_BY_NAME[table].column_names if table else tuple(TABLES_BY_NAME)
    if name not in allowed:
        where = f"table {table}" if table else "the data model"
        raise ValueError(f"{name!r} is not a known identifier of {where}")
    return f'"{name}"'


def create_table_sql(table: Table) -> str:
    """Return the ``CREATE TABLE IF NOT EXISTS`` statement for ``table``."""
    cols = [
        f"{quote_identifier(c.name, table=table.name)} {c.dtype}{' NOT NULL' if c.required else ''}"
        for c in table.columns
    ]
    if table.primary_key:
        cols.append(f"PRIMARY KEY ({', '.join(quote_identifier(k, table=table.name) for k in table.primary_key)})")
    return f"CREATE TABLE IF NOT EXISTS {quote_identifier(table.name)} (\n    " + ",\n    ".join(cols) + "\n)"


def render_data_model_markdown() -> str:
    """Return ``docs/data-model.md``: every table and column with type, meaning and rules."""
    lines = [
        "# Data model",
        "",
        "Generated from `csm/schema.py` (`python -m csm docs`); a test fails when this file and the",
        "schema disagree. Every timestamp is the local time of the operation, without time zone.",
        "Empty means SQL `NULL`: the source does not know the value. KPIs leave such rows out;",
        "they never count them as zero.",
        "",
        "Besides these tables the database holds stored aggregates of `tickets` that the query layer",
        "reads for speed (see `csm/compile.py`): `tickets_daily` and `tickets_daily_team` (every KPI",
        "measure summed per day, team, channel and agent, or per day, team and channel, with the",
        "contacts entering and leaving the backlog each day) and `tickets_quantiles`",
        "(exact medians and percentiles per calendar month, quarter and year), with `rollup_settings`",
        "recording the settings they were built with. They are rebuilt in the same transaction as",
        "every load, rebuilt at start when stale, and never edited by hand.",
        "",
    ]
    for table in TABLES:
        lines += [f"## `{table.name}`", "", table.description, ""]
        if table.primary_key:
            lines += [f"Primary key: {', '.join(f'`{k}`' for k in table.primary_key)}.", ""]
        elif table.key:
            lines += [f"One row per {', '.join(f'`{k}`' for k in table.key)}"
                      + (" (kept by the importer)." if table is TICKETS else "; an import replaces rows by it."), ""]
        lines += ["| column | type | required | allowed | meaning |", "|---|---|---|---|---|"]
        for c in table.columns:
            lines.append(
                f"| `{c.name}` | {c.dtype} | {'yes' if c.required else 'no'} | {c.allowed_text} | {c.description} |"
            )
        lines.append("")
    return "\n".join(lines)
