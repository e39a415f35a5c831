"""The Business review page in AppTest: the planted story, the decomposition, commentary saved, exports offered."""

from streamlit.testing.v1 import AppTest

from csm.db import connect
from tests.apptest import open_page


def review_page(**params) -> AppTest:
    return open_page("pages/review.py", **params)


def test_the_review_of_july_names_the_release_spike(private_demo_db):
    at = review_page()
    assert at.selectbox(key="review__period").value == "2026-10"  # the latest complete month
    at.selectbox(key="review__period").set_value("2026-07").run()
    summary = next(m.value for m in at.markdown if m.value.startswith("- In July 2026")).replace("\\", "")
    # (the page escapes Markdown in the data's names; the backslashes go before comparing)
    assert "- CSAT fell from 81.3% in June 2026 to 78.8% (-2.4 points)." in summary
    assert "- Most of it comes from topic App crash" in summary
    kpis = at.dataframe[0].value
    assert list(kpis["KPI"])[:2] == ["Contacts", "CSAT"] and "July 2025" in kpis.columns
    assert at.radio(key="review__why_csat").value == "category"  # the dimension that explains it is preselected
    assert [b.label for b in at.get("download_button")] == [
        "Review (HTML)", "Review (PDF)", "Review (PowerPoint)", "Review (Excel)"]


def test_the_commentary_is_saved_with_the_period(private_demo_db):
    at = review_page()
    at.selectbox(key="review__period").set_value("2025-12").run()
    area = next(t for t in at.text_area if t.key.startswith("review__notes_2025-12"))
    area.input("Backfill Billing and Orders & Delivery; <b>approve</b> overtime until March.").run()
    at.button(key="review__save").click().run()
    assert [s.value for s in at.success] == ["Commentary saved."]
    con = connect(private_demo_db, read_only=True)
    try:
        assert con.execute("SELECT period, notes FROM review_notes").fetchall() == [
            ("2025-12", "Backfill Billing and Orders & Delivery; <b>approve</b> overtime until March.")]
    finally:
        con.close()
    again = review_page()
    again.selectbox(key="review__period").set_value("2025-12").run()
    assert next(t for t in again.text_area if t.key.startswith("review__notes_2025-12")).value.startswith("Backfill")
