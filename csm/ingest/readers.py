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
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

STAGED = "_staged"
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = ",;\t|"
SAMPLE_BYTES = 256 * 1024


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why and how to fix it."""


@dataclass(frozen=True)
class StagedFile:
    """A file staged as the temporary table ``_staged``."""

    path: Path
    columns: tuple[str, ...]
    rows: int
    first_row: int = 2  # the row number of the first record: after a header row, 2
    encoding: str = "utf-8"
    delimiter: str | None = None


def detect_encoding(sample: bytes, *, whole_file: bool = False) -> str:
    r"""Return the encoding of a file from its first bytes.

    A byte-order mark decides; otherwise UTF-8 when the sample decodes as UTF-8, else CP-1252
    (Windows Western European, a superset of Latin-1 for printable text). Unless the sample is
    the whole file, an incomplete character at its very end is not held against UTF-8.

    Examples:
        >>> detect_encoding(b"\xef\xbb\xbfid,name\n"), detect_encoding("id;nom\né".encode("cp1252"), whole_file=True)
        ('utf-8-sig', 'cp1252')
        >>> detect_encoding(codecs.BOM_UTF16_LE + "id".encode("utf-16-le"))
        'utf-16'
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A multi-byte character may be cut at the end of the sample: ignore an incomplete tail.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole_file)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _transcode_to_utf8(path: Path, encoding: str, target: Path) -> None:
    """Write ``path`` re-encoded as UTF-8 to ``target``, streaming in chunks."""
    with open(path, encoding=encoding, newline="") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)


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
        counts = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
        if counts and counts[0] > 1:
            score = counts[0] * 10 + sum(1 for c in counts if c == counts[0])
            if score > best_score:
                best, best_score = delim, score
    return best or ","  # no candidate splits the header: a file of one column


def stage_file(con: duckdb.DuckDBPyConnection, path: str | Path, *, sheet: str | None = None) -> StagedFile:
    """Stage ``path`` as the temporary table ``_staged``: one text column per header, in file order.

    Args:
        con: the connection the import runs on.
        path: a CSV/TSV, Excel (.xlsx), Parquet, JSON or NDJSON file.
        sheet: the worksheet of an Excel file; the first one when None.

    Raises:
        ReadError: the file is missing, empty, binary, ragged, or of an unsupported kind.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ReadError(f"{name}: no such file ({path}).")
    if path.stat().st_size == 0:
        raise ReadError(f"{name}: the file is empty. Export the table again with a header row and data rows.")
    suffix = path.suffix.lower()
    con.execute(f"DROP TABLE IF EXISTS {STAGED}")
    if suffix in CSV_SUFFIXES:
        staged = _stage_csv(con, path)
    elif suffix in EXCEL_SUFFIXES:
        staged = _stage_excel(con, path, sheet)
    elif suffix == ".parquet":
        staged = _stage_query(con, path, "read_parquet($path)")
    elif suffix in (".json", ".ndjson", ".jsonl"):
        staged = _stage_query(con, path, "read_json_auto($path)")
    else:
        raise ReadError(
            f"{name}: files ending in {suffix or '(nothing)'} are not supported. "
            "Use CSV or TSV, Excel (.xlsx), Parquet, JSON or NDJSON."
        )
    if staged.rows == 0:
        raise ReadError(f"{name}: the file has a header but no data rows.")
    return staged


def _stage_query(con: duckdb.DuckDBPyConnection, path: Path, source: str) -> StagedFile:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}", {"path": str(path)})  # noqa: S608 - constant
        columns = [r[0] for r in described.fetchall()]
        casts = ", ".join(f"CAST({quote_header(c)} AS VARCHAR) AS {quote_header(c)}" for c in columns)
        con.execute(f"CREATE TEMP TABLE {STAGED} AS SELECT {casts} FROM {source}",  # noqa: S608 - quoted headers
                    {"path": str(path)})
    except duckdb.Error as exc:
        reason = _first_line(exc).replace(str(path), path.name)  # no temporary folders in messages
        raise ReadError(f"{path.name}: cannot read the file ({reason}). Check that it is a valid "
                        f"{path.suffix.lstrip('.').upper()} file.") from None
    rows = con.execute(f"SELECT count(*) FROM {STAGED}").fetchone()[0]  # noqa: S608 - constant name
    return StagedFile(path, tuple(columns), rows, first_row=1)


def list_sheets(path: str | Path) -> list[str]:
    """Return the worksheet names of an Excel file, or [] for other files.

    Raises:
        ReadError: the workbook cannot be opened.
    """
    path = Path(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return []
    import fastexcel

    try:
        return list(fastexcel.read_excel(path).sheet_names)
    except Exception as exc:  # fastexcel raises its own error types for broken workbooks
        raise ReadError(f"{path.name}: cannot open the workbook ({_first_line(exc)}). Save it again as .xlsx.") from None


def _stage_excel(con: duckdb.DuckDBPyConnection, path: Path, sheet: str | None) -> StagedFile:
    """Stage one worksheet. A workbook cannot be streamed, but Excel caps a sheet at ~1M rows."""
    import polars as pl

    name = path.name
    sheets = list_sheets(path)
    if sheet is not None and sheet not in sheets:
        raise ReadError(f"{name}: no sheet named {sheet!r}; the sheets are {', '.join(map(repr, sheets))}.")
    sheet = sheet or sheets[0]
    frame = pl.read_excel(path, sheet_name=sheet, engine="calamine", infer_schema_length=0)
    frame = frame.select(pl.all().cast(pl.String))
    con.register("_excel_frame", frame.to_arrow())
    try:
        con.execute(f"CREATE TEMP TABLE {STAGED} AS SELECT * FROM _excel_frame")  # noqa: S608 - constant name
    finally:
        con.unregister("_excel_frame")
    return StagedFile(path, tuple(frame.columns), frame.height)


def quote_header(header: str) -> str:
    """Return a file's column header quoted as an SQL identifier (headers are data, not trusted).

    Examples:
        >>> print(quote_header('a"b'))
        "a""b"
    """
    return '"' + header.replace('"', '""') + '"'


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path) -> StagedFile:
    name = path.name
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample, whole_file=len(sample) < SAMPLE_BYTES)
    if encoding in ("utf-8", "cp1252") and b"\x00" in sample:
        raise ReadError(f"{name}: this is not a text file (it holds binary data). "
                        "Export the table as CSV, or upload the file in its own format (Parquet, JSON).")
    text = sample.decode(encoding if encoding != "utf-16" else "utf-16", errors="replace")
    delimiter = sniff_delimiter(text, name=name)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    header = [h.strip() for h in header]
    if not any(header):
        raise ReadError(f"{name}: the first row is empty; it must hold the column names.")
    duplicates = sorted({h for h in header if header.count(h) > 1 and h})
    if duplicates:
        raise ReadError(f"{name}: the header names {', '.join(map(repr, duplicates))} more than once. "
                        "Rename the columns so each name is unique.")
    header = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    with tempfile.TemporaryDirectory() as tmp:
        source = path
        if encoding not in ("utf-8", "utf-8-sig"):
            source = Path(tmp) / "utf8.csv"
            _transcode_to_utf8(path, encoding, source)
        columns = {h: "VARCHAR" for h in header}
        options = {"path": str(source), "columns": columns, "delim": delimiter}
        reader = (
            "read_csv($path, columns = $columns, delim = $delim, header = true, quote = '\"', escape = '\"', "
            "auto_detect = false, store_rejects = true, rejects_limit = 1000)"
        )
        # The rejects tables live as long as the connection: an earlier read's rejects must not count here.
        con.execute("DROP TABLE IF EXISTS reject_errors")
        con.execute("DROP TABLE IF EXISTS reject_scans")
        try:
            con.execute(
                f"CREATE TEMP TABLE {STAGED} AS SELECT * FROM {reader}",  # noqa: S608 - constant names
                options,
            )
        except duckdb.Error as exc:
            raise ReadError(f"{name}: cannot read the file as CSV ({_first_line(exc)}).") from None
        # One entry per faulty cell: a short row is reported once per missing column.
        rejects = [r[0] for r in con.execute("SELECT DISTINCT line FROM reject_errors ORDER BY line").fetchall()]
    if rejects:
        lines = ", ".join(str(line) for line in rejects[:10])
        more = f" and {len(rejects) - 10} more" if len(rejects) > 10 else ""
        raise ReadError(
            f"{name}: {len(rejects)} row(s) do not have the {len(header)} columns of the header "
            f"(rows {lines}{more}). Check for a missing or extra {_describe(delimiter)} or an unclosed quote."
        )
    rows = con.execute(f"SELECT count(*) FROM {STAGED}").fetchone()[0]  # noqa: S608 - constant name
    return StagedFile(path, tuple(header), rows, encoding=encoding, delimiter=delimiter)


def _describe(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))
