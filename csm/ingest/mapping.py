"""Map a file's columns onto the canonical ``tickets`` columns.

A mapping is data: canonical column -> source header, plus constants (every row of this file
is channel ``phone``), units (minutes, a CSAT on 1-10) and derived columns. ``propose_mapping``
suggests one from a built-in vendor preset (``presets.yaml``) when the headers identify the
export, else from header synonyms; the user corrects it with ``--map canonical=Source Header``,
``--set canonical=value`` and ``--unit canonical=unit``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import yaml

from csm.schema import TICKETS

# Header synonyms per canonical column, compared after ``normalize_header``; first match wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ticket_id": ("ticket id", "id", "ticket", "ticket number", "case number", "case id", "incident number",
                  "number", "call id", "conversation id", "interaction id", "contact id"),
    "created_at": ("created at", "created", "created date", "date created", "creation date", "created time",
                   "opened", "opened at", "opened date", "submitted at", "received at", "start time", "call start"),
    "channel": ("channel", "ticket channel", "via", "source", "origin", "case origin", "contact type", "medium"),
    "team": ("team", "group", "assignment group", "queue", "department"),
    "agent_id": ("agent id", "agent", "agent name", "assignee", "assigned to", "owner", "case owner", "handled by"),
    "category": ("category", "ticket type", "type", "topic", "reason", "issue type", "case reason", "contact reason"),
    "priority": ("priority", "ticket priority", "urgency", "severity"),
    "status": ("status", "ticket status", "case status", "state"),
    "first_response_at": ("first response at", "first reply at", "first response time", "first responded at",
                          "first reply time"),
    "resolved_at": ("resolved at", "solved at", "resolved", "solved", "resolution date", "resolved date",
                    "closed at", "closed date"),
    "handle_time_s": ("handle time", "handle time s", "handling time", "aht", "talk time", "talk duration",
                      "avgtalkduration", "avg talk duration", "call duration", "duration"),
    "wait_time_s": ("wait time", "wait time s", "speed of answer", "speed of answer in seconds", "queue time",
                    "time to answer", "asa"),
    "is_answered": ("answered", "answered y n", "is answered"),
    "is_fcr": ("fcr", "first contact resolution", "first call resolution", "resolved on first contact", "one touch",
               "resolved"),  # a yes/no "Resolved" (a timestamp one is resolved_at)
    "reopen_count": ("reopens", "reopen count", "reopened count"),
    "is_escalated": ("escalated", "is escalated", "escalation"),
    "reassignment_count": ("reassignments", "reassignment count", "reassigned count"),
    "is_sla_met": ("sla met", "within sla", "made sla", "sla achieved", "is sla met"),
    "csat_score": ("csat", "csat score", "satisfaction", "satisfaction rating", "satisfaction score",
                   "customer satisfaction rating", "rating"),
    "nps_score": ("nps", "nps score", "likelihood to recommend"),
    "qa_score": ("qa score", "qa", "quality score"),
    "is_resolved_by_bot": ("resolved by bot", "bot resolved", "deflected"),
    "customer_id": ("customer id", "customer", "requester id", "requester", "customer email", "account"),
}
MAPPABLE = tuple(c for c in TICKETS.column_names if c != "import_id")
# Not stored: used to keep the latest row when a file holds several rows per ticket.
EXTRA_COLUMNS = {"updated_at": ("updated at", "updated", "last updated", "modified", "last modified")}
TIMESTAMP_COLUMNS = ("created_at", "first_response_at", "resolved_at", "updated_at")
# How a column's values read, when not in the data model's own unit; the first is the default.
DURATION_UNITS = ("seconds", "minutes", "hours", "h_mm")
DURATIONS = ("handle_time_s", "wait_time_s")
OFFSET_UNITS = ("timestamp", "seconds_after_created", "minutes_after_created", "hours_after_created")
UNITS: dict[str, tuple[str, ...]] = {
    "handle_time_s": DURATION_UNITS,
    "wait_time_s": DURATION_UNITS,
    "first_response_at": OFFSET_UNITS,
    "resolved_at": OFFSET_UNITS,
    "csat_score": ("1-5", "1-10", "percent", "good_bad"),
}
# Columns computed from others when the file has no column for them.
DERIVED: dict[str, dict[str, str]] = {
    "first_response_at": {"call_answer": "an answered call is first responded to when answered: created_at + wait"},
    "resolved_at": {"call_end": "an answered call is resolved when it ends: created_at + wait + handle time"},
}
PRESETS_FILE = Path(__file__).with_name("presets.yaml")


def normalize_header(header: str) -> str:
    """Return a header reduced to lower-case words, for comparison with the synonyms.

    Examples:
        >>> normalize_header("  Answered (Y/N) "), normalize_header("Ticket_ID"), normalize_header("AvgTalkDuration")
        ('answered y n', 'ticket id', 'avgtalkduration')
    """
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


@dataclass
class Mapping:
    """Which source header feeds each canonical column, and constants for whole-file values."""

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    times: dict[str, str] = field(default_factory=dict)  # timestamp column -> header holding its time of day
    units: dict[str, str] = field(default_factory=dict)  # column -> unit of its values (``UNITS``)
    derived: dict[str, str] = field(default_factory=dict)  # column -> recipe (``DERIVED``)
    preset: str | None = None  # the built-in preset the proposal came from
    starts: dict[str, str] = field(default_factory=dict)  # duration -> header of its start; the mapped one ends it

    def describe(self) -> list[str]:
        """Return one line per mapped column, for reports and logs."""
        lines = [f"{c} <- {s!r}" + (f" + time {self.times[c]!r}" if c in self.times else "")
                 + (f" minus {self.starts[c]!r}" if c in self.starts else "")
                 + (f" in {self.units[c].replace('_', ' ')}" if c in self.units else "")
                 for c, s in self.columns.items()]
        lines += [f"{c} = {v!r} (every row)" for c, v in self.constants.items()]
        return lines + [f"{c} derived: {DERIVED[c][r]}" for c, r in self.derived.items()]

    def copy(self) -> Mapping:
        """Return an independent copy."""
        return Mapping(dict(self.columns), dict(self.constants), dict(self.times), dict(self.units),
                       dict(self.derived), self.preset, dict(self.starts))


@dataclass(frozen=True)
class Preset:
    """A built-in mapping for one vendor's export (``presets.yaml``)."""

    name: str
    label: str
    detect: tuple[str, ...]
    columns: dict[str, tuple[tuple[str, str | None], ...]]  # canonical -> (header, unit) candidates
    constants: dict[str, str]
    times: dict[str, tuple[str, ...]]
    derived: dict[str, str]


@cache
def load_presets() -> dict[str, Preset]:
    """Return the built-in presets, checked against the data model.

    Raises:
        ValueError: a preset names an unknown column, unit or recipe (a bug in ``presets.yaml``).
    """
    raw = yaml.safe_load(PRESETS_FILE.read_text(encoding="utf-8"))
    presets = {}
    known = set(MAPPABLE) | set(EXTRA_COLUMNS)
    for name, spec in raw.items():
        columns = {}
        for canonical, candidates in spec.get("columns", {}).items():
            pairs = tuple((c, None) if isinstance(c, str) else (c["header"], c.get("unit")) for c in candidates)
            if canonical not in known or any(u and u not in UNITS.get(canonical, ()) for _, u in pairs):
                raise ValueError(f"{PRESETS_FILE}: preset {name}: bad column or unit for {canonical}")
            columns[canonical] = pairs
        derived = dict(spec.get("derived", {}))
        if any(r not in DERIVED.get(c, {}) for c, r in derived.items()):
            raise ValueError(f"{PRESETS_FILE}: preset {name}: unknown derived column in {derived}")
        presets[name] = Preset(name, spec["label"], tuple(spec["detect"]), columns, dict(spec.get("constants", {})),
                               {c: tuple(v) for c, v in spec.get("times", {}).items()}, derived)
    return presets


def detect_preset(headers: tuple[str, ...] | list[str]) -> Preset | None:
    """Return the preset whose identifying headers the file has (the most specific one), or None.

    Examples:
        >>> detect_preset(["Call Id", "Agent", "Date", "Time"]).name
        'call_log'
        >>> detect_preset(["Ticket ID", "Created"]) is None
        True
    """
    names = {normalize_header(h) for h in headers}
    matches = [p for p in load_presets().values() if set(p.detect) <= names]
    return max(matches, key=lambda p: len(p.detect), default=None)


def propose_mapping(
    headers: tuple[str, ...] | list[str], *, preset: str | None = None,
    rejected: frozenset[tuple[str, str]] = frozenset(),
) -> Mapping:
    """Return a mapping proposed from the headers' names: each header and column used once.

    A vendor preset comes first: the one named, else the one the headers identify
    (``detect_preset``); the generic synonyms fill the columns it leaves open. ``rejected``
    (column, header) pairs are never proposed: their values said otherwise.

    Examples:
        >>> propose_mapping(["Ticket ID", "Created", "Channel", "CSAT"]).columns
        {'ticket_id': 'Ticket ID', 'created_at': 'Created', 'channel': 'Channel', 'csat_score': 'CSAT'}
        >>> m = propose_mapping(["Id", "Via", "Requester", "Assignee", "First reply time in minutes"])
        >>> m.preset, m.columns["first_response_at"], m.units
        ('zendesk', 'First reply time in minutes', {'first_response_at': 'minutes_after_created'})
    """
    by_name = {normalize_header(h): h for h in headers}
    used: set[str] = set()
    mapping = Mapping()
    chosen = load_presets()[preset] if preset else detect_preset(headers)
    if chosen:
        mapping.preset = chosen.name
        mapping.constants.update(chosen.constants)
        mapping.derived.update(chosen.derived)
        for canonical, candidates in chosen.columns.items():
            for header, unit in candidates:
                source = by_name.get(header)
                if source and source not in used and (canonical, source) not in rejected:
                    mapping.columns[canonical] = source
                    used.add(source)
                    if unit and unit != UNITS[canonical][0]:
                        mapping.units[canonical] = unit
                    break
        for canonical, candidates in chosen.times.items():
            source = next((by_name[h] for h in candidates if by_name.get(h) and by_name[h] not in used), None)
            if source and canonical in mapping.columns:
                mapping.times[canonical] = source
                used.add(source)
    for canonical, synonyms in {**SYNONYMS, **EXTRA_COLUMNS}.items():
        if canonical in mapping.columns or canonical in mapping.constants:
            continue
        for synonym in (canonical.replace("_", " "), *synonyms):
            source = by_name.get(synonym)
            if source and source not in used and (canonical, source) not in rejected:
                mapping.columns[canonical] = source
                used.add(source)
                break
    return mapping


def apply_overrides(
    mapping: Mapping, headers: tuple[str, ...], *, maps: list[str] = (), sets: list[str] = (),
    times: list[str] = (), units: list[str] = (), starts: list[str] = (),
) -> Mapping:
    """Return ``mapping`` corrected by ``canonical=Source Header`` and ``canonical=value`` pairs.

    An empty source (``--map team=``) unmaps the column. ``times`` pairs name a header holding
    the time of day of a timestamp column whose header holds only the date. ``units`` pairs
    say how a column's values read (``csat_score=1-10``, ``handle_time_s=minutes``). ``starts``
    pairs make a duration the time between two timestamps: ``handle_time_s=Talk start`` with
    ``handle_time_s`` mapped to the header of the end.

    Raises:
        ValueError: an unknown canonical column or unit, or a header the file does not have.
    """
    known = set(MAPPABLE) | set(EXTRA_COLUMNS)
    out = mapping.copy()
    for pair, is_constant in [*((m, False) for m in maps), *((s, True) for s in sets)]:
        canonical, sep, value = pair.partition("=")
        canonical = canonical.strip()
        if not sep or canonical not in known:
            raise ValueError(f"{pair!r}: expected COLUMN=VALUE with COLUMN one of {', '.join(sorted(known))}")
        out.columns.pop(canonical, None)
        out.constants.pop(canonical, None)
        out.units.pop(canonical, None)
        out.times.pop(canonical, None)
        out.starts.pop(canonical, None)
        out.derived.pop(canonical, None)
        if is_constant:
            out.constants[canonical] = value
        elif value:
            _require_header(pair, value, headers)
            for other, source in list(out.columns.items()):
                if source == value:
                    del out.columns[other]
            out.columns[canonical] = value
    for pair in times:
        canonical, sep, value = (p.strip() for p in pair.partition("="))
        if not sep or canonical not in ("created_at", "first_response_at", "resolved_at", "updated_at"):
            raise ValueError(f"{pair!r}: expected TIMESTAMP_COLUMN=TIME_HEADER, e.g. created_at=Time")
        _require_header(pair, value, headers)
        if canonical not in out.columns:
            raise ValueError(f"{pair!r}: map the date of {canonical} first, e.g. --map {canonical}=Date")
        for other, source in list(out.columns.items()):
            if source == value:
                del out.columns[other]
        out.times[canonical] = value
    for pair in starts:
        canonical, sep, value = (p.strip() for p in pair.partition("="))
        if not sep or canonical not in DURATIONS:
            raise ValueError(f"{pair!r}: expected DURATION_COLUMN=START_HEADER with DURATION_COLUMN one of "
                             f"{', '.join(DURATIONS)}, e.g. handle_time_s=Talk start")
        _require_header(pair, value, headers)
        if canonical not in out.columns:
            raise ValueError(f"{pair!r}: map the end first, e.g. --map {canonical}=Talk end")
        out.starts[canonical] = value
        out.units.pop(canonical, None)
    for pair in units:
        canonical, sep, value = (p.strip() for p in pair.partition("="))
        if not sep or value not in UNITS.get(canonical, ()):
            choices = "; ".join(f"{c}: {', '.join(u)}" for c, u in UNITS.items())
            raise ValueError(f"{pair!r}: expected COLUMN=UNIT, one of {choices}")
        if canonical not in out.columns:
            raise ValueError(f"{pair!r}: {canonical} is not mapped to a column of the file; map it with --map first")
        if value == UNITS[canonical][0]:
            out.units.pop(canonical, None)
        else:
            out.units[canonical] = value
    return out


def _require_header(pair: str, header: str, headers: tuple[str, ...]) -> None:
    if header not in headers:
        raise ValueError(f"{pair!r}: the file has no column {header!r}; its columns are {', '.join(headers)}")


def check_mapping(mapping: Mapping) -> list[str]:
    """Return the problems of a mapping that no file can fix (empty when it is usable).

    Examples:
        >>> check_mapping(Mapping(columns={"resolved_at": "Mins"}, units={"resolved_at": "minutes_after_created"}))
        ['resolved_at in minutes after created needs created_at mapped to a column of the file']
    """
    problems = []
    for column, unit in mapping.units.items():
        if unit not in UNITS.get(column, ()):
            problems.append(f"{column}: unknown unit {unit!r}; use one of {', '.join(UNITS.get(column, ()))}")
        elif unit.endswith("_after_created") and "created_at" not in mapping.columns:
            problems.append(f"{column} in {unit.replace('_', ' ')} needs created_at mapped to a column of the file")
    for column, start in mapping.starts.items():
        if column not in DURATIONS or column not in mapping.columns:
            problems.append(f"{column}: a start ({start!r}) makes a duration of two timestamps; map {column} to "
                            "the end" if column in DURATIONS else f"{column}: only durations have a start")
    for column, recipe in mapping.derived.items():
        if recipe not in DERIVED.get(column, {}):
            problems.append(f"{column}: unknown recipe {recipe!r}")
        elif "created_at" not in mapping.columns or "is_answered" not in {*mapping.columns, *mapping.constants}:
            problems.append(f"{column} derived from the call needs created_at and is_answered mapped")
    return problems


_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9 _-]{0,63}$")


def check_mapping_name(name: str) -> str:
    """Return the saved-mapping name ``name`` stripped, or raise: a name is a name, never a path.

    Letters, digits, ``-``, ``_`` and spaces, at most 64 characters, not starting with a space.
    ``..``, slashes, an absolute path or ``csm/kpis.yaml`` are refused before anything is written.

    Raises:
        ValueError: the name has other characters, is empty or too long.

    Examples:
        >>> check_mapping_name(" pwc calls ")
        'pwc calls'
        >>> check_mapping_name("../../x.yaml")
        Traceback (most recent call last):
        ...
        ValueError: mapping name '../../x.yaml': use letters, digits, spaces, '-' and '_' only (at most 64), not a path
    """
    stripped = name.strip()
    if not _NAME.match(stripped):
        raise ValueError(f"mapping name {name!r}: use letters, digits, spaces, '-' and '_' only (at most 64), "
                         "not a path")
    return stripped


def mapping_path(name: str, folder: str | Path) -> Path:
    """Return the file of the saved mapping ``name``: ``<folder>/<name>.yaml``, always inside ``folder``.

    Raises:
        ValueError: a name that is not a name (``check_mapping_name``).
    """
    folder = Path(folder).resolve()
    path = (folder / f"{check_mapping_name(name)}.yaml").resolve()
    if path.parent != folder:  # cannot happen for a checked name; a second lock on the same door
        raise ValueError(f"mapping name {name!r} would leave the mappings folder")
    return path


def save_mapping(mapping: Mapping, path: Path) -> None:
    """Write ``mapping`` as YAML to ``path`` (creating its folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(asdict(mapping), sort_keys=False, allow_unicode=True), encoding="utf-8")


def load_mapping(path: Path, headers: tuple[str, ...]) -> Mapping:
    """Return the saved mapping at ``path``, checked against the file's headers.

    Raises:
        ValueError: no such mapping, a malformed one, or headers the file does not have.
    """
    if not path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.yaml")) if path.parent.is_dir() else []
        raise ValueError(f"no saved mapping {path.stem!r} in {path.parent}" + (f"; saved: {', '.join(known)}" if known else ""))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ValueError(f"saved mapping {path.stem!r} cannot be read ({str(exc).splitlines()[0]}); save it again "
                         "from an import") from None
    if not isinstance(raw, dict):
        raise ValueError(f"saved mapping {path.stem!r} is not a mapping (sections columns, constants, ...); save it "
                         "again from an import")
    known_columns = set(MAPPABLE) | set(EXTRA_COLUMNS)
    parts = {k: raw.get(k) or {} for k in ("columns", "constants", "times", "units", "derived", "starts")}
    if set(raw) - {*parts, "preset"} or not all(isinstance(v, dict) for v in parts.values()):
        raise ValueError(f"{path}: a mapping holds only the sections columns, constants, times, units, derived "
                         "and starts")
    unknown = sorted(c for part in parts.values() for c in part if c not in known_columns)
    if unknown:
        raise ValueError(f"{path}: unknown columns {', '.join(unknown)}")
    missing = sorted({h for part in ("columns", "times", "starts") for h in parts[part].values() if h not in headers})
    if missing:
        raise ValueError(f"mapping {path.stem!r} expects headers the file does not have: {', '.join(map(repr, missing))}; "
                         f"the file's headers are {', '.join(map(repr, headers))}")
    text = {k: {c: str(v) for c, v in part.items()} for k, part in parts.items()}
    mapping = Mapping(text["columns"], text["constants"], text["times"], text["units"], text["derived"],
                      raw.get("preset"), text["starts"])
    problems = check_mapping(mapping)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return mapping


def mapping_to_rows(mapping: Mapping) -> list[dict[str, str]]:
    """Return the mapping as one row per mappable column, for an editable table.

    Examples:
        >>> mapping_to_rows(Mapping(columns={"ticket_id": "Id"}, constants={"channel": "phone"}))[:3]  # doctest: +NORMALIZE_WHITESPACE
        [{'column': 'ticket_id', 'file_column': 'Id', 'time_column': '', 'unit': '', 'every_row': ''},
         {'column': 'created_at', 'file_column': '', 'time_column': '', 'unit': '', 'every_row': ''},
         {'column': 'channel', 'file_column': '', 'time_column': '', 'unit': '', 'every_row': 'phone'}]
    """
    return [{"column": c, "file_column": mapping.columns.get(c, ""),
             "time_column": mapping.times.get(c, "") or mapping.starts.get(c, ""),
             "unit": mapping.units.get(c, ""), "every_row": mapping.constants.get(c, "")}
            for c in (*MAPPABLE, *EXTRA_COLUMNS)]


def mapping_from_rows(rows: list[dict], headers: tuple[str, ...], *, base: Mapping) -> Mapping:
    """Return the mapping an edited table of ``mapping_to_rows`` describes.

    Derived columns and the preset name carry over from ``base`` (a derived column gives way
    when the user maps it).

    Raises:
        ValueError: every problem at once: a header the file lacks, a header used twice, a
            column with both a header and a value, a unit that does not fit its column.
    """
    out = Mapping(preset=base.preset)
    problems, used = [], {}
    for row in rows:
        column = row["column"]
        source, time_of_day = (row.get("file_column") or "").strip(), (row.get("time_column") or "").strip()
        unit, constant = (row.get("unit") or "").strip(), (row.get("every_row") or "").strip()
        for header in filter(None, (source, time_of_day)):
            if header not in headers:
                problems.append(f"{column}: the file has no column {header!r}")
            elif header in used:
                problems.append(f"{header!r} is used for both {used[header]} and {column}; use each column once")
            used.setdefault(header, column)
        if source and constant:
            problems.append(f"{column}: choose a file column or one value for every row, not both")
        if source:
            out.columns[column] = source
        elif constant:
            out.constants[column] = constant
        if time_of_day:
            if column in DURATIONS and source:
                out.starts[column] = time_of_day  # a duration from its start to the mapped end
            elif column not in TIMESTAMP_COLUMNS or not source:
                problems.append(f"{column}: a second column completes the date of a timestamp, or starts a duration")
            else:
                out.times[column] = time_of_day
        if unit and unit != UNITS.get(column, ("",))[0]:
            if unit in UNITS.get(column, ()):
                out.units[column] = unit
            else:
                choices = ", ".join(UNITS.get(column, ())) or "none (this column has no unit)"
                problems.append(f"{column}: unit {unit!r} does not fit; use one of {choices}")
    out.derived = {c: r for c, r in base.derived.items() if c not in out.columns and c not in out.constants}
    problems += check_mapping(out)
    if problems:
        raise ValueError("; ".join(problems))
    return out
