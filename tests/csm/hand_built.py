"""A hand-built month of contacts (January 2026) whose KPIs are computed by hand below.

Row by row (times are 2026-01-DD HH:MM:SS):

| id | channel | team | created | wait | answered | 1st reply after | resolved after | handle | fcr | reopen | esc | reassign | sla | csat | nps | qa | bot |
| r1 | phone | A | 05 09:00 | 10 | T | 10 s | 610 s | 600 | T | 0 | F | 0 | T | 5 | 10 | 90 | - |
| r2 | phone | A | 05 10:00 | 30 | T | 30 s | 86,400 s | 300 | F | 1 | T | 2 | F | 2 | 3 | 70 | - |
| r3 | phone | B | 06 11:00 | 45 | F (abandoned) | - | - | - | - | - | - | - | - | - | - | - | - |
| r4 | chat | B | 07 12:00 | 15 | T | 15 s | 615 s | 600 | T | 0 | F | 0 | T | 4 | 8 | - | F |
| r5 | chat | B | 07 13:00 | - | - (bot) | - | 120 s | - | T | 0 | F | 0 | T | 3 | - | - | T |
| r6 | email | A | 08 08:00 | - | - | 7,200 s | open | 200 | - | - | - | - | - | - | - | - | - |
| r7 | email | A | 20 08:00 | - | - | 14,400 s | 1,209,600 s (3 Feb) | 400 | F | 0 | F | 1 | F | - | 9 | 80 | - |
| r8 | email | A | 2025-12-31 23:00 | - | - | - | 2 Jan | - | - | - | - | - | - | - | - | - | - |

Budget: January 2026 actual spend 700 (team A), 300 (team B), 400 (no team, shared).
"""

from datetime import date, datetime, timedelta

JAN = (date(2026, 1, 1), date(2026, 1, 31))


def _t(day: int, hour: int, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour)


def _row(tid, channel, team, created, **kw):
    return {"ticket_id": tid, "channel": channel, "team": team, "created_at": created, "import_id": "test", **kw}


TICKETS = [
    _row("r1", "phone", "A", _t(5, 9), agent_id="a1", wait_time_s=10.0, is_answered=True,
         first_response_at=_t(5, 9) + timedelta(seconds=10), resolved_at=_t(5, 9) + timedelta(seconds=610),
         handle_time_s=600.0, is_fcr=True, reopen_count=0, is_escalated=False, reassignment_count=0,
         is_sla_met=True, csat_score=5, nps_score=10, qa_score=90.0, category="Billing", priority="normal"),
    _row("r2", "phone", "A", _t(5, 10), agent_id="a2", wait_time_s=30.0, is_answered=True,
         first_response_at=_t(5, 10) + timedelta(seconds=30), resolved_at=_t(6, 10),
         handle_time_s=300.0, is_fcr=False, reopen_count=1, is_escalated=True, reassignment_count=2,
         is_sla_met=False, csat_score=2, nps_score=3, qa_score=70.0, category="Billing", priority="high"),
    _row("r3", "phone", "B", _t(6, 11), wait_time_s=45.0, is_answered=False, status="closed",
         category="Login", priority="normal"),
    _row("r4", "chat", "B", _t(7, 12), agent_id="b1", wait_time_s=15.0, is_answered=True,
         first_response_at=_t(7, 12) + timedelta(seconds=15), resolved_at=_t(7, 12) + timedelta(seconds=615),
         handle_time_s=600.0, is_fcr=True, reopen_count=0, is_escalated=False, reassignment_count=0,
         is_sla_met=True, csat_score=4, nps_score=8, is_resolved_by_bot=False, category="Login", priority="low"),
    _row("r5", "chat", "B", _t(7, 13), resolved_at=_t(7, 13) + timedelta(seconds=120), is_fcr=True,
         reopen_count=0, is_escalated=False, reassignment_count=0, is_sla_met=True, csat_score=3,
         is_resolved_by_bot=True, category="Login", priority="low"),
    _row("r6", "email", "A", _t(8, 8), agent_id="a1", first_response_at=_t(8, 10), handle_time_s=200.0,
         status="open", category="Billing", priority="normal"),
    _row("r7", "email", "A", _t(20, 8), agent_id="a2", first_response_at=_t(20, 12), resolved_at=_t(3, 8, month=2),
         handle_time_s=400.0, is_fcr=False, reopen_count=0, is_escalated=False, reassignment_count=1,
         is_sla_met=False, nps_score=9, qa_score=80.0, category="Billing", priority="urgent"),
    _row("r8", "email", "A", _t(31, 23, month=12, year=2025), resolved_at=_t(2, 9), category="Billing"),
]

BUDGET = [
    {"month": date(2026, 1, 1), "team": "A", "category": "headcount", "planned": 650.0, "actual": 700.0},
    {"month": date(2026, 1, 1), "team": "B", "category": "tools", "planned": 300.0, "actual": 300.0},
    {"month": date(2026, 1, 1), "team": None, "category": "other", "planned": 400.0, "actual": 400.0},
]

# KPI values for January 2026, all filters off, worked out by hand from the table above.
EXPECTED_JANUARY = {
    "contacts": 7,                    # r1..r7
    "resolved": 5,                    # r1 r2 r4 r5 r7 (r7 resolves in February but is resolved)
    "backlog": 2,                     # open at 1 Feb 00:00: r6 (never resolved), r7 (3 Feb); r3 abandoned
    "csat": 2 / 4,                    # answers 5 2 4 3 -> two of four score 4-5
    "csat_avg": (5 + 2 + 4 + 3) / 4,  # 3.5
    "nps": (2 - 1) / 4 * 100,         # answers 10 3 8 9: promoters 10 9, detractor 3 -> 25
    "fcr_rate": 3 / 5,                # known on handled r1 T r2 F r4 T r5 T r7 F; r3 abandoned, r6 unknown
    "aht_s": (600 + 300 + 600 + 200 + 400) / 5,  # 420; r3 abandoned and r5 bot have no handle time
    "frt_median_s": 30.0,             # 10 15 30 7200 14400
    "frt_p90_s": 7200 + 0.6 * (14400 - 7200),  # position 0.9 * 4 = 3.6 -> 11520
    "resolution_median_s": 615.0,     # 120 610 615 86400 1209600
    "service_level": 2 / 4,           # offered r1 r2 r3 r4; within 20 s: r1 (10) r4 (15)
    "asa_s": (10 + 30 + 15) / 3,      # answered r1 r2 r4
    "answer_rate": 3 / 4,
    "abandon_rate": 1 / 4,
    "sla_rate": 3 / 5,                # known r1 T r2 F r4 T r5 T r7 F
    "reopen_rate": 1 / 5,             # r2 of r1 r2 r4 r5 r7
    "escalation_rate": 1 / 5,         # r2
    "reassignment_rate": 2 / 5,       # r2 (2) and r7 (1)
    "bot_resolution_rate": 1 / 2,     # bot involved r4 (no) r5 (yes)
    "qa_score": (90 + 70 + 80) / 3,   # 80
    "cost_per_contact": (700 + 300 + 400) / 7,  # 200
    "cost_per_resolved": (700 + 300 + 400) / 5,  # 280: the same spend over the 5 resolved contacts
}
