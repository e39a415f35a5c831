"""The Data page's parts: upload, mapping editor, validation report, import, history and templates.

Checking a file (mapping and validation) runs on a throwaway in-memory database, so the
dashboard keeps reading while the user edits the mapping. Only the import itself writes:
``loaders.open_writer`` closes the app's read-only connection, writes, and clears the caches
so every page shows the new data.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from csm.db import DatabaseError, describe_database_error
from csm.formatting import escape_markdown, for_page, format_findings, format_imports, plural
from csm.ingest.casting import AmbiguousDatesError
from csm.ingest.history import load_imports, undo_import
from csm.ingest.jobs import CheckJob
from csm.ingest.load import ImportResult, import_file
from csm.ingest.mapping import (
    DERIVED,
    UNITS,
    Mapping,
    check_mapping_name,
    load_presets,
    mapping_from_rows,
    mapping_path,
    mapping_to_rows,
    save_mapping,
)
from csm.ingest.readers import ReadError, list_sheets
from csm.ingest.reference import TABLES as REFERENCE
from csm.ingest.reference import ReferenceResult, import_reference, render_template
from csm.schema import TABLES_BY_NAME, TICKETS
from csm.ui import loaders

KINDS = ["csv", "tsv", "txt", "xlsx", "xlsm", "parquet", "json", "ndjson", "jsonl"]
TARGETS = {"tickets": "Contacts (helpdesk or call-center export)", "agents": "Agents", "budget": "Budget",
           "headcount": "Headcount plan", "targets": "KPI targets"}
PROPOSED = "Proposed from the file"


def save_upload(uploaded, folder: Path, *, limit_mb: int) -> Path:
    """Write an uploaded file to ``folder`` in 1 MB chunks and return its path.

    It lands in a folder named by the content's hash, under its own name (which messages and the
    import log show), so the same file uploaded twice lands once.

    Raises:
        ValueError: the file is larger than ``limit_mb``.
    """
    remove_stale_uploads(folder)
    if uploaded.size > limit_mb * 1024 * 1024:
        raise ValueError(f"{uploaded.name} is {uploaded.size / 1024 / 1024:,.0f} MB; the Data page accepts files up "
                         f"to {limit_mb:,} MB (setting CSM_MAX_UPLOAD_MB). Import it with the command line instead: "
                         f"python -m csm import {uploaded.name}")
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    uploaded.seek(0)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as out:
        while chunk := uploaded.read(1 << 20):  # hash while writing: one pass over the upload
            digest.update(chunk)
            out.write(chunk)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(uploaded.name).name)
    target = folder / digest.hexdigest()[:16] / safe
    target.parent.mkdir(parents=True, exist_ok=True)
    Path(out.name).replace(target)
    return target


UPLOAD_KEEP_S = 6 * 3600  # an upload nobody imported or refused is removed after six hours


def remove_upload(path: Path) -> None:
    """Delete an uploaded file and its folder (named by its hash) once it is imported or refused."""
    try:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    except OSError:
        pass  # another session uploaded the same file; its folder stays until it is done


def remove_stale_uploads(folder: Path, *, older_than_s: float = UPLOAD_KEEP_S) -> int:
    """Delete uploads left behind (a closed browser tab) older than ``older_than_s``; return how many."""
    if not folder.is_dir():
        return 0
    now, removed = time.time(), 0
    for path in folder.glob("*/*"):
        try:
            if path.is_file() and now - path.stat().st_mtime > older_than_s:
                remove_upload(path)
                removed += 1
        except OSError:
            continue
    for part in folder.glob("*.part"):
        try:
            if now - part.stat().st_mtime > older_than_s:
                part.unlink()
        except OSError:
            continue
    return removed


def say_error(message: object, *, prefix: str = "") -> None:
    """Show an importer message on the page: in its words, with the file's own text escaped (never Markdown)."""
    st.error(prefix + escape_markdown(for_page(str(message))))


CHECK_WAIT_S = 1.5  # a check that takes longer shows its progress and a Cancel button


def _check(path: Path, table: str, **options) -> ImportResult | ReferenceResult:
    """Dry-run the import on an in-memory database in a worker; cached per file and options for the session.

    A small file is checked within ``CHECK_WAIT_S`` and its result returned at once. A longer check
    shows a progress bar with a Cancel button, polls until the worker is done, and stops the run
    here (``st.stop``); the rerun that follows returns the result.

    Raises:
        Exception: what the check raised (``ReadError``, ``AmbiguousDatesError``, ``ValueError``...).
    """
    key = repr((str(path), table, sorted(options.items(), key=lambda kv: kv[0])))
    cache = st.session_state.setdefault("data__checks", {})
    if key in cache:
        return cache[key]
    job: CheckJob | None = st.session_state.get("data__job")
    if job is None or job.key != key:
        if job is not None:
            job.cancel()  # another file or other options: the old check is of no use
        if table == "tickets":
            def work(con, progress):
                return import_file(con, path, dry_run=True, progress=progress, **options)
        else:
            def work(con, progress):
                return import_reference(con, table, path, dry_run=True, **options)
        job = st.session_state["data__job"] = CheckJob(key, work).start()
    if job.wait(CHECK_WAIT_S):
        st.session_state.pop("data__job", None)
        cache[key] = job.outcome()
        return cache[key]
    _show_check_progress(job, name=path.name, upload=path)
    st.stop()


@st.fragment(run_every=0.5)
def _show_check_progress(job: CheckJob, *, name: str, upload: Path) -> None:
    """The running check: its progress, refreshed twice a second, and a button that cancels it."""
    if job.done:
        st.rerun()  # the whole page: the check's result is ready
    share, step = job.progress()
    st.progress(share, text=f"Checking {escape_markdown(name)}: {step}…")
    if st.button("Cancel the check", key="data__cancel_check"):
        job.cancel()
        st.session_state.pop("data__job", None)
        st.session_state["data__cancelled"] = st.session_state.get("data__upload_id")
        remove_upload(upload)
        st.rerun()


def render_import() -> None:
    """Upload a file, check its mapping and report, and import it."""
    settings = loaders.get_settings()
    if message := st.session_state.pop("data__message", None):
        st.success(message)
    table = st.selectbox("What the file holds", list(TARGETS), format_func=TARGETS.get, key="data__table")
    done = st.session_state.get("data__imports_done", 0)  # a new uploader after each import: start afresh
    uploaded = st.file_uploader(
        "File", type=KINDS, key=f"data__upload_{table}" + (f"_{done}" if done else ""),
        max_upload_size=int(settings["max_upload_mb"]),
        help="CSV or TSV (any delimiter and encoding), Excel, Parquet, JSON or NDJSON.",
    )
    if uploaded is None:
        st.info("Drop an export here. Nothing is written until you press Import: first you see how its columns "
                "map onto the data model and what the validation found.")
        return
    upload_id = getattr(uploaded, "file_id", uploaded.name)
    if st.session_state.get("data__cancelled") == upload_id:
        st.info(escape_markdown(f"The check of {uploaded.name} was cancelled and the file removed; nothing was "
                                "written. Upload it again, or another file, to start afresh."))
        return
    st.session_state["data__upload_id"] = upload_id
    try:
        path = save_upload(uploaded, Path(str(settings["uploads_dir"])), limit_mb=int(settings["max_upload_mb"]))
    except OSError as exc:
        say_error(f"{uploaded.name}: the upload could not be stored ({exc.strerror or exc}). Nothing was written.")
        return
    except ValueError as exc:
        say_error(exc)
        return
    try:
        sheets = list_sheets(path)
    except ReadError as exc:
        remove_upload(path)  # refused: the file is not kept
        say_error(exc, prefix="Nothing was written. ")
        return
    options: dict = {}
    if sheets:
        options["sheet"] = st.selectbox("Worksheet", sheets, key="data__sheet")
    if table == "tickets":
        _render_ticket_import(path, options)
    else:
        _render_reference_import(path, table, options)


def _dates_choice(options: dict) -> None:
    choice = st.radio("Dates such as 03/04/2025 in this file are", ["day first (3 April)", "month first (March 4)"],
                      index=None, key="data__dates", horizontal=True)
    if choice:
        options["dates"] = "day_first" if choice.startswith("day") else "month_first"


def _run_check(path: Path, table: str, options: dict) -> ImportResult | ReferenceResult | None:
    try:
        return _check(path, table, **options)
    except AmbiguousDatesError as exc:
        st.warning(escape_markdown(for_page(str(exc))))
        _dates_choice(options)
        if "dates" in options:
            return _run_check(path, table, options)
    except ReadError as exc:
        remove_upload(path)  # refused: the file is not kept
        say_error(exc, prefix="Nothing was written. ")
    except ValueError as exc:
        say_error(exc, prefix="Nothing was written. ")
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the page; the check wrote nothing
        say_error(f"{path.name}: the file could not be checked ({type(exc).__name__}: {exc}).",
                  prefix="Nothing was written. ")
    return None


def _is_name(stem: str) -> bool:
    """Return True for a saved mapping's file stem that is a valid mapping name (others are not offered)."""
    try:
        return check_mapping_name(stem) == stem
    except ValueError:
        return False


def _start_mapping(options: dict) -> dict:
    """Return the check options with what the user starts from: the proposal, a preset or a saved mapping."""
    folder = Path(str(loaders.get_settings()["mappings_dir"]))
    saved = sorted(p.stem for p in folder.glob("*.yaml") if _is_name(p.stem)) if folder.is_dir() else []
    presets = load_presets()
    choices = [PROPOSED, *(f"Preset: {p.label}" for p in presets.values()), *(f"Saved: {name}" for name in saved)]
    start = st.selectbox("Start from", choices, key="data__start",
                         help="The proposal recognises Zendesk, Freshdesk, ServiceNow, Salesforce, HubSpot and call "
                              "logs by their headers; a saved mapping is one you kept for this source.")
    if start.startswith("Preset: "):
        return options | {"preset": next(k for k, p in presets.items() if f"Preset: {p.label}" == start)}
    if start.startswith("Saved: "):
        return options | {"saved": mapping_path(start.removeprefix("Saved: "), folder)}
    return dict(options)


def _render_ticket_import(path: Path, options: dict) -> None:
    start_options = _start_mapping(options)
    proposal = _run_check(path, "tickets", start_options)  # adds "dates" when the user had to settle them
    if proposal is None:
        return
    reading = {k: start_options[k] for k in ("sheet", "dates") if k in start_options}
    if proposal.mapping.preset:
        st.caption(f"Recognised as: {load_presets()[proposal.mapping.preset].label}.")
    for note in proposal.notes:
        st.info(escape_markdown(for_page(note)))
    st.subheader("Mapping")
    st.caption("Each row is a field of the data model. Pick the file's column for it, or give one value for every "
               "row (for example channel phone). Unit says how the values read when not in the model's own unit.")
    meaning = {c.name: c.description for c in TICKETS.columns} | {
        "updated_at": "Last change of the ticket; of several rows per ticket, the latest is kept."}
    rows = [r | {"meaning": meaning[r["column"]]} for r in mapping_to_rows(proposal.mapping)]
    units = sorted({u for us in UNITS.values() for u in us})
    edited = st.data_editor(
        pl.DataFrame(rows), key=f"data__editor_{path.name}_{sorted(start_options.items())}", hide_index=True,
        placeholder="", height=36 * (len(rows) + 1) + 3,
        disabled=["column", "meaning"],
        column_config={
            "column": st.column_config.TextColumn("Field", help="Field of the data model (docs/data-model.md)"),
            "file_column": st.column_config.SelectboxColumn("File column", options=["", *proposal.headers]),
            "time_column": st.column_config.SelectboxColumn(
                "Time of day / start", options=["", *proposal.headers],
                help="For a timestamp: the column holding its time of day, when the file keeps date and time "
                     "apart. For a duration: the column holding its start (the file column is its end)."),
            "unit": st.column_config.SelectboxColumn("Unit", options=["", *units]),
            "every_row": st.column_config.TextColumn("Every row", help="One value for every row of this file"),
            "meaning": st.column_config.TextColumn("What the field holds", width="large"),
        },
    )
    edited_rows = pl.DataFrame(edited).fill_null("").to_dicts()
    result = proposal
    if edited_rows != rows:
        try:
            mapping = mapping_from_rows(edited_rows, proposal.headers, base=proposal.mapping)
        except ValueError as exc:
            say_error(exc, prefix="Mapping: ")
            return
        result = _run_check(path, "tickets", reading | {"mapping": mapping})
        if result is None:
            return
    for column, recipe in result.mapping.derived.items():
        st.caption(f"{column} is derived: {DERIVED[column][recipe]}.")
    unused = [h for h in result.headers if h not in {*result.mapping.columns.values(), *result.mapping.times.values()}]
    if unused:
        st.caption(escape_markdown(f"Columns of the file not imported: {', '.join(unused)}."))
    _render_report(result)
    drop = st.checkbox("Leave out the rows with errors", key="data__drop_invalid",
                       help="They are listed above; everything else is imported.")
    name = st.text_input("Save this mapping as (optional)", key="data__save_name",
                         help="Letters, digits, spaces, - and _. Next month, pick it under Start from.")
    save_to = None
    if name.strip():
        try:  # checked before anything is written: a name is a name, never a path
            save_to = mapping_path(name, Path(str(loaders.get_settings()["mappings_dir"])))
        except ValueError as exc:
            say_error(f"{exc}. Choose another name; nothing is written until it is valid.")
    bad_name = bool(name.strip()) and save_to is None
    blocked = any(f.rule == "missing_column" for f in result.errors) or (result.errors and not drop) or bad_name
    if st.button("Import", type="primary", disabled=bool(blocked), key="data__import"):
        _import_tickets(path, result.mapping, reading, drop=drop, name=name.strip(), save_to=save_to)


def _render_report(result: ImportResult | ReferenceResult) -> None:
    st.subheader("Validation")
    errors, warnings = len(result.errors), len(result.findings) - len(result.errors)
    a, b, c = st.columns(3)
    a.metric("Rows in the file", f"{result.rows_read:,}")
    b.metric("Errors", errors, help="Block the import unless you leave those rows out.")
    c.metric("Warnings", warnings, help="Shown for your attention; the rows are imported.")
    if result.findings:
        st.dataframe(format_findings(result.findings), hide_index=True,
                     column_config={"What it means": st.column_config.TextColumn(width="large")})
    else:
        st.success("No problems found: every row passes every rule.")


def _import_tickets(path: Path, mapping: Mapping, options: dict, *, drop: bool, name: str,
                    save_to: Path | None) -> None:
    bar = st.progress(0.0, text="Starting")
    try:
        with loaders.open_writer() as con:
            result = import_file(con, path, mapping=mapping, drop_invalid=drop,
                                 progress=lambda share, step: bar.progress(share, text=step.capitalize()),
                                 **{k: v for k, v in options.items() if k in ("sheet", "dates")})
    except ReadError as exc:
        remove_upload(path)
        say_error(exc, prefix="Nothing was written: ")
        return
    except DatabaseError as exc:
        say_error(exc, prefix="Nothing was written: ")
        return
    except duckdb.Error as exc:  # a full disk, a damaged file: the transaction rolled back
        db = loaders.get_settings()["db_path"]
        say_error(describe_database_error(db, exc, opening=False), prefix="Nothing was written: ")
        return
    except Exception as exc:  # noqa: BLE001 - the import's transaction rolled back: nothing was written
        say_error(f"{path.name}: {type(exc).__name__}: {exc}", prefix="Nothing was written: ")
        return
    remove_upload(path)
    saved = ""
    if save_to is not None:
        try:
            save_mapping(result.mapping, save_to)
            saved = f" Mapping saved as {name}."
        except OSError as exc:
            saved = f" The mapping could not be saved ({exc.strerror or exc}); the import itself is done."
    _finish(escape_markdown(
        f"Imported {path.name}: {plural(result.rows_written, 'contact')} written, {result.rows_folded:,} "
        f"folded, {result.rows_dropped:,} left out (import {result.import_id}). Every page now shows the new data."
        + saved))


def _finish(message: str) -> None:
    """Show ``message`` after the rerun, with an empty uploader and no stale checks."""
    st.session_state["data__message"] = message
    st.session_state["data__imports_done"] = st.session_state.get("data__imports_done", 0) + 1
    st.session_state.pop("data__checks", None)
    st.rerun()


def _render_reference_import(path: Path, table: str, options: dict) -> None:
    proposal = _run_check(path, table, options)  # adds "dates" when the user had to settle them
    if proposal is None:
        return
    st.subheader("Mapping")
    spec = TABLES_BY_NAME[table]
    headers = [*proposal.mapping.values(), *proposal.unused]
    rows = [{"column": c, "file_column": proposal.mapping.get(c, "")} for c in spec.column_names]
    edited = pl.DataFrame(st.data_editor(
        pl.DataFrame(rows), key=f"data__ref_editor_{table}_{path.name}", hide_index=True, disabled=["column"],
        column_config={"column": st.column_config.TextColumn("Field"),
                       "file_column": st.column_config.SelectboxColumn("File column", options=["", *headers])},
    )).fill_null("").to_dicts()
    result = proposal
    if edited != rows:
        result = _run_check(path, table, options | {"maps": [f"{r['column']}={r['file_column']}" for r in edited]})
        if result is None:
            return
    _render_report(result)
    st.caption(f"Rows replace the stored {table} rows with the same {', '.join(spec.key)}; other rows stay.")
    if st.button("Import", type="primary", disabled=bool(result.errors), key="data__import"):
        maps = [f"{c}={result.mapping.get(c, '')}" for c in spec.column_names]
        try:
            with loaders.open_writer() as con:
                done = import_reference(con, table, path, maps=maps, **options)
        except Exception as exc:  # noqa: BLE001 - the import's transaction rolled back: nothing was written
            say_error(exc, prefix="Nothing was written: ")
            return
        remove_upload(path)
        _finish(f"Imported {plural(done.rows_written, 'row')} into {table} (import {done.import_id}).")


def render_history() -> None:
    """The import log, with undo for the latest import in effect."""
    log = load_imports(loaders.get_connection())
    if log.is_empty():
        st.info("No imports yet.")
        return
    counts = {c: st.column_config.NumberColumn(format="localized") for c in ("Rows read", "Written", "Folded", "Left out")}
    st.dataframe(format_imports(log), hide_index=True, column_config=counts)
    undoable = log.filter(pl.col("can_undo"))
    if undoable.is_empty():
        st.caption("The demo data cannot be undone; build it again with `python -m csm demo`.")
        return
    row = undoable.row(0, named=True)
    st.caption("Imports are undone latest first: a later import may have replaced rows of an earlier one.")
    if st.button(escape_markdown(f"Undo the latest import ({row['source']}, "
                                 f"{plural(row['rows_written'] or 0, 'row')} written)"),
                 key="data__undo"):
        try:
            with loaders.open_writer() as con:
                removed, restored = undo_import(con, row["import_id"])
        except Exception as exc:  # noqa: BLE001 - the undo's transaction rolled back
            say_error(exc, prefix="Nothing was changed: ")
            return
        _finish(f"Import {row['import_id']} undone: {plural(removed, 'row')} removed, {restored:,} restored.")


def render_templates() -> None:
    """A downloadable CSV template per reference table."""
    st.caption("Fill a template and import it above as the matching kind of file. Dates are YYYY-MM-DD; shares "
               "such as targets are 0-1 or a percentage.")
    for table in REFERENCE:
        spec = TABLES_BY_NAME[table]
        left, right = st.columns([3, 1])
        left.markdown(f"**{TARGETS[table]}**: {spec.description}")
        right.download_button("Template (CSV)", render_template(table), file_name=f"{table}_template.csv",
                              mime="text/csv", key=f"data__template_{table}")
