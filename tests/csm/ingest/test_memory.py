"""A zip bomb and a huge-string workbook are refused in seconds and little memory, in a separate process.

Each runs the real command line in a subprocess, so its peak memory (``ru_maxrss`` of the
children) and its wall time are the import's alone. The workbooks unpack well past the default
limit of ``CSM_MAX_WORKBOOK_MB`` (300 MB) from a file of about a megabyte; the acceptance bar is
10 s and 1.5 GB, the same as for the held-back files.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.csm.ingest.hostile_files import huge_string, zip_bomb

ROOT = Path(__file__).resolve().parents[3]
LIMIT_S = 10
LIMIT_BYTES = 1.5 * 2**30


def run_isolated(path: Path, db: Path) -> tuple[subprocess.CompletedProcess, float, int]:
    """Return the import's result, seconds and peak resident bytes, measured in a fresh process."""
    script = ("import resource, subprocess, sys; "
              "done = subprocess.run([sys.executable, '-m', 'csm', 'import', sys.argv[1], '--db', sys.argv[2]], "
              "capture_output=True, text=True); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
              "print(done.returncode); print(done.stderr, file=sys.stderr)")
    started = time.perf_counter()
    outer = subprocess.run([sys.executable, "-c", script, str(path), str(db)], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    seconds = time.perf_counter() - started
    peak_kb, code = outer.stdout.split()
    done = subprocess.CompletedProcess(outer.args, int(code), "", outer.stderr)
    return done, seconds, int(peak_kb) * 1024


@pytest.mark.parametrize(("make", "message"), [
    (zip_bomb, "the workbook unpacks to more than 300 MB (setting CSM_MAX_WORKBOOK_MB): it is either very large "
               "or a zip bomb"),
    (huge_string, "a cell of the workbook (xl/sharedStrings.xml) holds more than 1,024 KB of text"),
], ids=["zip_bomb", "huge_shared_string"])
def test_a_workbook_that_unpacks_huge_is_refused_fast_in_little_memory(tmp_path, make, message):
    path = tmp_path / "bomb.xlsx"
    make(path, 400 if make is zip_bomb else 250, level=1)  # one string of 250 MB: under the workbook cap
    assert path.stat().st_size < 3 * 2**20  # a few MB on disk, hundreds unpacked
    done, seconds, peak = run_isolated(path, tmp_path / "x.duckdb")
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr
    assert seconds < LIMIT_S, seconds
    assert peak < LIMIT_BYTES, peak
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < 4 * 2**30  # the test itself stayed small
