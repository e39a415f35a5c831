"""Opening a page of the app in AppTest, as the page tests do."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(page: str, *, timeout: int = 90, **params: str) -> AppTest:
    """Run the app with ``params`` in its URL, switch to ``page`` (``pages/x.py``) and check it ran cleanly."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(text: str) -> str:
    r"""Return Markdown source as a person reads it: escapes and invisible word joiners removed (``a\_b`` -> ``a_b``)."""
    import re

    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")
