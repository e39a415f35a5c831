"""``docs/importing.md``, generated from the presets, units, vocabularies and validation rules."""

from __future__ import annotations

from csm.ingest.casting import (
    CSAT_NO_ANSWER,
    CSAT_WORDS,
    FALSE_WORDS,
    NULL_MARKERS,
    PLACEHOLDER_DATES,
    TRUE_WORDS,
    VOCABULARY,
)
from csm.ingest.mapping import DERIVED, UNITS, load_presets
from csm.ingest.validate import RULES

UNIT_MEANINGS = {
    "seconds": "a number of seconds (the default)", "minutes": "a number of minutes", "hours": "a number of hours",
    "h_mm": "`H:MM` is hours and minutes (Freshdesk's time tracked); otherwise `M:SS`",
    "timestamp": "a date and time (the default)",
    "seconds_after_created": "a number of seconds after `created_at`",
    "minutes_after_created": "a number of minutes after `created_at` (Zendesk's first reply time in minutes)",
    "hours_after_created": "a number of hours after `created_at`",
    "1-5": "1 to 5 (the default)",
    "1-10": "1 to 10, stored as floor(1 + (x - 1) * 4 / 9): 8-10 become 4-5 (satisfied), 7 becomes 3",
    "percent": "0 to 100 (a `%` sign is allowed), stored as floor(1 + x * 4 / 100): 75% and more is satisfied",
    "good_bad": "words: " + ", ".join(f"{w} = {s}" for w, s in CSAT_WORDS.items())
                + "; " + ", ".join(CSAT_NO_ANSWER) + " mean no answer",
}


def render_importing_markdown() -> str:
    """Return ``docs/importing.md``: presets, units, value vocabularies and validation rules."""
    lines = [
        "# Importing data",
        "",
        "Generated from `csm/ingest/` (`python -m csm docs`); a test fails when this file is stale.",
        "Import on the dashboard's Data page or with `python -m csm import FILE` (see the README).",
        "",
        "## Steps",
        "",
        "1. **Read**: CSV/TSV (delimiter and encoding detected: UTF-8 with or without BOM, UTF-16 with or",
        "   without BOM, CP-1252), Excel `.xlsx` (one sheet: the first with data unless one is named),",
        "   Parquet, JSON (an array of records, or an API page such as `{\"tickets\": [...]}`; nested objects",
        "   become dotted columns such as `via.channel`) or NDJSON, staged as text inside DuckDB. Title lines",
        "   above a CSV header are skipped and said so.",
        "2. **Map**: a vendor preset when the headers identify the export, else header synonyms; every",
        "   proposal is checked against the values (a yes/no `Resolved` column is never read as timestamps).",
        "   Correct any field, give a value for every row, add a time-of-day column, set a unit, and save",
        "   the mapping by name.",
        "3. **Type and validate**: the report lists each rule with its count and sample row numbers",
        "   (row 1 is the header). Errors block the import unless those rows are left out; warnings are kept.",
        "4. **Write** in one transaction: several rows per ticket fold to the latest (by `updated_at` when",
        "   mapped, else the last in the file); rows equal to the stored ones are not rewritten; replaced rows",
        "   are kept so the import can be undone; the stored aggregates are rebuilt. A failure or a kill at",
        "   any point leaves the database as it was.",
        "",
        "## What is refused before anything is written",
        "",
        "Every file is read in a stream and bounded by settings (see the README): more than `CSM_MAX_ROWS`",
        "rows; a line or cell longer than `CSM_MAX_CELL_KB`; a workbook that unpacks to more than",
        "`CSM_MAX_WORKBOOK_MB` (a zip bomb is refused in about a second, in little memory). Also refused,",
        "each with a message naming the file and the rows or lines: a folder, pipe or unreadable file; a",
        "file that changes or disappears while it is read; binary data; one file in two encodings (some",
        "lines UTF-8, others Windows-1252); duplicate column names in any format (JSON keys that differ",
        "only in case included); a JSON list of lists; an old `.xls`; formula cells whose results were",
        "never calculated (written by a program, never saved by Excel).",
        "",
        "## Values that are converted or flagged",
        "",
        "- Times with an offset (`Z`, `+02:00`, `+0000`) and Unix epoch numbers (seconds from 1e8,",
        "  milliseconds from 1e11) are instants: converted to the operation's zone (`CSM_TIMEZONE`) and said",
        "  in a note. Times without an offset are taken as already in that zone.",
        "- Placeholder dates that tools write for \"never\" (" + ", ".join(
            f"`{d[:10]}`" for d in PLACEHOLDER_DATES[:5]) + ") in first-reply",
        "  and resolution columns are read as empty, with a warning and their count.",
        "- Scores on whole-number scales (CSAT 1-5 or 1-10, NPS 0-10, counts) must be whole: 4.5 is an",
        "  error, never rounded. Infinite or not-a-number values are errors.",
        "- Control characters (NUL, escape, form feed...) in a text field are errors: names that look alike",
        "  would count apart.",
        "- A header whose name suggests a field but whose values do not read as it stays mapped, so its",
        "  values are errors to settle (fix, give a unit, or unmap it on purpose), never a column quietly",
        "  left out.",
        "",
        "## Vendor presets",
        "",
        "| preset | recognised by the headers | fields it maps (first header found) | also |",
        "|---|---|---|---|",
    ]
    for preset in load_presets().values():
        fields = "; ".join(
            f"`{c}` ← " + " / ".join(f"{h}" + (f" (`{u}`)" if u else "") for h, u in cands)
            for c, cands in preset.columns.items())
        also = [f"`{c}` = {v} for every row" for c, v in preset.constants.items()]
        also += [f"`{c}` time of day from " + " / ".join(t) for c, t in preset.times.items()]
        also += [f"`{c}` derived: {DERIVED[c][r]}" for c, r in preset.derived.items()]
        lines.append(f"| {preset.label} (`{preset.name}`) | {', '.join(preset.detect)} | {fields} | "
                     f"{'; '.join(also)} |")
    lines += ["", "Headers are compared in lower case with punctuation as spaces (`Answered (Y/N)` is "
              "`answered y n`).", "", "## Units", "", "| field | unit | meaning |", "|---|---|---|"]
    for column, units in UNITS.items():
        lines += [f"| `{column}` | `{u}` | {UNIT_MEANINGS[u]} |" for u in units]
    lines += ["", "A duration may always be written `H:MM:SS`, and Excel time cells are read as durations.", "",
              "## Values", "", f"- Empty: {', '.join(repr(m) for m in NULL_MARKERS)} (any case).",
              f"- Yes: {', '.join(TRUE_WORDS)}. No: {', '.join(FALSE_WORDS)}."]
    for column, vocab in VOCABULARY.items():
        lines.append(f"- `{column}`: " + "; ".join(f"**{canon}** ← {', '.join(raws)}" for canon, raws in vocab.items()))
    lines += ["- Timestamps: ISO (`2026-10-01 09:00:00`), day-first or month-first with `/`, `.` or `-`,",
              "  with or without seconds or AM/PM, Excel serial numbers and epoch numbers. When every day and month of a",
              "  column is 12 or less, the values cannot tell day-first from month-first: the import stops",
              "  and asks (`--dates day-first|month-first`), it never guesses.",
              "", "## Validation rules", "", "| rule | field | severity | meaning |", "|---|---|---|---|",
              "| missing_column | required fields | error | no column is mapped to `ticket_id`, `created_at` or "
              "`channel` |",
              "| missing_value | required fields | error | a row has no value for a required field |",
              "| unknown_value | channel, priority, status | error | a value outside the vocabulary above |",
              "| unparseable | any typed field | error | a value that does not read as its type or unit |",
              "| placeholder_date | first_response_at, resolved_at, updated_at | warning | a date meaning 'never': "
              "read as empty |",
              "| control_characters | any text field | error | invisible control characters in the value |"]
    lines += [f"| {rule} | {column} | {severity} | {message} |" for rule, column, severity, _, message in RULES]
    lines += ["| duplicate_id | ticket_id | warning | several rows for one ticket: the latest is kept |", ""]
    return "\n".join(lines)
