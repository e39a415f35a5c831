"""``docs/performance.md`` is shared by the benchmarks: each rewrites only its own sections."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Callable
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


def run_page_bench(module: str, description: str, run_child: Callable[[Path, int], dict],
                   render: Callable[[dict, int], str]) -> None:
    """Run a page benchmark's command line: time each database size in a fresh process, then write its section.

    Args:
        module: the benchmark's module (``bench.volume``), run again with ``--child DB`` per size.
        description: the command's help.
        run_child: times one database in the current process; its result is printed as JSON.
        render: the section of docs/performance.md from {size: result} and the number of runs.
    """
    from bench.overview import DATA, ROOT

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(Path(args.child), args.runs)))
        return
    results = {}
    for size in args.sizes:
        db = DATA / f"contacts_{size}.duckdb"
        if not db.exists():
            sys.exit(f"{db} is missing: run `make bench` first")
        proc = subprocess.run([sys.executable, "-m", module, "--runs", str(args.runs), "--child", str(db)],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        results[size] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(size, results[size], flush=True)
    write_section(Path(args.out), render(results, args.runs))
    print(f"wrote {args.out}")
