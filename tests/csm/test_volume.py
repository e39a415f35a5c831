"""Volume and queues on hand-built contacts opened and closed across days."""

from datetime import date, datetime

import pytest

from csm.compile import Filters
from csm.volume import compute_aging, compute_arrivals, compute_flow


def t(day: int, hour: int = 9, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute)


CONTACTS = [
    # open at the end of 1 and 2 October, leaves on the 3rd
    {"ticket_id": "A", "created_at": t(1), "resolved_at": t(3, 10), "channel": "chat", "is_answered": True},
    # never resolved: open from 1 October on
    {"ticket_id": "B", "created_at": t(1, 12), "channel": "chat", "is_answered": True},
    # an abandoned call is created but never open
    {"ticket_id": "C", "created_at": t(2, 8), "channel": "phone", "is_answered": False, "wait_time_s": 90},
    # created before the period, so it opens the period's backlog; leaves on the 2nd
    {"ticket_id": "D", "created_at": t(30, 10, month=9), "resolved_at": t(2, 11), "channel": "chat"},
    # resolved "before" it was created (bad data): leaves on its creation day, never open at a day's end
    {"ticket_id": "E", "created_at": t(3, 8), "resolved_at": t(2, 8), "channel": "chat"},
    # an email solved the same day
    {"ticket_id": "F", "created_at": t(2, 9, 30), "resolved_at": t(2, 17), "channel": "email"},
    # answered calls: one within 20 s, one after
    {"ticket_id": "G", "created_at": t(2, 8, 15), "resolved_at": t(2, 8, 20), "channel": "phone",
     "is_answered": True, "wait_time_s": 10},
    {"ticket_id": "H", "created_at": t(2, 8, 45), "resolved_at": t(2, 9), "channel": "phone",
     "is_answered": True, "wait_time_s": 45},
]


@pytest.fixture
def con(make_db):
    return make_db(tickets=CONTACTS)


def test_flow_counts_created_resolved_and_the_backlog_at_each_days_end(con):
    flow = compute_flow(con, start=date(2026, 10, 1), end=date(2026, 10, 4))
    assert flow.rows() == [
        (date(2026, 10, 1), 2, 0, 3),  # A, B created; D, A, B open
        (date(2026, 10, 2), 4, 4, 2),  # C, F, G, H created; D, F, G, H leave; A, B open
        (date(2026, 10, 3), 1, 2, 1),  # E created; A and E leave; B open
        (date(2026, 10, 4), 0, 0, 1),  # a quiet day keeps the backlog
    ]


def test_flow_respects_the_filters_and_empty_days(con):
    flow = compute_flow(con, start=date(2026, 10, 1), end=date(2026, 10, 3), filters=Filters(channel=("email",)))
    assert flow.rows() == [(date(2026, 10, 1), 0, 0, 0), (date(2026, 10, 2), 1, 1, 0), (date(2026, 10, 3), 0, 0, 0)]


def test_flow_before_any_contact_is_all_zero(con):
    flow = compute_flow(con, start=date(2026, 1, 1), end=date(2026, 1, 2))
    assert flow.rows() == [(date(2026, 1, 1), 0, 0, 0), (date(2026, 1, 2), 0, 0, 0)]


def test_aging_of_what_is_open_at_a_days_end(con):
    first = compute_aging(con, as_of=date(2026, 10, 1))
    assert first.rows() == [("under 1 day", 0, "chat", 2), ("1-3 days", 1, "chat", 1)]  # A and B; D since 30 Sep
    assert compute_aging(con, as_of=date(2026, 10, 3)).rows() == [("1-3 days", 1, "chat", 1)]  # B, 2.5 days old
    assert compute_aging(con, as_of=date(2026, 10, 1), filters=Filters(channel=("email",))).is_empty()


def test_arrivals_by_weekday_and_hour_with_service_level(con):
    arrivals = compute_arrivals(con, start=date(2026, 10, 2), end=date(2026, 10, 2))
    friday = date(2026, 10, 2).isoweekday()
    at_eight = arrivals.filter(weekday=friday, hour=8).row(0, named=True)
    # C abandoned, G answered in 10 s, H in 45 s: 1 of 3 within 20 s
    assert (at_eight["contacts"], at_eight["service_level"], at_eight["per_day"]) == (3, pytest.approx(1 / 3), 3.0)
    at_nine = arrivals.filter(weekday=friday, hour=9).row(0, named=True)
    assert (at_nine["contacts"], at_nine["service_level"]) == (1, None)  # F is an email: no queue


def test_arrivals_average_over_each_weekdays_occurrences(con):
    arrivals = compute_arrivals(con, start=date(2026, 9, 21), end=date(2026, 10, 4))  # two of every weekday
    assert arrivals["contacts"].sum() == len(CONTACTS)
    assert arrivals.filter(hour=8, weekday=date(2026, 10, 2).isoweekday())["per_day"].item() == 1.5


def test_a_forecast_needs_contacts_and_history(con):
    from csm.volume import compute_forecast_view

    none = compute_forecast_view(con, first_day=date(2026, 9, 30), last_day=date(2026, 10, 3),
                                 filters=Filters(channel=("bot",)), weeks=1, grain="day")
    assert none.problem == "no contacts match these filters"
    short = compute_forecast_view(con, first_day=date(2026, 9, 30), last_day=date(2026, 10, 3), filters=Filters(),
                                  weeks=1, grain="day")
    assert short.problem.startswith("a forecast needs at least 56 days of history")
