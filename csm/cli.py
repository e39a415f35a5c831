"""Command line: ``python -m csm demo | kpis | import | template | imports | undo | docs``."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from pathlib import Path

import duckdb

from csm.compile import Filters, Window
from csm.db import DatabaseError, connect, describe_database_error, has_tickets, open_database
from csm.demo import build_demo_database, default_end
from csm.forecast import compute_backtest, render_backtest_markdown
from csm.ingest.casting import AmbiguousDatesError
from csm.ingest.guide import render_importing_markdown
from csm.ingest.history import load_imports, undo_import
from csm.ingest.load import import_file
from csm.ingest.mapping import load_presets, mapping_path, save_mapping
from csm.ingest.readers import ReadError
from csm.ingest.reference import TABLES as REFERENCE
from csm.ingest.reference import import_reference, render_template
from csm.kpis import load_catalogue, render_kpi_markdown
from csm.metrics import compute_kpis, load_data_range, load_filter_options
from csm.schema import render_data_model_markdown
from csm.settings import PROJECT_ROOT, load_settings
from csm.volume import load_daily_contacts

DOCS = {"kpis.md": render_kpi_markdown, "data-model.md": render_data_model_markdown,
        "importing.md": render_importing_markdown}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m csm``."""
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m csm", description="Customer service analytics.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the seeded demo database (replaces its content)")
    demo.add_argument("--db", default=settings["db_path"], help="DuckDB file (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=settings["demo_seed"], help="generator seed (default: %(default)s)")
    demo.add_argument("--end", type=_day, default=None, help="last day of data (default: end of last month)")
    demo.add_argument("--if-missing", action="store_true", help="do nothing when the file already holds contacts")

    kpis = sub.add_parser("kpis", help="print KPI values for a selection")
    kpis.add_argument("--db", default=settings["db_path"], help="DuckDB file (default: %(default)s)")
    kpis.add_argument("--from", dest="start", type=_day, help="first day (default: first day with data)")
    kpis.add_argument("--to", dest="end", type=_day, help="last day (default: last day with data)")
    for dim, flag in (("team", "--team"), ("channel", "--channel"), ("agent_id", "--agent"),
                      ("category", "--category"), ("priority", "--priority")):
        kpis.add_argument(flag, dest=dim, action="append", default=[], metavar="VALUE",
                          help=f"keep only this {dim.replace('_id', '')} (repeat for several)")
    kpis.add_argument("--json", action="store_true", help="print one JSON object {kpi_key: number or null}")

    imp = sub.add_parser("import", help="import a helpdesk or call-center export into the database")
    imp.add_argument("file", help="CSV/TSV, Excel (.xlsx), Parquet, JSON or NDJSON file")
    imp.add_argument("--db", default=settings["db_path"], help="DuckDB file (default: %(default)s)")
    imp.add_argument("--map", dest="maps", action="append", default=[], metavar="COLUMN=HEADER",
                     help="map a canonical column to a header of the file (repeat; empty HEADER unmaps)")
    imp.add_argument("--set", dest="sets", action="append", default=[], metavar="COLUMN=VALUE",
                     help="give a canonical column one value for every row, e.g. channel=phone")
    imp.add_argument("--time", dest="times", action="append", default=[], metavar="COLUMN=HEADER",
                     help="take the time of day of a timestamp column from another header, e.g. created_at=Time")
    imp.add_argument("--start", dest="starts", action="append", default=[], metavar="COLUMN=HEADER",
                     help="make a duration the time between two timestamps: its start header, with the end "
                          "mapped by --map, e.g. --map handle_time_s='Talk end' --start handle_time_s='Talk start'")
    imp.add_argument("--unit", dest="units", action="append", default=[], metavar="COLUMN=UNIT",
                     help="how a column's values read, e.g. csat_score=1-10, handle_time_s=minutes, "
                          "first_response_at=minutes_after_created")
    imp.add_argument("--preset", choices=sorted(load_presets()),
                     help="built-in mapping of a vendor's export (default: the one the headers identify)")
    imp.add_argument("--sheet", help="worksheet of an Excel file (default: the first)")
    imp.add_argument("--mapping", help="start from a saved mapping: its NAME in CSM_MAPPINGS_DIR")
    imp.add_argument("--save-mapping", metavar="NAME", help="save the mapping used under NAME for next time")
    imp.add_argument("--dates", choices=("day-first", "month-first"),
                     help="how to read dates such as 03/04/2025 when the values cannot tell")
    imp.add_argument("--table", default="tickets", choices=("tickets", *REFERENCE),
                     help="table to import into (default: %(default)s); see `python -m csm template TABLE`")
    imp.add_argument("--dry-run", action="store_true", help="read, map and validate; write nothing")
    imp.add_argument("--drop-invalid", action="store_true", help="leave out rows with errors instead of refusing")

    template = sub.add_parser("template", help="print a CSV template of a reference table")
    template.add_argument("table", choices=REFERENCE)

    imports = sub.add_parser("imports", help="list the imports of the database, newest first")
    imports.add_argument("--db", default=settings["db_path"], help="DuckDB file (default: %(default)s)")

    undo = sub.add_parser("undo", help="undo the latest import: remove its rows and restore the rows it replaced")
    undo.add_argument("import_id", help="id of the import (see `python -m csm imports`)")
    undo.add_argument("--db", default=settings["db_path"], help="DuckDB file (default: %(default)s)")

    backtest = sub.add_parser("backtest", help="test the volume forecast on past weeks; write docs/forecast.md")
    backtest.add_argument("--db", default=settings["db_path"], help="DuckDB file (default: %(default)s)")
    backtest.add_argument("--out", default=str(PROJECT_ROOT / "docs" / "forecast.md"), help="file (default: %(default)s)")

    report = sub.add_parser("report", help="write the business review of a month or quarter (HTML, PDF, PowerPoint, "
                                           "Excel)")
    report.add_argument("--db", default=settings["db_path"], help="DuckDB file (default: %(default)s)")
    report.add_argument("--period", required=True, help="a month (2026-10) or a quarter (2026-Q3)")
    report.add_argument("--format", required=True, choices=("html", "pdf", "pptx", "xlsx"), help="file format")
    report.add_argument("--out", required=True, help="file to write")
    report.add_argument("--team", action="append", default=[], help="review only this team (repeatable)")

    docs = sub.add_parser("docs", help="write docs/kpis.md, docs/data-model.md and docs/importing.md")
    docs.add_argument("--out", default=str(PROJECT_ROOT / "docs"), help="folder (default: %(default)s)")
    return parser


def run_demo(args: argparse.Namespace) -> int:
    """Build the demo database."""
    if args.if_missing and has_tickets(args.db):
        print(f"{args.db} already holds data; left as it is.")
        return 0
    end = args.end or default_end()
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)  # the user asked for the demo here
    con = open_database(args.db, read_only=False, create=True)
    try:
        n = build_demo_database(con, end=end, seed=args.seed)
    finally:
        con.close()
    print(f"Built demo data in {args.db}: {n:,} contacts up to {end.isoformat()} (seed {args.seed}).")
    return 0


def run_kpis(args: argparse.Namespace) -> int:
    """Print KPI values for the selection."""
    con = open_database(args.db)
    first, last, count = load_data_range(con)
    start, end = args.start or first, args.end or last
    catalogue = load_catalogue()
    if start is None or end is None:
        values = {k: (0 if catalogue[k].kind == "count" else None) for k in catalogue.keys()}
    else:
        filters = Filters(**{d: tuple(getattr(args, d)) for d in ("team", "channel", "agent_id", "category", "priority")})
        frame = compute_kpis(con, windows=(Window("current", min(start, end), max(start, end)),), filters=filters,
                             settings=load_settings())
        values = {k: _plain(frame[k][0]) for k in catalogue.keys()}
    if args.json:
        print(json.dumps(values, allow_nan=False))  # _plain made every non-finite value null: valid JSON
    else:
        from csm.formatting import format_value

        print(f"{start} to {end}" if start else "no data")
        for key, value in values.items():
            print(f"{catalogue[key].label:<40} {format_value(catalogue[key], value):>14}")
    return 0


def _plain(value: object) -> float | int | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def _open_for_writing(path: str, *, create: bool = False) -> duckdb.DuckDBPyConnection:
    """Return a writable connection; ``create`` allows a new file (an import into a new database).

    Raises:
        DatabaseError: the file is missing (unless ``create``), damaged, locked or unwritable.
    """
    return open_database(path, read_only=False, create=create)


def run_reference_import(args: argparse.Namespace) -> int:
    """Import a reference table; print the mapping and the report; exit 1 when errors remain."""
    dry_run_only = args.dry_run and not Path(args.db).exists()
    con = connect(":memory:") if dry_run_only else _open_for_writing(args.db, create=True)
    try:
        result = import_reference(con, args.table, args.file, maps=args.maps, sheet=args.sheet, dry_run=args.dry_run,
                                  dates=args.dates.replace("-", "_") if args.dates else None)
    except (ReadError, AmbiguousDatesError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"{result.file}: {result.rows_read:,} rows read for {result.table}")
    print("mapping:\n  " + "\n  ".join(f"{c} <- {h!r}" for c, h in result.mapping.items()))
    if result.unused:
        print(f"not used: {', '.join(map(repr, result.unused))}")
    for finding in result.findings:
        print(finding.describe(result.file))
    if result.errors:
        print("nothing written: fix the errors above or correct the mapping", file=sys.stderr)
        return 1
    print("dry run: nothing written" if args.dry_run else
          f"import {result.import_id}: {result.rows_written:,} rows written to {result.table}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import a file; print the mapping and the validation report; exit 1 when errors remain."""
    if args.table != "tickets":
        return run_reference_import(args)
    folder = load_settings()["mappings_dir"]
    try:  # every name the user gives is checked before anything is written
        saved = mapping_path(args.mapping, folder) if args.mapping else None
        save_to = mapping_path(args.save_mapping, folder) if args.save_mapping else None
    except ValueError as exc:
        print(f"error: {exc}. Nothing was written.", file=sys.stderr)
        return 2
    con = connect(":memory:") if args.dry_run and not Path(args.db).exists() else _open_for_writing(args.db, create=True)
    try:
        result = import_file(
            con, args.file, maps=args.maps, sets=args.sets, times=args.times, units=args.units, starts=args.starts,
            sheet=args.sheet, preset=args.preset, saved=saved,
            dry_run=args.dry_run, drop_invalid=args.drop_invalid,
            dates=args.dates.replace("-", "_") if args.dates else None,
            progress=lambda share, step: print(f"[{share:4.0%}] {step}", file=sys.stderr, flush=True),
        )
    except (ReadError, AmbiguousDatesError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"{result.file}: {result.rows_read:,} rows read")
    preset = load_presets()[result.mapping.preset].label if result.mapping.preset else None
    print(f"mapping{f' (preset: {preset})' if preset else ''}:\n  " + "\n  ".join(result.mapping.describe()))
    for note in result.notes:
        print(f"note: {note}")
    for column, style in result.date_styles.items():
        print(f"dates in {column}: {style.replace('_', ' ')}")
    for finding in result.findings:
        print(finding.describe(result.file))
    written = result.import_id is not None
    if result.errors and not written:
        print("nothing written: fix the errors above, correct the mapping, or use --drop-invalid", file=sys.stderr)
        return 1
    if args.dry_run:
        print("dry run: nothing written")
    else:
        print(f"import {result.import_id}: {result.rows_written:,} rows written, {result.rows_folded:,} folded "
              f"(several rows per ticket), {result.rows_dropped:,} dropped")
    if save_to is not None:
        try:
            save_mapping(result.mapping, save_to)
        except OSError as exc:
            done = f"the import {result.import_id} was written" if written else "nothing was imported"
            print(f"error: {done}, but the mapping could not be saved as {save_to} ({exc.strerror or exc})",
                  file=sys.stderr)
            return 1
        print(f"mapping saved as {args.save_mapping.strip()!r} ({save_to})")
    return 0


def run_template(args: argparse.Namespace) -> int:
    """Print the CSV template of a reference table."""
    print(render_template(args.table), end="")
    return 0


def run_imports(args: argparse.Namespace) -> int:
    """Print the import log."""
    con = open_database(args.db)
    try:
        frame = load_imports(con)
    finally:
        con.close()
    for row in frame.iter_rows(named=True):
        state = f"undone {row['undone_at']:%Y-%m-%d %H:%M}" if row["undone_at"] else (
            "can be undone" if row["can_undo"] else "in effect")
        print(f"{row['import_id']}  {row['imported_at']:%Y-%m-%d %H:%M}  {row['target_table']:<9} "
              f"{row['rows_written'] or 0:>9,} rows  {row['source']}  ({state})")
    return 0


def run_undo(args: argparse.Namespace) -> int:
    """Undo an import."""
    con = _open_for_writing(args.db)
    try:
        removed, restored = undo_import(con, args.import_id)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"import {args.import_id} undone: {removed:,} rows removed, {restored:,} rows restored")
    return 0


def run_backtest(args: argparse.Namespace) -> int:
    """Backtest the forecast per channel at 1, 4 and 12 weeks and write the report."""
    con = open_database(args.db)
    try:
        first_day, last_day, _ = load_data_range(con)
        channels = [None, *sorted(load_filter_options(con)["channel"])]
        results = {}
        for channel in channels:
            daily = load_daily_contacts(con, first_day=first_day, last_day=last_day,
                                        filters=Filters(channel=(channel,) if channel else ()))
            results[channel or "all channels"] = {w: compute_backtest(daily, horizon_weeks=w) for w in (1, 4, 12)}
    finally:
        con.close()
    db = Path(args.db).resolve()
    shown = db.relative_to(PROJECT_ROOT) if db.is_relative_to(PROJECT_ROOT) else db.name
    Path(args.out).write_text(render_backtest_markdown(results, source=str(shown)), encoding="utf-8")
    for channel, by_horizon in results.items():
        print(f"{channel}: " + "; ".join(f"{w} weeks {b.verdict()}" for w, b in by_horizon.items()))
    print(f"wrote {args.out}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the business review of a period in one format."""
    from csm.report import build_pack, export_pack
    from csm.review import compute_review, parse_period

    try:
        period = parse_period(args.period)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    con = open_database(args.db)
    try:
        first, last, _ = load_data_range(con)
        if first is None or period.end < first or period.start > last:
            print(f"error: {period.name} has no data; the data runs from {first} to {last}", file=sys.stderr)
            return 1
        teams = tuple(args.team)
        data, left_out = export_pack(build_pack(compute_review(con, period=period, filters=Filters(team=teams)),
                                                teams=teams), args.format)
    finally:
        con.close()
    Path(args.out).write_bytes(data)
    print(f"wrote {args.out}: business review of {period.name} ({args.format}, {len(data):,} bytes)")
    for item in left_out:
        print(f"left out: {item}", file=sys.stderr)
    return 0


def run_docs(args: argparse.Namespace) -> int:
    """Write the generated documentation files."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, render in DOCS.items():
        (out / name).write_text(render() if name != "kpis.md" else render(load_catalogue()), encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    No traceback reaches the user: a database problem, a file that vanished or a full disk is one
    line naming the file and what to do, and exit status 1 (2 for a bad command line).
    """
    args = build_parser().parse_args(argv)
    commands = {"demo": run_demo, "kpis": run_kpis, "import": run_import, "template": run_template,
                "imports": run_imports, "undo": run_undo, "backtest": run_backtest, "report": run_report,
                "docs": run_docs}
    db = getattr(args, "db", None)
    new_database = args.command == "import" and db is not None and not Path(db).exists()
    code = 1
    try:
        code = commands[args.command](args)
        return code
    except DatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (duckdb.Error, OSError, MemoryError) as exc:
        # Raised inside a transaction, which rolled back: the database is as it was.
        where = describe_database_error(db, exc, opening=False) if db and isinstance(exc, duckdb.Error) else _describe_os_error(exc)
        print(f"error: {where}", file=sys.stderr)
        if args.command in ("import", "undo", "demo"):
            print("nothing written: the database is as it was", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: nothing written", file=sys.stderr)
        return 130
    finally:
        if new_database and code != 0:
            # A refused import into a database it would have created leaves no empty file behind.
            for leftover in (Path(db), Path(f"{db}.wal")):
                leftover.unlink(missing_ok=True)
        elif new_database and Path(db).exists():
            print(f"note: created the new database {db}", file=sys.stderr)


def _describe_os_error(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "not enough memory for this file; split it, or raise the machine's memory"
    name = getattr(exc, "filename", None)
    reason = getattr(exc, "strerror", None) or str(exc)
    return f"{name}: {reason}" if name else reason
