"""Settings as data: every setting has a name, a default and a help text.

Overrides come from environment variables named ``CSM_<NAME>`` in upper case
(for example ``CSM_DB_PATH``). Tests pass overrides explicitly to ``load_settings``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One configurable value: its name, default and what it does."""

    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db_path",
        str(PROJECT_ROOT / "data" / "csm.duckdb"),
        "DuckDB file the app and the CLI read. Created with demo data on first run of the app.",
    ),
    Setting(
        "service_level_threshold_s",
        20,
        "Answer-time threshold in seconds for the service level KPI (answered within N seconds).",
    ),
    Setting(
        "mappings_dir",
        str(PROJECT_ROOT / "data" / "mappings"),
        "Folder of saved column mappings (NAME.yaml), one per source system.",
    ),
    Setting(
        "uploads_dir",
        str(PROJECT_ROOT / "data" / "uploads"),
        "Folder where the Data page writes uploaded files before importing them.",
    ),
    Setting("max_upload_mb", 500, "Largest file the Data page accepts, in megabytes; import larger ones with the CLI."),
    Setting("max_rows", 20_000_000, "Most data rows one imported file may hold; a larger file is refused while it "
            "is read, before anything is written. Split it into several files."),
    Setting("max_cell_kb", 1024, "Longest cell (for a CSV: longest line) an imported file may hold, in kilobytes."),
    Setting("max_workbook_mb", 300, "Most megabytes an Excel workbook may unpack to (its sheets and strings, "
            "checked while unzipping), so a small zip bomb is refused in seconds."),
    Setting("max_memory_mb", 0, "Most memory DuckDB may use while it imports a file, in megabytes (it spills to "
            "disk beyond, or refuses the file); 0 keeps DuckDB's own limit, 80% of the machine's memory."),
    Setting("timezone", "UTC", "Time zone of the operation (an IANA name such as Europe/Paris). Imported "
            "times with an offset (Z, +02:00) or as epoch seconds are converted to it; times without one are "
            "taken as already in it."),
    Setting("demo_seed", 7, "Seed of the demo data generator; the same seed gives the same data."),
    Setting("cache_ttl_s", 600, "Seconds the app keeps a query result before asking DuckDB again."),
    Setting(
        "duckdb_threads",
        0,
        "Threads DuckDB may use; 0 lets DuckDB use every core of the machine.",
    ),
)

DEFAULTS: dict[str, object] = {s.name: s.default for s in SETTINGS}


def load_settings(
    overrides: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Return the settings: defaults, then ``CSM_*`` environment variables, then overrides.

    Args:
        overrides: values that win over everything else (used by tests).
        environ: environment to read; ``os.environ`` when omitted.

    Returns:
        A dict of every setting name to its value, cast to the default's type.

    Raises:
        ValueError: an environment value cannot be cast, or an override names no setting.

    Examples:
        >>> load_settings({"service_level_threshold_s": 30}, environ={})["service_level_threshold_s"]
        30
        >>> load_settings(environ={"CSM_CACHE_TTL_S": "60"})["cache_ttl_s"]
        60
    """
    environ = os.environ if environ is None else environ
    values = dict(DEFAULTS)
    for setting in SETTINGS:
        raw = environ.get(f"CSM_{setting.name.upper()}")
        if raw is None or raw == "":
            continue
        try:
            values[setting.name] = type(setting.default)(raw)
        except ValueError as exc:
            raise ValueError(
                f"CSM_{setting.name.upper()}={raw!r} is not a valid {type(setting.default).__name__}: "
                f"{setting.help}"
            ) from exc
    for name, value in (overrides or {}).items():
        if name not in DEFAULTS:
            raise ValueError(f"unknown setting {name!r}; known: {', '.join(DEFAULTS)}")
        values[name] = value
    return values
