"""Read a source file into a DuckDB staging table of text columns, without loading it into Python.

Every format lands the same way: a temporary table whose columns are the file's headers, all
VARCHAR, in file order, so that ``rowid + first_row`` is the row's number as a person counts it
in the file (the header is row 1, the first record row 2; for JSON, the first record is row 1).
Mapping and typing then happen in SQL, so a large file is streamed by DuckDB, never held in
Python (Excel workbooks excepted: they cannot be streamed, and a sheet holds at most ~1M rows).

Problems that make a file unreadable raise ``ReadError`` with a message naming the file, the
row where it can, and what to do.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from csm.settings import load_settings

STAGED = "_staged"
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = ",;\t|"
SAMPLE_BYTES = 256 * 1024
CHUNK_BYTES = 1 << 20
SHOWN = 5  # line or row numbers named in a message
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f]")  # control bytes (not tab, CR, LF, ESC)
# The sniffer reads whole lines of the sample: the cell cap bounds them, not csv's 128 KB default.
csv.field_size_limit(1 << 30)


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why and how to fix it."""


@dataclass(frozen=True)
class Limits:
    """How much one file may hold; checked while reading, before anything is written (``csm.settings``)."""

    max_rows: int = 20_000_000
    max_cell_bytes: int = 1024 * 1024
    max_workbook_bytes: int = 300 * 1024 * 1024
    max_memory_mb: int = 0  # DuckDB's memory limit while reading; 0: DuckDB's default

    @classmethod
    def from_settings(cls, settings: dict | None = None) -> Limits:
        """Return the limits of the settings (``max_rows``, ``max_cell_kb``, ``max_workbook_mb``, ``max_memory_mb``)."""
        settings = settings or load_settings()
        return cls(int(settings["max_rows"]), int(settings["max_cell_kb"]) * 1024,
                   int(settings["max_workbook_mb"]) * 1024 * 1024, int(settings["max_memory_mb"]))


@dataclass(frozen=True)
class StagedFile:
    """A file staged as the temporary table ``_staged``."""

    path: Path
    columns: tuple[str, ...]
    rows: int
    first_row: int = 2  # the row number of the first record: after a header row, 2
    encoding: str = "utf-8"
    delimiter: str | None = None
    notes: tuple[str, ...] = field(default=())  # what the reader decided that the user should know


def _lines(numbers: list[int], total: int | None = None) -> str:
    shown = ", ".join(map(str, numbers[:SHOWN]))
    total = len(numbers) if total is None else total
    return shown + (f" and {total - SHOWN:,} more" if total > SHOWN else "")


def check_readable(path: Path) -> os.stat_result:
    """Return the file's status, or raise ``ReadError`` saying why it cannot be read as a file.

    Raises:
        ReadError: missing, a folder, a pipe or device, or no permission to read it.
    """
    name = path.name or str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReadError(f"{name}: no such file ({path}).") from None
    except OSError as exc:
        raise ReadError(f"{name}: cannot look at the file ({exc.strerror or exc}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise ReadError(f"{name}: this is a folder, not a file. Choose one exported file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(f"{name}: this is not a regular file (a pipe, socket or device). Save the export as a "
                        "file first, then import that file.")
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        raise ReadError(f"{name}: no permission to read this file. Make it readable by the user running the "
                        "import (its owner or permissions), or copy it somewhere readable.") from None
    except OSError as exc:
        raise ReadError(f"{name}: cannot open the file ({exc.strerror or exc}).") from None
    return info


def detect_encoding(sample: bytes, *, whole_file: bool = False) -> str:
    r"""Return the encoding of a file from its first bytes.

    A byte-order mark decides; UTF-16 without one shows as a NUL in every other byte; otherwise
    UTF-8 when the sample decodes as UTF-8, else CP-1252 (Windows Western European, a superset of
    Latin-1 for printable text). Unless the sample is the whole file, an incomplete character at
    its very end is not held against UTF-8.

    Examples:
        >>> detect_encoding(b"\xef\xbb\xbfid,name\n"), detect_encoding("id;nom\né".encode("cp1252"), whole_file=True)
        ('utf-8-sig', 'cp1252')
        >>> detect_encoding(codecs.BOM_UTF16_LE + "id".encode("utf-16-le")), detect_encoding("id,x\n".encode("utf-16-be"))
        ('utf-16', 'utf-16-be')
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4096]
    if len(head) >= 4:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    try:
        # A multi-byte character may be cut at the end of the sample: ignore an incomplete tail.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole_file)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


@dataclass
class TextScan:
    """What one streaming pass over a text file found (``scan_text``)."""

    encoding: str
    cr_only: bool = False  # old Mac line ends: every line ends in CR alone


def scan_text(path: Path, *, limits: Limits) -> TextScan:
    """Return the encoding and line ends of a text file after one streaming pass; refuse what cannot be right.

    The whole file is read in 1 MB chunks (never held in memory): it must decode in one encoding
    (UTF-8, or a legacy single-byte one for every line), and no line may exceed the cell limit.

    Raises:
        ReadError: binary data, a line longer than the limit, or lines in two different encodings.
    """
    name = path.name
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample, whole_file=len(sample) < SAMPLE_BYTES)
    if encoding.startswith("utf-16"):
        return TextScan(encoding)
    first_line = sample.split(b"\n", 1)[0]
    nuls = sample.count(b"\x00")
    # Text has no control characters but tab and line ends; binary data has them everywhere.
    controls = len(_BINARY_BYTES.findall(sample))
    if b"\x00" in first_line or (nuls > 16 and nuls > len(sample) // 100) or controls > max(16, len(sample) // 20):
        raise ReadError(f"{name}: this is not a text file (it holds binary data). "
                        "Export the table as CSV, or upload the file in its own format (Parquet, JSON).")
    scan = TextScan(encoding, cr_only=b"\r" in sample and b"\n" not in sample)
    newline = b"\r" if scan.cr_only else b"\n"
    if encoding == "cp1252":  # some lines may still be UTF-8: one file, two encodings
        _check_one_encoding(path, newline=newline)
    decoder = codecs.getincrementaldecoder("utf-8")() if encoding.startswith("utf-8") else None
    utf8_ok = decoder is not None
    line, run, longest_at = 1, 0, None
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            last = chunk.rfind(newline)
            if last < 0:
                run += len(chunk)
            else:
                run += chunk.find(newline)
                if run > limits.max_cell_bytes and longest_at is None:
                    longest_at = line
                run = len(chunk) - last - 1
            if run > limits.max_cell_bytes and longest_at is None:
                longest_at = line + chunk.count(newline)
            line += chunk.count(newline)
    if longest_at is not None:
        raise ReadError(f"{name}: line {longest_at:,} is longer than {limits.max_cell_bytes / 1024:,.0f} KB, the "
                        "largest cell accepted (setting CSM_MAX_CELL_KB). Check the export: a cell this large is "
                        "usually a file or an image pasted into a field, or a quote that is never closed.")
    if decoder is not None and not utf8_ok:
        _check_one_encoding(path, newline=newline)
        scan.encoding = "cp1252"
    return scan


def _check_one_encoding(path: Path, *, newline: bytes) -> None:
    """Raise when some lines of ``path`` are UTF-8 text and others are not: one file, two encodings.

    Decoding such a file either way turns one half into mojibake ("Ã‰quipe" for "Équipe") and
    splits a team in two, so it is refused with the lines of each kind.
    """
    utf8, legacy, line = [], [], 1
    utf8_total = legacy_total = 0
    with open(path, "rb") as f:
        rest = b""
        while chunk := f.read(CHUNK_BYTES):
            parts = (rest + chunk).split(newline)
            rest = parts.pop()
            for part in parts:
                if not part.isascii():
                    try:
                        part.decode("utf-8")
                        utf8_total += 1
                        if len(utf8) < SHOWN:
                            utf8.append(line)
                    except UnicodeDecodeError:
                        legacy_total += 1
                        if len(legacy) < SHOWN:
                            legacy.append(line)
                line += 1
        if rest and not rest.isascii():
            try:
                rest.decode("utf-8")
                utf8_total += 1
                utf8.append(line)
            except UnicodeDecodeError:
                legacy_total += 1
                legacy.append(line)
    if utf8_total and legacy_total:
        raise ReadError(
            f"{path.name}: the file mixes two encodings: line(s) {_lines(utf8, utf8_total)} are UTF-8 and line(s) "
            f"{_lines(legacy, legacy_total)} are not (Windows-1252 or Latin-1). Read either way, one kind would "
            "turn into garbled text. Save the file again in one encoding (UTF-8), then import it.")


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Read the five bytes CP-1252 leaves undefined as Latin-1 (control characters) instead of failing."""
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("csm_latin1_fallback", _latin1_fallback)


def _transcode_to_utf8(path: Path, encoding: str, target: Path, *, cr_only: bool = False) -> None:
    """Write ``path`` re-encoded as UTF-8 to ``target``, streaming in chunks (CR line ends become LF).

    Raises:
        ReadError: the file does not decode in ``encoding`` (a UTF-16 file cut in the middle of a character).
    """
    errors = "csm_latin1_fallback" if encoding == "cp1252" else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    with open(path, "rb") as raw, open(target, "w", encoding="utf-8", newline="") as dst:
        try:
            while chunk := raw.read(CHUNK_BYTES):
                text = decoder.decode(chunk)
                dst.write(text.replace("\r", "\n") if cr_only else text)
            dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise ReadError(f"{path.name}: the file is not valid {encoding.upper()} text ({exc.reason} near byte "
                            f"{exc.start:,} of a chunk). Save it again as UTF-8, then import it.") from None


def sniff_delimiter(text: str, *, name: str) -> str:
    r"""Return the delimiter of CSV text: the candidate that splits the first lines most consistently.

    Examples:
        >>> sniff_delimiter("id;name;team\n1;Ann;A\n", name="x.csv")
        ';'
        >>> sniff_delimiter("id\tname\n1\tAnn\n", name="x.tsv")
        '\t'
    """
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise ReadError(f"{name}: the file is empty. Export the table again with a header row and data rows.")
    best, best_score = None, 0
    for delim in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
        except csv.Error:
            continue
        if not counts:
            continue
        # The header is the line most later lines agree with (a title line above it has one field).
        modal = max(set(counts), key=counts.count)
        score = modal * 10 + counts.count(modal) if modal > 1 else 0
        if score > best_score:
            best, best_score = delim, score
    return best or ","  # no candidate splits the lines: a file of one column


def find_header_line(text: str, *, delimiter: str) -> int:
    r"""Return how many lines above the header to skip: title or blank lines with fewer fields than the data.

    Examples:
        >>> find_header_line("Tickets report\n\nid,team\n1,A\n2,B\n", delimiter=",")
        2
        >>> find_header_line("id,team\n1,A\n", delimiter=",")
        0
    """
    lines = text.splitlines()[:60]
    try:
        counts = [len(next(csv.reader([line], delimiter=delimiter), [])) for line in lines]
    except csv.Error:
        return 0
    data = [c for c in counts[1:] if c > 1]
    if not data or counts[0] >= 2:
        return 0
    modal = max(set(data), key=data.count)
    for i, count in enumerate(counts[:10]):
        if count == modal:
            return i
    return 0


def stage_file(con: duckdb.DuckDBPyConnection, path: str | Path, *, sheet: str | None = None,
               limits: Limits | None = None) -> StagedFile:
    """Stage ``path`` as the temporary table ``_staged``: one text column per header, in file order.

    Args:
        con: the connection the import runs on.
        path: a CSV/TSV, Excel (.xlsx), Parquet, JSON or NDJSON file.
        sheet: the worksheet of an Excel file; the first one with data when None.
        limits: how large the file may be (rows, cell size, unpacked workbook); the settings' when None.

    Raises:
        ReadError: the file is missing, unreadable, empty, binary, ragged, too large, of an
            unsupported kind, or changed while it was read.
    """
    path = Path(path)
    name = path.name
    limits = limits or Limits.from_settings()
    before = check_readable(path)
    if before.st_size == 0:
        raise ReadError(f"{name}: the file is empty. Export the table again with a header row and data rows.")
    suffix = path.suffix.lower()
    con.execute(f"DROP TABLE IF EXISTS {STAGED}")
    if limits.max_memory_mb > 0:
        try:
            con.execute(f"SET memory_limit = '{int(limits.max_memory_mb)}MB'")
        except duckdb.OutOfMemoryException:  # the database already holds more than the cap in memory
            raise _memory_error(name) from None
    try:
        if suffix in CSV_SUFFIXES:
            staged = _stage_csv(con, path, limits)
        elif suffix in EXCEL_SUFFIXES:
            staged = _stage_excel(con, path, sheet, limits)
        elif suffix == ".parquet":
            staged = _stage_query(con, path, "read_parquet($path)", limits)
        elif suffix in (".json", ".ndjson", ".jsonl"):
            staged = _stage_json(con, path, limits)
        elif suffix == ".xls":
            raise ReadError(f"{name}: this is an old Excel 97-2003 workbook (.xls). Open it in Excel and save it as "
                            ".xlsx (Excel Workbook), or export CSV.")
        else:
            raise ReadError(
                f"{name}: files ending in {suffix or '(nothing)'} are not supported. "
                "Use CSV or TSV, Excel (.xlsx), Parquet, JSON or NDJSON."
            )
    except FileNotFoundError:
        raise ReadError(f"{name}: the file disappeared while it was read (moved or deleted). Nothing was "
                        "written. Import it again once it is in place.") from None
    except PermissionError:
        raise ReadError(f"{name}: no permission to read this file. Make it readable by the user running the "
                        "import, or copy it somewhere readable.") from None
    except (MemoryError, duckdb.OutOfMemoryException):
        raise _memory_error(name) from None
    except OSError as exc:
        raise ReadError(f"{name}: the file could not be read ({exc.strerror or exc}).") from None
    try:
        after = path.stat()
    except FileNotFoundError:
        raise ReadError(f"{name}: the file disappeared while it was read (moved or deleted). Nothing was "
                        "written. Import it again once it is in place.") from None
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise ReadError(f"{name}: the file changed while it was read ({before.st_size:,} bytes, then "
                        f"{after.st_size:,}): it is probably still being written. Nothing was written; wait until "
                        "the export has finished, then import it again.")
    if staged.rows == 0:
        raise ReadError(f"{name}: the file has a header but no data rows.")
    if staged.rows > limits.max_rows:
        raise ReadError(f"{name}: the file holds more than {limits.max_rows:,} rows, the most one import accepts "
                        "(setting CSM_MAX_ROWS). Split it into several files (by month, for example).")
    return staged


def _memory_error(name: str) -> ReadError:
    return ReadError(f"{name}: reading this file needs more memory than allowed (setting CSM_MAX_MEMORY_MB, or the "
                     "machine's). Split it into smaller files.")


def _limit(limits: Limits) -> str:
    """Return the LIMIT clause that stops a read one row past the row cap (checked after)."""
    return f" LIMIT {int(limits.max_rows) + 1}"


def _stage_query(con: duckdb.DuckDBPyConnection, path: Path, source: str, limits: Limits,
                 *, flatten: bool = False) -> StagedFile:
    try:
        columns = _describe_source(con, f"SELECT * FROM {source}", path)  # noqa: S608 - constant
        exprs = _flat_columns(columns) if flatten else [(c, quote_header(c)) for c, _ in columns]
        names = [n for n, _ in exprs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ReadError(f"{path.name}: the file names {', '.join(map(repr, duplicates))} more than once "
                            "(keys that differ only in case count as one). Rename them so each name is unique.")
        return _stage_columns(con, path, source, exprs, limits)
    except duckdb.Error as exc:
        raise _duckdb_read_error(path, exc) from None


def _describe_source(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> list[tuple[str, object]]:
    rel = con.sql(sql, params={"path": str(path)})
    return list(zip(rel.columns, rel.types, strict=True))


def _flat_columns(columns: list[tuple[str, object]], prefix: str = "", expr: str = "") -> list[tuple[str, str]]:
    """Return (name, SQL expression) pairs with nested objects flattened: ``via.channel``, ``satisfaction_rating.score``."""
    out = []
    for column, dtype in columns:
        name = f"{prefix}{column}"
        sql = f"{expr}[{_sql_string(column)}]" if expr else quote_header(column)
        if getattr(dtype, "id", "") == "struct":
            out += _flat_columns(list(dtype.children), f"{name}.", sql)
        else:
            out.append((name, sql))
    return out


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duckdb_read_error(path: Path, exc: Exception) -> ReadError:
    if isinstance(exc, duckdb.OutOfMemoryException):
        return _memory_error(path.name)
    reason = _first_line(exc).replace(str(path), path.name)  # no temporary folders in messages
    return ReadError(f"{path.name}: cannot read the file ({reason}). Check that it is a valid "
                     f"{path.suffix.lstrip('.').upper()} file.")


def _stage_json(con: duckdb.DuckDBPyConnection, path: Path, limits: Limits) -> StagedFile:
    """Stage JSON records: an array of objects, NDJSON, or an API page wrapping its records (``{"tickets": [...]}``).

    Nested objects become dotted columns (``via.channel``); an array of arrays has no column names
    and is refused with a message that says so.
    """
    name = path.name
    with open(path, "rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"[") and head[1:].lstrip().startswith(b"["):
        raise ReadError(f"{name}: the file is a list of lists (rows without column names). Export it as a list of "
                        'objects, one per ticket ({"id": 1, "created_at": ...}), or as CSV with a header row.')
    if head.startswith(b"[") and head[1:].lstrip().startswith(b"]"):
        raise ReadError(f"{name}: the file holds no records (an empty list). Export the tickets again.")
    duplicates = _duplicate_json_keys(path)
    if duplicates:
        raise ReadError(f"{name}: the records name {', '.join(map(repr, duplicates))} more than once (keys that "
                        "differ only in case count as one). Rename them so each name is unique.")
    source = "read_json_auto($path, maximum_object_size = 268435456)"
    try:
        described = _describe_source(con, f"SELECT * FROM {source}", path)  # noqa: S608 - constant
        if head.startswith(b"{"):
            rows = con.execute(f"SELECT count(*) FROM {source}", {"path": str(path)}).fetchone()[0]  # noqa: S608
            lists = [(c, t) for c, t in described if getattr(t, "id", "") == "list"
                     and getattr(t.child, "id", "") == "struct"]
            if rows == 1 and not lists and any(getattr(t, "id", "") == "list" for _, t in described):
                counts = con.execute("SELECT " + ", ".join(f"len({quote_header(c)})" for c, t in described  # noqa: S608
                                                        if getattr(t, "id", "") == "list")
                                     + f" FROM {source}", {"path": str(path)}).fetchone()
                if not any(counts):
                    raise ReadError(f"{name}: the file holds no records (its lists are empty). Export the tickets "
                                    "again.")
            if rows == 1 and lists:
                # One API page: the records sit in its list of objects (tickets, results, ...).
                key, dtype = max(lists, key=lambda ct: ct[0] in ("tickets", "results", "data", "records", "items"))
                records = f"(SELECT unnest({quote_header(key)}) AS _r FROM {source})"  # noqa: S608
                columns = _flat_columns(list(dtype.child.children), "", "_r")
                staged = _stage_columns(con, path, records, columns, limits)
                return StagedFile(staged.path, staged.columns, staged.rows, first_row=1,
                                  notes=(f"the records are the list {key!r} of the file ({staged.rows:,} record(s)); "
                                         "the other keys describe the export and are not imported",))
        if described and all(getattr(t, "id", "") not in ("struct", "list") for _, t in described) and \
                [c for c, _ in described] == ["json"]:
            raise ReadError(f"{name}: the file holds plain values, not records with named fields. Export it as a "
                            'list of objects, one per ticket ({"id": 1, "created_at": ...}), or as CSV with a header row.')
    except duckdb.Error as exc:
        raise _duckdb_read_error(path, exc) from None
    return _stage_query(con, path, source, limits, flatten=True)


def _duplicate_json_keys(path: Path) -> list[str]:
    """Return the keys the first record of a JSON file names twice, ignoring case (DuckDB would rename one)."""
    import json

    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES * 4).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    start = head.find("{")
    if start < 0:
        return []
    seen: dict[str, int] = {}
    try:
        record, _ = json.JSONDecoder(object_pairs_hook=lambda items: ("_pairs", items)).raw_decode(head[start:])
    except ValueError:
        return []  # a first record larger than the sample: DuckDB reads it, its own checks apply
    if not (isinstance(record, tuple) and record[0] == "_pairs"):
        return []
    record = record[1]
    if len(record) == 1 and isinstance(record[0][1], list):  # {"tickets": [...]}: look at the first ticket
        inner = record[0][1]
        record = inner[0][1] if inner and isinstance(inner[0], tuple) and inner[0][0] == "_pairs" else []
    for key, _ in record:
        seen[key.lower()] = seen.get(key.lower(), 0) + 1
    return sorted(key for key, _ in record if seen[key.lower()] > 1)


def _stage_columns(con: duckdb.DuckDBPyConnection, path: Path, source: str, exprs: list[tuple[str, str]],
                   limits: Limits) -> StagedFile:
    names = [n for n, _ in exprs]
    casts = ", ".join(f"CAST({e} AS VARCHAR) AS {quote_header(n)}" for n, e in exprs)
    con.execute(f"CREATE TEMP TABLE {STAGED} AS SELECT {casts} FROM {source}{_limit(limits)}",  # noqa: S608
                {"path": str(path)})
    rows = con.execute(f"SELECT count(*) FROM {STAGED}").fetchone()[0]  # noqa: S608 - constant name
    return StagedFile(path, tuple(names), rows, first_row=1)


def list_sheets(path: str | Path) -> list[str]:
    """Return the worksheet names of an Excel file, or [] for other files.

    Raises:
        ReadError: the workbook cannot be opened, or unpacks to more than the limits allow.
    """
    path = Path(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return []
    check_workbook(path, Limits.from_settings())
    import fastexcel

    try:
        return list(fastexcel.read_excel(path).sheet_names)
    except Exception as exc:  # noqa: BLE001 - fastexcel raises its own error types for broken workbooks
        raise ReadError(f"{path.name}: cannot open the workbook ({_first_line(exc)}). Save it again as .xlsx.") from None


_FORMULA_WITHOUT_VALUE = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)(?!<v)")
_FORMULA = re.compile(rb"<f[\s>/]")
_RECALCULATE = re.compile(rb"fullCalcOnLoad=\"(1|true)\"")


def _too_large(name: str, limits: Limits) -> ReadError:
    return ReadError(f"{name}: the workbook unpacks to more than {limits.max_workbook_bytes / 2**20:,.0f} MB (setting "
                     "CSM_MAX_WORKBOOK_MB): it is either very large or a zip bomb. Export the data as CSV instead, "
                     "which is read in a stream.")


def check_workbook(path: Path, limits: Limits) -> None:
    """Refuse a workbook that unpacks too large, holds a huge cell, or formulas Excel never calculated.

    A workbook that passed is not unzipped again while it is unchanged (the Data page lists its
    sheets, then reads one); a refusal is checked anew each time.

    Raises:
        ReadError: not a workbook, too large unpacked, a huge cell, or uncalculated formulas.
    """
    info = path.stat()
    _check_unchanged_workbook(str(path), info.st_size, info.st_mtime_ns, limits)


@functools.lru_cache(maxsize=32)
def _check_unchanged_workbook(path: str, size: int, mtime_ns: int, limits: Limits) -> None:
    """``check_workbook`` of one version of a file (its size and mtime are part of the key)."""
    _scan_workbook(Path(path), limits)


def _scan_workbook(path: Path, limits: Limits) -> None:
    """Unzip every XML part of a workbook in a stream and refuse what ``check_workbook`` names.

    An .xlsx file is a zip of XML parts. Every part is unzipped in a stream, counting bytes, so a
    zip bomb (a few MB that unpack to GB) is refused after ``max_workbook_bytes`` without holding
    it in memory. Text in the XML never contains ``<``, so a run longer than ``max_cell_bytes``
    without one is a single cell too large. A formula cell without a stored value (``<f>`` with no
    ``<v>``: written by a program, never opened in Excel) would read as empty or 0.

    Raises:
        ReadError: not a workbook, too large unpacked, a huge cell, or uncalculated formulas.
    """
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        with open(path, "rb") as f:
            magic = f.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise ReadError(f"{name}: this is an old Excel 97-2003 workbook (.xls) named .xlsx. Open it in Excel "
                            "and save it as .xlsx (Excel Workbook), or export CSV.") from None
        raise ReadError(f"{name}: cannot open the workbook: it is not an .xlsx file, or it is damaged or cut short "
                        "(no complete zip archive inside). Save it again as .xlsx, or export CSV.") from None
    total, uncalculated, formulas, recalculate = 0, 0, 0, False
    with archive:
        declared = sum(i.file_size for i in archive.infolist())
        if declared > limits.max_workbook_bytes:  # what the archive says; the stream below checks what it does
            raise _too_large(name, limits)
        for info in archive.infolist():
            if not info.filename.endswith((".xml", ".rels")):
                continue
            in_sheet = info.filename.startswith("xl/worksheets/")
            run, tail = 0, b""
            try:
                with archive.open(info) as part:
                    while chunk := part.read(CHUNK_BYTES):
                        total += len(chunk)
                        if total > limits.max_workbook_bytes:
                            raise _too_large(name, limits)
                        pieces = chunk.split(b"<")
                        run += len(pieces[0])
                        if len(pieces) > 1:
                            run = max(run, max(map(len, pieces[1:-1]), default=0))
                            if run > limits.max_cell_bytes:
                                break
                            run = len(pieces[-1])
                        if run > limits.max_cell_bytes:
                            break
                        if in_sheet:
                            window = tail + chunk
                            uncalculated += len(_FORMULA_WITHOUT_VALUE.findall(window)) - len(
                                _FORMULA_WITHOUT_VALUE.findall(tail))
                            formulas += len(_FORMULA.findall(window)) - len(_FORMULA.findall(tail))
                            tail = chunk[-512:]
                        elif info.filename == "xl/workbook.xml":
                            recalculate = recalculate or bool(_RECALCULATE.search(chunk))
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
                if isinstance(exc, (FileNotFoundError, PermissionError)):
                    raise
                raise ReadError(f"{name}: the workbook is damaged ({info.filename}: {exc}). Save it again as .xlsx, "
                                "or export CSV.") from None
            if run > limits.max_cell_bytes:
                raise ReadError(
                    f"{name}: a cell of the workbook ({info.filename}) holds more than "
                    f"{limits.max_cell_bytes / 1024:,.0f} KB of text, the largest cell accepted (setting "
                    "CSM_MAX_CELL_KB). Remove it, or export the sheet as CSV.")
    if recalculate and formulas:
        # XlsxWriter and similar libraries store 0 as every formula's result and ask Excel to
        # recalculate on opening: the stored values are not the formulas' results.
        uncalculated = formulas
    if uncalculated:
        raise ReadError(f"{name}: {uncalculated:,} cell(s) hold a formula that was never calculated (the file was "
                        "written by a program and not saved by Excel), so their results are unknown (they would read as "
                        "empty or 0). Open the workbook in Excel or LibreOffice, save it, and import it again.")


def _stage_excel(con: duckdb.DuckDBPyConnection, path: Path, sheet: str | None, limits: Limits) -> StagedFile:
    """Stage one worksheet. A workbook cannot be streamed, but it is checked first (``check_workbook``)."""
    import fastexcel

    name = path.name
    sheets = list_sheets(path)
    if sheet is not None and sheet not in sheets:
        raise ReadError(f"{name}: no sheet named {sheet!r}; the sheets are {', '.join(map(repr, sheets))}.")
    notes: list[str] = []
    try:
        reader = fastexcel.read_excel(path)
        candidates = [sheet] if sheet is not None else sheets
        frame = None
        for candidate in candidates:
            loaded = reader.load_sheet(candidate, header_row=None, dtypes="string", n_rows=limits.max_rows + 2)
            frame = loaded.to_polars()
            if frame.height:
                if candidate != sheets[0] and sheet is None:
                    empty = ", ".join(repr(s) for s in sheets[:sheets.index(candidate)])
                    notes.append(f"sheet {empty} is empty; read the first sheet with data, {candidate!r}")
                sheet = candidate
                break
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - fastexcel raises its own error types for broken workbooks
        raise ReadError(f"{name}: cannot read the workbook ({_first_line(exc)}). Save it again as .xlsx.") from None
    if frame is None or frame.height == 0:
        which = f"sheet {sheet!r}" if sheet is not None else "every sheet"
        raise ReadError(f"{name}: {which} of the workbook is empty. Export the table again with a header row and "
                        "data rows.")
    header = ["" if v is None else str(v).strip() for v in frame.row(0)]
    while header and not header[-1]:
        header.pop()
    header = _checked_header(header, name=name, where=f" of sheet {sheet!r}")
    body = frame.slice(1).select(frame.columns[:len(header)])
    body.columns = header
    con.register("_excel_frame", body.to_arrow())
    try:
        con.execute(f"CREATE TEMP TABLE {STAGED} AS SELECT * FROM _excel_frame")  # noqa: S608 - constant name
    finally:
        con.unregister("_excel_frame")
    return StagedFile(path, tuple(header), body.height, notes=tuple(notes))


def _checked_header(header: list[str], *, name: str, where: str = "") -> list[str]:
    """Return a file's header row with blank names as ``column_N``, or refuse an empty or ambiguous one.

    Names are compared ignoring case, as DuckDB does. ``where`` places the row (`` of sheet 'Calls'``).

    Raises:
        ReadError: every name is blank, or a name appears twice.
    """
    if not any(header):
        raise ReadError(f"{name}: the first row{where} is empty; it must hold the column names.")
    lowered = [h.lower() for h in header]
    duplicates = sorted({h for h in header if h and lowered.count(h.lower()) > 1})
    if duplicates:
        raise ReadError(f"{name}: the header{where} names {', '.join(map(repr, duplicates))} more than once (names "
                        "that differ only in case count as one). Rename the columns so each name is unique.")
    return [h or f"column_{i + 1}" for i, h in enumerate(header)]


def quote_header(header: str) -> str:
    """Return a file's column header quoted as an SQL identifier (headers are data, not trusted).

    Examples:
        >>> print(quote_header('a"b'))
        "a""b"
    """
    return '"' + header.replace('"', '""') + '"'


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, limits: Limits) -> StagedFile:
    name = path.name
    scan = scan_text(path, limits=limits)
    encoding = scan.encoding
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_BYTES)
    text = sample.decode(encoding, errors="replace")
    if scan.cr_only:
        text = text.replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    delimiter = sniff_delimiter(text, name=name)
    skip = find_header_line(text, delimiter=delimiter)
    notes = []
    if skip:
        above = "line 1 above the header is" if skip == 1 else f"lines 1-{skip} above the header are"
        notes.append(f"{above} a title, not data, and skipped; the header is line {skip + 1}")
    if scan.cr_only:
        notes.append("lines end in a carriage return alone (old Mac style); read as ordinary lines")
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"the file is not UTF-8; read as {'UTF-16' if encoding.startswith('utf-16') else 'Windows-1252'}")
    try:
        header = next(csv.reader(io.StringIO("\n".join(text.splitlines()[skip:skip + 1])), delimiter=delimiter), [])
    except csv.Error as exc:
        raise ReadError(f"{name}: cannot read the header line ({exc}).") from None
    header = [h.strip() for h in header]
    header = _checked_header(header, name=name)
    with tempfile.TemporaryDirectory() as tmp:
        source = path
        if encoding not in ("utf-8", "utf-8-sig") or scan.cr_only:
            source = Path(tmp) / "utf8.csv"
            _transcode_to_utf8(path, encoding, source, cr_only=scan.cr_only)
        columns = {h: "VARCHAR" for h in header}
        options = {"path": str(source), "columns": columns, "delim": delimiter, "skip": skip,
                   "max_line": max(limits.max_cell_bytes * 2, 2_097_152)}
        reader = (
            "read_csv($path, columns = $columns, delim = $delim, header = true, quote = '\"', escape = '\"', "
            "skip = $skip, auto_detect = false, store_rejects = true, rejects_limit = 1000, max_line_size = $max_line)"
        )
        # The rejects tables live as long as the connection: an earlier read's rejects must not count here.
        con.execute("DROP TABLE IF EXISTS reject_errors")
        con.execute("DROP TABLE IF EXISTS reject_scans")
        try:
            con.execute(
                f"CREATE TEMP TABLE {STAGED} AS SELECT * FROM {reader}{_limit(limits)}",  # noqa: S608 - constants
                options,
            )
        except duckdb.OutOfMemoryException:
            raise _memory_error(name) from None
        except duckdb.Error as exc:
            raise ReadError(f"{name}: cannot read the file as CSV ({_first_line(exc).replace(str(source), name)}).") \
                from None
        # One entry per faulty cell: a short row is reported once per missing column.
        rejects = con.execute("SELECT line, any_value(error_type) FROM reject_errors GROUP BY line ORDER BY line"
                              ).fetchall()
    if rejects:
        lines = [int(r[0]) + skip for r in rejects]
        kinds = {str(r[1]).upper() for r in rejects}
        if "INVALID_UNICODE" in kinds or "INVALID_ENCODING" in kinds:
            raise ReadError(f"{name}: row(s) {_lines(lines)} are not valid text in the file's encoding. Save the "
                            "file again as UTF-8, then import it.")
        if kinds & {"LINE_SIZE_OVER_MAXIMUM"}:
            raise ReadError(f"{name}: row(s) {_lines(lines)} are longer than the largest cell accepted (setting "
                            "CSM_MAX_CELL_KB), or hold a quote that is never closed.")
        shown = ", ".join(str(line) for line in lines[:10])
        more = f" and {len(lines) - 10} more" if len(lines) > 10 else ""
        raise ReadError(
            f"{name}: {len(lines)} row(s) do not have the {len(header)} columns of the header "
            f"(rows {shown}{more}). Check for a missing or extra {_describe(delimiter)} or an unclosed quote."
        )
    rows = con.execute(f"SELECT count(*) FROM {STAGED}").fetchone()[0]  # noqa: S608 - constant name
    return StagedFile(path, tuple(header), rows, first_row=2 + skip, encoding=encoding, delimiter=delimiter,
                      notes=tuple(notes))


def _describe(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))
