"""Seeded demo data that behaves like a real contact center.

``generate_demo`` builds 24 months of contacts ending on a given day, with agents, budget,
headcount and targets that match the volumes. Everything comes from one local
``numpy.random.Generator``: the same seed and end date give the same data.

Cause and effect a manager would recognise:

- Waits grow with the pressure on a team (contacts per staffed FTE); long waits raise
  abandonment and lower CSAT; understaffed days breach SLA.
- Escalations lengthen resolution and lower CSAT; missed first-contact resolution brings
  reopens.
- Agents differ in skill; two are clear low performers and two clear stars; a cohort of new
  hires ramps up over 12 weeks with longer handle times and lower FCR and QA.

Stories planted for the business review to find (see ``STORIES``):

- **Attrition**: at the start of month 14 of 24, seven agents of Billing and Orders & Delivery
  leave at once; service level, SLA and CSAT suffer until a new-hire cohort starts two months
  later and ramps up.
- **Release spike**: on the 5th of month 21, an app release makes *App crash* contacts jump
  about sixfold for three weeks, with poor CSAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import polars as pl

from csm.db import build_rollup, create_schema, record_import
from csm.schema import TABLES, quote_identifier

TEAMS = ("Billing", "Technical Support", "Orders & Delivery", "Accounts", "Retention", "Enterprise")
CATEGORY_TEAM = {
    "Billing question": "Billing",
    "Refund request": "Billing",
    "Payment failed": "Billing",
    "Invoice copy": "Billing",
    "Login issue": "Technical Support",
    "Technical error": "Technical Support",
    "App crash": "Technical Support",
    "Integration setup": "Technical Support",
    "Order status": "Orders & Delivery",
    "Shipping delay": "Orders & Delivery",
    "Return request": "Orders & Delivery",
    "Product defect": "Orders & Delivery",
    "Password reset": "Accounts",
    "Account update": "Accounts",
    "Data privacy": "Accounts",
    "Subscription cancel": "Retention",
    "Plan upgrade": "Retention",
    "Complaint": "Retention",
}
CATEGORIES = tuple(CATEGORY_TEAM)
CATEGORY_WEIGHTS = np.array([9, 6, 5, 3, 7, 6, 4, 2, 10, 7, 6, 4, 6, 4, 1.5, 4, 3, 3], dtype=float)
# Relative difficulty: scales handle time, lowers FCR.
CATEGORY_COMPLEXITY = np.array([0, .2, .3, -.3, 0, .5, .4, .6, -.4, 0, .1, .3, -.5, -.1, .4, .1, 0, .4])
BOT_FRIENDLY = {"Order status": .55, "Password reset": .6, "Invoice copy": .5, "Account update": .3, "Billing question": .25}

DEMO_CHANNELS = ("phone", "chat", "email", "social", "web_form")
CHANNEL_SHARE = np.array([.32, .24, .26, .06, .12])
HANDLE_MEDIAN_S = np.array([390, 540, 330, 220, 300], dtype=float)
QUEUE_WAIT_S = {"phone": 7.0, "chat": 9.0}
PATIENCE_S = {"phone": 210.0, "chat": 160.0}
FRT_MEDIAN_H = {"email": 2.5, "social": 0.7, "web_form": 2.0}
PRIORITY_NAMES = ("urgent", "high", "normal", "low")
PRIORITY_SHARE = np.array([.04, .16, .60, .20])
PRIORITY_SPEED = np.array([.3, .6, 1.0, 1.6])
# First-reply SLA in hours per priority for message channels; queue channels: 60 s answer.
SLA_HOURS = {"email": (1, 4, 8, 24), "web_form": (1, 4, 8, 24), "social": (.5, 1, 2, 6)}
QUEUE_SLA_S = 60.0

WEEKDAY_FACTOR = np.array([1.25, 1.15, 1.10, 1.05, .95, .55, .45])
HOUR_PROFILE = np.array(
    [.15, .1, .08, .08, .1, .2, .45, .9, 1.5, 1.9, 2.0, 1.9, 1.6, 1.7, 1.85, 1.75, 1.55, 1.3, 1.0, .85, .7, .55, .4, .25]
)
AGENTS_PER_TEAM = 11
HOURS_PER_MONTH = 162.5

STORIES = {
    "attrition": {"month_index": 13, "teams": ("Billing", "Orders & Delivery"), "leavers": (4, 3)},
    "new_hires": {"month_index": 15, "teams": ("Billing", "Orders & Delivery"), "hires": (4, 3)},
    "release_spike": {"month_index": 20, "day": 5, "days": 21, "category": "App crash", "factor": 6.0},
}

FIRST_NAMES = (
    "Amara Ben Chloe Dario Elif Farid Grace Hugo Ines Jonas Kemal Lea Marco Nadia Omar Priya Quentin Rosa Sami "
    "Tara Umar Vera Wen Xavier Yara Zoe Aiko Bruno Carla Dmitri Emma Felix Gita Hana Ivan Julia Kofi Lina Mateo "
    "Noor Oscar Paula Rafael Sofia Tomas Uma Victor Wanda Yusuf Zara Alba Bilal Cora Diego Esra Finn Greta Hamza "
    "Iris Jamal Kira Luca Maya Nils Olga Pedro Rina Stefan Tess Ugo Vik".split()
)
LAST_NAMES = (
    "Adams Berg Costa Diaz Evans Fischer Garcia Hansen Ito Jensen Kaya Lopez Meyer Novak Okafor Petrov Quinn "
    "Rossi Silva Tanaka Umeh Varga Weber Xu Young Zimmer".split()
)


@dataclass(frozen=True)
class DemoData:
    """The generated tables, as polars frames with the canonical columns."""

    tickets: pl.DataFrame
    agents: pl.DataFrame
    budget: pl.DataFrame
    headcount: pl.DataFrame
    targets: pl.DataFrame


def default_end(today: date | None = None) -> date:
    """Return the last day of the month before ``today``: the demo's default end date.

    Examples:
        >>> default_end(date(2026, 11, 23))
        datetime.date(2026, 10, 31)
    """
    today = today or date.today()
    return today.replace(day=1) - timedelta(days=1)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


@dataclass
class _Agents:
    ids: np.ndarray
    team: np.ndarray
    fte: np.ndarray
    cost: np.ndarray
    skill: np.ndarray
    hire_day: np.ndarray  # day index (may be negative: hired before the data starts)
    leave_day: np.ndarray  # day index of the first day no longer employed (large: still employed)
    names: list
    leads: list


def _make_agents(rng: np.random.Generator, n_days: int, month_starts: np.ndarray) -> _Agents:
    team, fte, cost, skill, hire, leave = [], [], [], [], [], []
    base_cost = {"Enterprise": 34.0, "Technical Support": 31.0}
    for t in TEAMS:
        for _ in range(AGENTS_PER_TEAM):
            team.append(t)
            fte.append(rng.choice([1.0, 1.0, 1.0, .8, .5]))
            cost.append(round(base_cost.get(t, 27.0) + rng.normal(0, 1.5), 2))
            skill.append(rng.normal(0, .07))
            hire.append(-int(rng.integers(120, 2200)))
            leave.append(10**6)
    # Outliers both ways, at fixed seats so the stories are stable across seeds.
    for seat, value in ((3, -.38), (26, -.33), (14, .30), (47, .27)):
        skill[seat] = value
    # A handful of ordinary leavers and replacements spread over the two years.
    for k in range(5):
        seat = int(rng.integers(0, len(team)))
        if leave[seat] == 10**6 and seat not in (3, 26, 14, 47):
            day = int(month_starts[3 + 4 * k])
            leave[seat] = day
            team.append(team[seat])
            fte.append(1.0)
            cost.append(round(cost[seat] - 1.0, 2))
            skill.append(rng.normal(0, .05))
            hire.append(day + 14)
            leave.append(10**6)
    story = STORIES["attrition"]
    day = int(month_starts[story["month_index"]])
    for t, n in zip(story["teams"], story["leavers"], strict=True):
        seats = [i for i, tt in enumerate(team) if tt == t and leave[i] == 10**6 and i not in (3, 26, 14, 47)]
        for i in seats[:n]:
            leave[i] = day + int(rng.integers(0, 3))
    story = STORIES["new_hires"]
    day = int(month_starts[story["month_index"]])
    for t, n in zip(story["teams"], story["hires"], strict=True):
        for _ in range(n):
            team.append(t)
            fte.append(1.0)
            cost.append(round(base_cost.get(t, 27.0) - 2.0 + rng.normal(0, .5), 2))
            skill.append(rng.normal(0, .05))
            hire.append(day)
            leave.append(10**6)
    n = len(team)
    names, used = [], set()
    for _ in range(n):
        while True:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name not in used:
                used.add(name)
                names.append(name)
                break
    leads = {t: names[i * AGENTS_PER_TEAM] for i, t in enumerate(TEAMS)}
    return _Agents(
        ids=np.array([f"A{i + 1:03d}" for i in range(n)]),
        team=np.array(team),
        fte=np.array(fte),
        cost=np.array(cost),
        skill=np.array(skill),
        hire_day=np.array(hire),
        leave_day=np.minimum(np.array(leave), n_days + 10**5),
        names=names,
        leads=[leads[t] for t in team],
    )


def generate_demo(*, end: date | None = None, seed: int = 7, months: int = 24, daily_contacts: float = 400.0) -> DemoData:
    """Return demo tables for ``months`` whole months ending on ``end``.

    Args:
        end: last day of the data (inclusive); the last day of the previous month when None.
        seed: seed of the local random generator.
        months: number of whole months of history.
        daily_contacts: average contacts per day before seasonality and growth.

    Returns:
        The demo tables, contacts sorted by creation time.
    """
    end = end or default_end()
    rng = np.random.default_rng(seed)
    start = _add_months(end.replace(day=1), -(months - 1))
    n_days = (end - start).days + 1
    days = np.array([start + timedelta(days=i) for i in range(n_days)])
    month_starts = np.array([(_add_months(start, k) - start).days for k in range(months + 1)])
    weekday = np.array([d.weekday() for d in days])
    doy = np.array([d.timetuple().tm_yday for d in days])

    agents = _make_agents(rng, n_days, month_starts)

    # ---- daily volume per category -------------------------------------------------------
    season = 1 + .14 * np.cos(2 * np.pi * (doy - 20) / 365.25) + .08 * np.exp(-((doy - 350) / 8.0) ** 2)
    trend = 1 + .10 * np.arange(n_days) / 365.25
    level = daily_contacts * WEEKDAY_FACTOR[weekday] / WEEKDAY_FACTOR.mean() * season * trend
    level = level * rng.gamma(60, 1 / 60, n_days)
    cat_p = CATEGORY_WEIGHTS / CATEGORY_WEIGHTS.sum()
    lam = np.outer(level, cat_p)  # day x category
    spike = STORIES["release_spike"]
    s0 = int(month_starts[spike["month_index"]]) + spike["day"] - 1
    ci = CATEGORIES.index(spike["category"])
    k = np.arange(spike["days"])
    lam[s0:s0 + spike["days"], ci] *= 1 + (spike["factor"] - 1) * np.exp(-k / 9.0)
    counts = rng.poisson(lam)
    n = int(counts.sum())
    day_idx = np.repeat(np.repeat(np.arange(n_days), CATEGORIES.__len__()), counts.ravel())
    cat_idx = np.tile(np.arange(len(CATEGORIES)), n_days).repeat(counts.ravel())

    channel_idx = rng.choice(len(DEMO_CHANNELS), size=n, p=CHANNEL_SHARE)
    hour = rng.choice(24, size=n, p=HOUR_PROFILE / HOUR_PROFILE.sum())
    second = rng.integers(0, 3600, n)
    created_s = day_idx * 86400 + hour * 3600 + second
    in_spike = (cat_idx == ci) & (day_idx >= s0) & (day_idx < s0 + spike["days"])

    team_names = np.array(TEAMS)
    cat_team = np.array([TEAMS.index(CATEGORY_TEAM[c]) for c in CATEGORIES])
    team_idx = np.where(rng.random(n) < .08, TEAMS.index("Enterprise"), cat_team[cat_idx])
    complexity = CATEGORY_COMPLEXITY[cat_idx]
    prio_shift = np.where(np.isin(cat_idx, [CATEGORIES.index("App crash"), CATEGORIES.index("Payment failed")]), .12, 0)
    u = rng.random(n)
    cum = np.cumsum(PRIORITY_SHARE)
    prio_idx = np.searchsorted(cum, np.clip(u - prio_shift, 0, .9999))

    # ---- staffing pressure per team and day ----------------------------------------------
    active = (agents.hire_day[:, None] <= np.arange(n_days)[None, :]) & (agents.leave_day[:, None] > np.arange(n_days)[None, :])
    tenure_w = (np.arange(n_days)[None, :] - agents.hire_day[:, None]) / 7.0
    ramp = np.clip(1 - tenure_w / 12.0, 0, 1)  # 1 on the first day, 0 after 12 weeks
    productivity = agents.fte[:, None] * (1 - .5 * ramp) * active
    team_of_agent = np.array([TEAMS.index(t) for t in agents.team])
    capacity = np.zeros((len(TEAMS), n_days))
    for t in range(len(TEAMS)):
        capacity[t] = productivity[team_of_agent == t].sum(axis=0)
    demand = np.zeros((len(TEAMS), n_days))
    np.add.at(demand, (team_idx, day_idx), 1.0)
    dow_staff = WEEKDAY_FACTOR[weekday] / WEEKDAY_FACTOR.mean()
    raw_pressure = demand / np.maximum(capacity * dow_staff[None, :], .1)
    calib = np.median(raw_pressure[:, : int(month_starts[12])], axis=1, keepdims=True) / .78
    pressure = raw_pressure / calib
    p = pressure[team_idx, day_idx]
    wait_mult = np.exp(4.2 * (p - .78)) * np.sqrt(HOUR_PROFILE[hour] / HOUR_PROFILE.mean())

    # ---- agent assignment ------------------------------------------------------------------
    agent_idx = np.full(n, -1)
    order = np.lexsort((day_idx, team_idx))
    bounds = np.flatnonzero(np.diff(team_idx[order] * n_days + day_idx[order])) + 1
    for group in np.split(order, bounds):
        t, d = team_idx[group[0]], day_idx[group[0]]
        seats = np.flatnonzero((team_of_agent == t) & active[:, d])
        w = agents.fte[seats]
        agent_idx[group] = rng.choice(seats, size=len(group), p=w / w.sum())
    skill = agents.skill[agent_idx]
    agent_ramp = ramp[agent_idx, day_idx]

    # ---- channel behaviour -----------------------------------------------------------------
    ch = np.array(DEMO_CHANNELS)[channel_idx]
    is_queue = np.isin(ch, ("phone", "chat"))
    bot_capable = np.isin(ch, ("chat", "web_form"))
    bot_p = np.array([BOT_FRIENDLY.get(c, .08) for c in CATEGORIES])[cat_idx] * np.where(ch == "chat", 1.0, .7)
    bot_resolved = bot_capable & (rng.random(n) < bot_p)
    enters_queue = is_queue & ~bot_resolved

    base_wait = np.where(ch == "phone", QUEUE_WAIT_S["phone"], QUEUE_WAIT_S["chat"])
    wait = rng.exponential(base_wait * wait_mult)
    patience = rng.exponential(np.where(ch == "phone", PATIENCE_S["phone"], PATIENCE_S["chat"]))
    abandoned = enters_queue & (wait > patience)
    wait = np.where(abandoned, patience, wait)

    handle = rng.lognormal(np.log(HANDLE_MEDIAN_S[channel_idx]), .45) * np.exp(.35 * complexity - 1.2 * skill) * (1 + .45 * agent_ramp)
    handled = ~abandoned & ~bot_resolved

    # First reply: queue answer time, or hours for messages (slower at night and under pressure).
    frt_med_h = np.vectorize(lambda c: FRT_MEDIAN_H.get(c, 1.0))(ch)
    night_wait_h = np.where(hour < 8, 8 - hour, np.where(hour >= 20, 32 - hour, 0)) * .6
    msg_frt = 3600 * (rng.lognormal(np.log(frt_med_h), .8) * PRIORITY_SPEED[prio_idx] * np.exp(1.5 * (p - .78)) + night_wait_h * (prio_idx > 0))
    frt = np.where(is_queue, wait, msg_frt)

    escalated = handled & (rng.random(n) < .05 + .06 * (prio_idx == 0) + .08 * np.clip(complexity, 0, None) + .06 * agent_ramp - .15 * skill)
    fcr_p = np.where(is_queue, .79, .66) - .22 * complexity + .6 * skill - .15 * agent_ramp - .45 * escalated
    fcr = handled & (rng.random(n) < np.clip(fcr_p, .05, .97))
    follow_up_h = rng.lognormal(np.log(18), .9, n) * PRIORITY_SPEED[prio_idx] * np.where(escalated, 2.8, 1.0)
    resolve_s = np.where(
        bot_resolved, rng.uniform(90, 420, n), np.where(fcr, frt + handle, frt + handle + 3600 * follow_up_h)
    )
    never = rng.random(n) < .002

    # ---- outcome flags, surveys, QA -------------------------------------------------------
    t_end = n_days * 86400
    first_resp_abs = created_s + frt
    has_first = handled & (first_resp_abs < t_end)
    resolved_abs = created_s + resolve_s
    is_resolved = (handled | bot_resolved) & ~never & (resolved_abs < t_end)
    sla_target = np.where(
        is_queue, QUEUE_SLA_S,
        3600 * np.choose(prio_idx, [np.vectorize(lambda c, i=i: SLA_HOURS.get(c, (1, 1, 1, 1))[i])(ch) for i in range(4)]),
    )
    sla_met = np.where(bot_resolved, True, frt <= sla_target)
    sla_known = bot_resolved | (handled & (has_first | (created_s + sla_target < t_end)))
    reopened = is_resolved & ~fcr & ~bot_resolved & (rng.random(n) < .14)
    reopen_count = np.where(reopened, 1 + (rng.random(n) < .2), 0)
    reassign = rng.poisson(.1 + .9 * escalated + .2 * complexity.clip(0))

    latent = (
        4.75 - .9 * np.minimum(np.where(is_queue, wait, 0) / 150, 2.2)
        - .35 * np.log1p(np.where(is_queue, 0, frt) / 28800)
        - .8 * escalated - .7 * (~fcr & handled) + 1.6 * skill - .3 * agent_ramp
        - 1.1 * in_spike - .35 * bot_resolved + rng.normal(0, .75, n)
    )
    csat_answered = is_resolved & (rng.random(n) < np.where(bot_resolved, .14, .24))
    csat = np.clip(np.rint(latent), 1, 5)
    nps_answered = is_resolved & (rng.random(n) < .07)
    nps = np.clip(np.rint(2.3 * latent - .9 + rng.normal(0, 1.3, n)), 0, 10)
    qa_done = handled & (rng.random(n) < .06)
    qa = np.clip(np.round(84 + 45 * skill - 9 * agent_ramp - 4 * escalated + rng.normal(0, 6, n), 1), 0, 100)

    status = np.where(
        abandoned | bot_resolved, "closed",
        np.where(is_resolved, np.where(resolved_abs < t_end - 4 * 86400, "closed", "solved"),
                 np.where(has_first, "pending", "open")),
    )
    customers = np.minimum(rng.zipf(1.6, n), 60000)
    customer = np.char.add("C", np.char.zfill(((customers * 7919) % 60000).astype(str), 5))

    t0 = np.datetime64(datetime.combine(start, datetime.min.time()), "s")

    def ts(offset_s: np.ndarray, keep: np.ndarray) -> pl.Series:
        values = t0 + np.rint(offset_s).astype("int64").astype("timedelta64[s]")
        return pl.Series(np.where(keep, values, np.datetime64("NaT")).astype("datetime64[us]"))

    def col(values: np.ndarray, keep: np.ndarray, dtype: pl.DataType) -> pl.Series:
        series = pl.Series(np.asarray(values)).cast(dtype)
        return series.zip_with(pl.Series(np.asarray(keep, dtype=bool)), pl.repeat(None, n, dtype=dtype, eager=True))

    frame = pl.DataFrame(
        {
            "created_at": ts(created_s, np.ones(n, bool)),
            "channel": ch,
            "team": team_names[team_idx],
            "agent_id": col(agents.ids[agent_idx], handled, pl.String),
            "category": np.array(CATEGORIES)[cat_idx],
            "priority": np.array(PRIORITY_NAMES)[prio_idx],
            "status": status,
            "first_response_at": ts(first_resp_abs, has_first),
            "resolved_at": ts(resolved_abs, is_resolved),
            "handle_time_s": col(np.round(handle), handled, pl.Float64),
            "wait_time_s": col(np.round(wait, 1), enters_queue, pl.Float64),
            "is_answered": col(~abandoned, enters_queue, pl.Boolean),
            "is_fcr": col(fcr | bot_resolved, handled | bot_resolved, pl.Boolean),
            "reopen_count": col(reopen_count, handled | bot_resolved, pl.Int32),
            "is_escalated": col(escalated, handled | bot_resolved, pl.Boolean),
            "reassignment_count": col(np.where(bot_resolved, 0, reassign), handled | bot_resolved, pl.Int32),
            "is_sla_met": col(sla_met, sla_known, pl.Boolean),
            "csat_score": col(csat, csat_answered, pl.Int16),
            "nps_score": col(nps, nps_answered, pl.Int16),
            "qa_score": col(qa, qa_done, pl.Float64),
            "is_resolved_by_bot": col(bot_resolved, bot_capable, pl.Boolean),
            "customer_id": customer,
        }
    ).sort("created_at", maintain_order=True)
    frame = frame.with_columns(
        ticket_id=pl.format("T{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(7)),
        import_id=pl.lit("demo"),
    )
    tickets = frame.select(TABLES[0].column_names)

    return DemoData(
        tickets=tickets,
        agents=_agents_frame(agents, start, n_days),
        budget=_plan_to_year_end(_budget_frame(rng, agents, active, pressure, start, month_starts, months),
                                 planned=("planned",), booked=("actual",)),
        headcount=_plan_to_year_end(_headcount_frame(agents, active, start, month_starts, months),
                                    planned=("planned_fte",), booked=("actual_fte", "hires", "leavers")),
        targets=_targets_frame(start, month_starts),
    )


def _plan_to_year_end(frame: pl.DataFrame, *, planned: tuple[str, ...], booked: tuple[str, ...]) -> pl.DataFrame:
    """Add the plan of the months after the data's last month up to December: the last month's plan, nothing booked."""
    last = frame["month"].max()
    later = [_add_months(last, k) for k in range(1, 13 - last.month)]
    if not later:
        return frame
    template = frame.filter(pl.col("month") == last).with_columns(pl.lit(None).cast(frame.schema[c]).alias(c)
                                                                  for c in booked)
    future = [template.with_columns(pl.lit(m).alias("month")) for m in later]
    return pl.concat([frame, *future]).select(frame.columns)


def _agents_frame(agents: _Agents, start: date, n_days: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "agent_id": agents.ids,
            "name": agents.names,
            "team": agents.team,
            "lead": agents.leads,
            "hire_date": [start + timedelta(days=int(d)) for d in agents.hire_day],
            "fte": agents.fte,
            "hourly_cost": agents.cost,
            "is_active": agents.leave_day >= n_days,
        }
    )


def _month_list(start: date, months: int) -> list[date]:
    return [_add_months(start, k) for k in range(months)]


def _headcount_frame(agents: _Agents, active: np.ndarray, start: date, month_starts: np.ndarray, months: int) -> pl.DataFrame:
    rows = []
    for k, month in enumerate(_month_list(start, months)):
        a, b = month_starts[k], month_starts[k + 1]
        for t in TEAMS:
            seats = agents.team == t
            actual = (agents.fte[seats, None] * active[seats, a:b]).sum(axis=0).mean()
            planned = AGENTS_PER_TEAM * .9 + (1.0 if k >= 12 and t in ("Billing", "Orders & Delivery") else 0.0)
            rows.append(
                {
                    "month": month,
                    "team": t,
                    "planned_fte": round(planned, 1),
                    "actual_fte": round(float(actual), 2),
                    "hires": int(((agents.hire_day >= a) & (agents.hire_day < b) & seats).sum()),
                    "leavers": int(((agents.leave_day >= a) & (agents.leave_day < b) & seats).sum()),
                }
            )
    return pl.DataFrame(rows)


def _budget_frame(
    rng: np.random.Generator, agents: _Agents, active: np.ndarray, pressure: np.ndarray,
    start: date, month_starts: np.ndarray, months: int,
) -> pl.DataFrame:
    rows = []
    for k, month in enumerate(_month_list(start, months)):
        a, b = month_starts[k], month_starts[k + 1]
        for ti, t in enumerate(TEAMS):
            seats = agents.team == t
            share_active = active[seats, a:b].mean(axis=1)
            headcount_actual = float((agents.fte[seats] * agents.cost[seats] * share_active).sum() * HOURS_PER_MONTH)
            planned_fte = AGENTS_PER_TEAM * .9 + (1.0 if k >= 12 and t in ("Billing", "Orders & Delivery") else 0.0)
            headcount_plan = planned_fte * float(agents.cost[seats].mean()) * HOURS_PER_MONTH
            hires = int(((agents.hire_day >= a) & (agents.hire_day < b) & seats).sum())
            overload = float(np.clip(pressure[ti, a:b] - .85, 0, None).mean())
            spend = {
                "headcount": (headcount_plan, headcount_actual),
                "tools": (1800.0, 1800 * rng.uniform(.97, 1.03) * (1.25 if t == "Technical Support" and k >= 16 else 1)),
                "training": (600.0, 600 * rng.uniform(.8, 1.2) + 900 * hires),
                "overtime": (900.0, 900 * rng.uniform(.8, 1.1) + 60000 * overload),
            }
            for cat, (plan, actual) in spend.items():
                rows.append({"month": month, "team": t, "category": cat, "planned": round(plan, 2), "actual": round(actual, 2)})
        rows.append({"month": month, "team": None, "category": "other", "planned": 4000.0, "actual": round(4000 * rng.uniform(.95, 1.08), 2)})
    return pl.DataFrame(rows, schema={"month": pl.Date, "team": pl.String, "category": pl.String, "planned": pl.Float64, "actual": pl.Float64})


def _targets_frame(start: date, month_starts: np.ndarray) -> pl.DataFrame:
    # Catalogue defaults apply everywhere; these rows show overrides by date and by team.
    return pl.DataFrame(
        {
            "kpi_key": ["aht_s", "csat"],
            "target": [460.0, 0.90],
            "team": [None, "Enterprise"],
            "valid_from": [start + timedelta(days=int(month_starts[12])), start],
        },
        schema={"kpi_key": pl.String, "target": pl.Float64, "team": pl.String, "valid_from": pl.Date},
    )


def write_demo(con: duckdb.DuckDBPyConnection, data: DemoData, *, note: str = "") -> None:
    """Replace every table's content with ``data`` in one transaction and rebuild the rollup.

    Either everything is written or, on any error, nothing: the database stays as it was.
    """
    create_schema(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for table, frame in (
            ("tickets", data.tickets), ("agents", data.agents), ("budget", data.budget),
            ("headcount", data.headcount), ("targets", data.targets),
        ):
            name = quote_identifier(table)
            con.execute(f"DELETE FROM {name}")  # noqa: S608 - identifier from the schema allow-list
            arrow = frame.to_arrow()
            con.register("_demo_frame", arrow)
            try:
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _demo_frame")  # noqa: S608 - as above
            finally:
                con.unregister("_demo_frame")
        con.execute("DELETE FROM imports WHERE import_id = 'demo'")
        record_import(con, import_id="demo", source="demo", rows=data.tickets.height, note=note)
        build_rollup(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("CHECKPOINT")


def build_demo_database(con: duckdb.DuckDBPyConnection, *, end: date | None = None, seed: int = 7) -> int:
    """Generate the demo data and write it into ``con``; return the number of contacts."""
    data = generate_demo(end=end, seed=seed)
    write_demo(con, data, note=f"seed={seed} end={(end or default_end()).isoformat()}")
    return data.tickets.height
