"""One agent's period and the printable one-on-one summary."""

from datetime import date, datetime

import polars as pl

from csm.agents import compute_scorecard
from csm.one_on_one import compute_agent_detail, render_one_on_one

DAY = date(2026, 10, 5)  # a Monday


def contact(i, agent, *, team="T", csat=None, handle=300.0, category="Login", channel="chat"):
    return {"ticket_id": f"{agent}{i}", "created_at": datetime(2026, 10, 5, 9, i), "channel": channel, "team": team,
            "agent_id": agent, "is_answered": True, "handle_time_s": handle, "csat_score": csat, "category": category}


def test_detail_by_hand(make_db):
    rows = ([contact(i, "a", csat=1 if i < 2 else 5, handle=125.0 + 60 * i) for i in range(4)]
            + [contact(i, "b", csat=5, category="<script>alert(1)</script>") for i in range(4)]
            + [contact(9, "a", team="U", csat=2)])  # one contact for another team
    con = make_db(tickets=rows)
    detail = compute_agent_detail(con, agent_id="a", start=DAY, end=DAY)
    assert detail.team == "T"  # where the agent handled most
    trend = {r["kpi"]: (r["agent"], r["team"]) for r in detail.trend.iter_rows(named=True)}
    assert trend["csat"] == (2 / 5, 6 / 8)  # the agent on every team; the team line is team T as a whole
    assert trend["contacts"] == (5.0, 4.0)  # team T: 8 contacts by 2 agents that week
    assert detail.handle_minutes.rows() == [(2, 1), (3, 1), (4, 1), (5, 2)]  # 125, 185, 245, 305 and 300 s
    assert detail.lowest["csat_score"].to_list() == [1, 1, 2]  # worst first
    topics = detail.mix.filter(dimension="category")
    assert dict(topics.select("value", "team_share").iter_rows()) == {"Login": 0.5, "<script>alert(1)</script>": 0.5}


def test_the_summary_escapes_user_text_and_has_its_sections(make_db):
    rows = [contact(i, "a", csat=1, category="<script>x</script>") for i in range(40)]
    rows += [contact(i, "b", csat=5) for i in range(40)]
    con = make_db(tickets=rows)
    detail = compute_agent_detail(con, agent_id="a", start=DAY, end=DAY)
    card = compute_scorecard(con, start=DAY, end=DAY).filter(agent_id="a")
    page = render_one_on_one(detail, name="Ann <img src=x onerror=alert(1)>", start=DAY, end=DAY, scorecard=card)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "Ann &lt;img src=x onerror=alert(1)&gt;" in page
    for section in ("<h2>Scorecard</h2>", "<h2>Work mix</h2>", "<h2>Lowest-rated contacts</h2>",
                    "<h2>Notes and agreed actions</h2>"):
        assert section in page
    assert "Talk about it" in page  # CSAT 0% against 100%: a clear, material gap
    assert page.count("<tr>") == 1 + card.height + 1 + detail.mix.height + 1 + min(20, detail.lowest.height)


def test_an_agent_without_contacts_in_the_period(make_db):
    con = make_db(tickets=[contact(0, "a")])
    detail = compute_agent_detail(con, agent_id="a", start=date(2026, 1, 1), end=date(2026, 1, 7))
    assert detail.team is None and detail.lowest.is_empty() and detail.handle_minutes.is_empty()
    page = render_one_on_one(detail, name="A", start=date(2026, 1, 1), end=date(2026, 1, 7),
                             scorecard=pl.DataFrame(schema={"kpi": pl.String}))
    assert "No contact rated 1 or 2 in the period." in page
