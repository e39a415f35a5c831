"""``docs/performance.md`` is shared by the benchmarks: each rewrites only its own sections."""

from __future__ import annotations

import re
from pathlib import Path


def _section(heading: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)


def write_section(path: Path, section: str) -> None:
    """Replace the section of ``path`` that starts with the same ``## `` heading, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    pattern = _section(section.splitlines()[0])
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def keep_sections(path: Path, document: str, headings: tuple[str, ...]) -> str:
    """Return ``document`` with the named sections of the current ``path`` appended (another benchmark's)."""
    if not path.exists():
        return document
    old = path.read_text(encoding="utf-8")
    kept = [m.group(0).rstrip("\n") for h in headings if (m := _section(h).search(old))]
    return document.rstrip("\n") + "\n" + "".join(f"\n{k}\n" for k in kept)
