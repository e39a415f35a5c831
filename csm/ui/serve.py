"""Start the dashboard: ``python -m csm.ui.serve [streamlit options]``.

This is ``streamlit run app.py`` with one difference. Streamlit 1.67 treats an app whose
folder holds ``pages/`` as an old-style multipage app until ``st.navigation`` first runs in
the process, so the very first request after a start, if it is a link to a page other than
the home page, shows "Page not found" and the wrong navigation. The product keeps its pages in
``pages/``, so the launcher declares up front that the app uses ``st.navigation``.
``tests/browser`` checks a deep link as the first request to a fresh server.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[2] / "app.py"


def main(argv: list[str] | None = None) -> None:
    """Run the Streamlit server on ``app.py`` with the given extra options."""
    PagesManager.uses_pages_directory = False  # the app calls st.navigation on every run
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
