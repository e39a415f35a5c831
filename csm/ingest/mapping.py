"""Map a file's columns onto the canonical ``tickets`` columns.

A mapping is data: canonical column -> source header, plus constants (every row of this file
is channel ``phone``). ``propose_mapping`` suggests one from header synonyms; the user corrects
it with ``--map canonical=Source Header`` and ``--set canonical=value``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
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
    "is_fcr": ("fcr", "first contact resolution", "first call resolution", "resolved on first contact", "one touch"),
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

    def describe(self) -> list[str]:
        """Return one line per mapped column, for reports and logs."""
        lines = [f"{c} <- {s!r}" + (f" + time {self.times[c]!r}" if c in self.times else "")
                 for c, s in self.columns.items()]
        return lines + [f"{c} = {v!r} (every row)" for c, v in self.constants.items()]


def propose_mapping(headers: tuple[str, ...] | list[str]) -> Mapping:
    """Return a mapping proposed from the headers' names: each header and column used once.

    Examples:
        >>> propose_mapping(["Ticket ID", "Created", "Channel", "CSAT"]).columns
        {'ticket_id': 'Ticket ID', 'created_at': 'Created', 'channel': 'Channel', 'csat_score': 'CSAT'}
    """
    by_name = {normalize_header(h): h for h in headers}
    used: set[str] = set()
    mapping = Mapping()
    for canonical, synonyms in {**SYNONYMS, **EXTRA_COLUMNS}.items():
        for synonym in (canonical.replace("_", " "), *synonyms):
            source = by_name.get(synonym)
            if source and source not in used:
                mapping.columns[canonical] = source
                used.add(source)
                break
    return mapping


def apply_overrides(
    mapping: Mapping, headers: tuple[str, ...], *, maps: list[str] = (), sets: list[str] = (),
    times: list[str] = (),
) -> Mapping:
    """Return ``mapping`` corrected by ``canonical=Source Header`` and ``canonical=value`` pairs.

    An empty source (``--map team=``) unmaps the column. ``times`` pairs name a header holding
    the time of day of a timestamp column whose header holds only the date.

    Raises:
        ValueError: an unknown canonical column, or a header the file does not have.
    """
    known = set(MAPPABLE) | set(EXTRA_COLUMNS)
    out = Mapping(dict(mapping.columns), dict(mapping.constants), dict(mapping.times))
    for pair, is_constant in [*((m, False) for m in maps), *((s, True) for s in sets)]:
        canonical, sep, value = pair.partition("=")
        canonical = canonical.strip()
        if not sep or canonical not in known:
            raise ValueError(f"{pair!r}: expected COLUMN=VALUE with COLUMN one of {', '.join(sorted(known))}")
        out.columns.pop(canonical, None)
        out.constants.pop(canonical, None)
        if is_constant:
            out.constants[canonical] = value
        elif value:
            if value not in headers:
                raise ValueError(f"{pair!r}: the file has no column {value!r}; its columns are {', '.join(headers)}")
            for other, source in list(out.columns.items()):
                if source == value:
                    del out.columns[other]
            out.columns[canonical] = value
    for pair in times:
        canonical, sep, value = (p.strip() for p in pair.partition("="))
        if not sep or canonical not in ("created_at", "first_response_at", "resolved_at", "updated_at"):
            raise ValueError(f"{pair!r}: expected TIMESTAMP_COLUMN=TIME_HEADER, e.g. created_at=Time")
        if value not in headers:
            raise ValueError(f"{pair!r}: the file has no column {value!r}; its columns are {', '.join(headers)}")
        if canonical not in out.columns:
            raise ValueError(f"{pair!r}: map the date of {canonical} first, e.g. --map {canonical}=Date")
        for other, source in list(out.columns.items()):
            if source == value:
                del out.columns[other]
        out.times[canonical] = value
    return out


_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def mapping_path(name: str, folder: str | Path) -> Path:
    """Return the file of the saved mapping ``name`` (or ``name`` itself when it is a .yaml path).

    Raises:
        ValueError: a name with characters other than letters, digits, ``-`` and ``_``.
    """
    if name.endswith((".yaml", ".yml")):
        return Path(name)
    if not _NAME.match(name):
        raise ValueError(f"mapping name {name!r}: use letters, digits, '-' and '_' only")
    return Path(folder) / f"{name}.yaml"


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
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known_columns = set(MAPPABLE) | set(EXTRA_COLUMNS)
    parts = {k: raw.get(k) or {} for k in ("columns", "constants", "times")}
    if set(raw) - set(parts) or not all(isinstance(v, dict) for v in parts.values()):
        raise ValueError(f"{path}: a mapping holds only the sections columns, constants and times")
    unknown = sorted(c for part in parts.values() for c in part if c not in known_columns)
    if unknown:
        raise ValueError(f"{path}: unknown columns {', '.join(unknown)}")
    missing = sorted({h for h in [*parts["columns"].values(), *parts["times"].values()] if h not in headers})
    if missing:
        raise ValueError(f"mapping {path.stem!r} expects headers the file does not have: {', '.join(map(repr, missing))}; "
                         f"the file's headers are {', '.join(map(repr, headers))}")
    return Mapping({k: str(v) for k, v in parts["columns"].items()}, {k: str(v) for k, v in parts["constants"].items()},
                   {k: str(v) for k, v in parts["times"].items()})
