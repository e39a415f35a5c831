"""Staffing with Erlang C: probability of waiting, service level, ASA and agents required.

The Erlang C model (M/M/N) assumes calls arrive at random (Poisson), handle times are
exponential and nobody abandons. With ``traffic`` A = calls x AHT / interval length (in
Erlangs) and N agents, it needs N > A; at N <= A the queue grows without bound, every call
waits and the service level is 0.

The probability of waiting is computed through the Erlang B recursion
B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)), then C = N B / (N - A (1 - B)). Every term stays
between 0 and 1, so it is exact to float precision for hundreds of Erlangs, where the
textbook form A^N / N! overflows (200^200 / 200! already exceeds a float).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl


def traffic_intensity(calls: float, aht_s: float, interval_s: float) -> float:
    """Return the offered load in Erlangs: the agents' worth of work arriving per interval.

    Examples:
        >>> traffic_intensity(100, 180, 1800)  # 100 calls of 3 minutes in half an hour
        10.0
    """
    if interval_s <= 0 or aht_s < 0 or calls < 0:
        raise ValueError("calls and handle time must not be negative, and the interval must be positive")
    return calls * aht_s / interval_s


def erlang_c(traffic: float, agents: int) -> float:
    """Return the probability that a call waits (Erlang C) with ``agents`` agents and ``traffic`` Erlangs.

    Examples:
        >>> round(erlang_c(10.0, 14), 4), erlang_c(10.0, 10), erlang_c(0.0, 1)
        (0.1741, 1.0, 0.0)
    """
    if traffic < 0 or agents < 0:
        raise ValueError("traffic and agents must not be negative")
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0  # the queue never empties: every call waits
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(traffic: float, agents: int, *, aht_s: float, threshold_s: float) -> float:
    """Return the share of calls answered within ``threshold_s`` seconds.

    SL = 1 - C x exp(-(N - A) x threshold / AHT); 0 when N <= A.

    Examples:
        >>> round(service_level(10.0, 14, aht_s=180, threshold_s=20), 4)
        0.8884
    """
    if agents <= traffic:
        return 0.0 if traffic > 0 else 1.0
    waiting = erlang_c(traffic, agents)
    return 1 - waiting * math.exp(-(agents - traffic) * threshold_s / aht_s)


def average_speed_of_answer(traffic: float, agents: int, *, aht_s: float) -> float:
    """Return the mean wait in seconds over all calls (ASA = C x AHT / (N - A)); infinite when N <= A.

    Examples:
        >>> round(average_speed_of_answer(10.0, 14, aht_s=180), 2)
        7.84
    """
    if agents <= traffic:
        return 0.0 if traffic == 0 else math.inf
    return erlang_c(traffic, agents) * aht_s / (agents - traffic)


@dataclass(frozen=True)
class Requirement:
    """The fewest agents that meet every target of an interval, and what they achieve."""

    agents: int
    traffic: float
    service_level: float
    asa_s: float
    occupancy: float


def required_agents(
    calls: float, *, aht_s: float, interval_s: float, target_sl: float | None = None,
    threshold_s: float | None = None, target_asa_s: float | None = None, max_occupancy: float = 1.0,
) -> Requirement:
    """Return the fewest agents meeting the service level target, the ASA target and the occupancy cap.

    Args:
        calls: calls expected in the interval.
        aht_s: average handle time in seconds.
        interval_s: length of the interval (1800 for half an hour).
        target_sl: share to answer within ``threshold_s`` (0.8 for 80/20), or None.
        threshold_s: the answer-time threshold of ``target_sl``.
        target_asa_s: largest acceptable average speed of answer, or None.
        max_occupancy: largest acceptable share of time agents spend handling (traffic / agents).

    Examples:
        >>> r = required_agents(100, aht_s=180, interval_s=1800, target_sl=0.8, threshold_s=20)
        >>> r.agents, round(r.service_level, 4), round(r.occupancy, 3)  # 13 agents reach only 79.6%
        (14, 0.8884, 0.714)
    """
    if target_sl is not None and (threshold_s is None or not 0 < target_sl < 1):
        raise ValueError("a service level target needs a threshold and a share between 0 and 1")
    if not 0 < max_occupancy <= 1:
        raise ValueError("the occupancy cap must be above 0 and at most 1")
    traffic = traffic_intensity(calls, aht_s, interval_s)
    if traffic == 0:
        return Requirement(0, 0.0, 1.0, 0.0, 0.0)
    agents = max(math.floor(traffic) + 1, math.ceil(traffic / max_occupancy))
    while True:
        sl = service_level(traffic, agents, aht_s=aht_s, threshold_s=threshold_s or 0)
        asa = average_speed_of_answer(traffic, agents, aht_s=aht_s)
        if (target_sl is None or sl >= target_sl) and (target_asa_s is None or asa <= target_asa_s):
            return Requirement(agents, traffic, sl, asa, traffic / agents)
        agents += 1


def required_fte(agents: float, *, shrinkage: float) -> float:
    """Return the staff to schedule so ``agents`` are available after shrinkage (breaks, training, absence).

    Examples:
        >>> required_fte(14, shrinkage=0.3)
        20.0
    """
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be at least 0 and below 1")
    return agents / (1 - shrinkage)


def workload_fte(contacts: float, *, aht_s: float, productive_hours: float) -> float:
    """Return the FTE a non-queue channel (email, web form) needs: volume x handle time / productive hours.

    Such work waits in a backlog rather than a queue, so Erlang C does not apply.

    Examples:
        >>> workload_fte(600, aht_s=360, productive_hours=30)  # 600 emails of 6 minutes in a 30-hour week
        2.0
    """
    if productive_hours <= 0:
        raise ValueError("productive hours must be positive")
    return contacts * aht_s / 3600 / productive_hours


QUEUE_CHANNELS = ("phone", "chat")  # answered live: Erlang C; the others wait in a backlog: workload


def compute_interval_requirements(
    volume: pl.DataFrame, *, aht_s: dict[str, float], interval_s: int, target_sl: float | None, threshold_s: float,
    max_occupancy: float, target_asa_s: float | None = None,
) -> pl.DataFrame:
    """Return the agents each interval needs, per queue channel, from its forecast contacts.

    Args:
        volume: ``day``, ``slot`` (minutes after midnight), ``channel`` and ``contacts`` expected.
        aht_s: average handle time per channel.
        interval_s: length of a slot in seconds.
        target_sl: share to answer within ``threshold_s`` (0.8 for 80/20), or None.
        threshold_s: the answer-time threshold in seconds (20 for 80/20).
        max_occupancy: the cap on traffic per agent.
        target_asa_s: largest acceptable average speed of answer, or None.

    Returns:
        The rows of ``volume`` with ``traffic`` (Erlangs), ``agents``, ``service_level`` and ``occupancy``.
    """
    rows = []
    for row in volume.iter_rows(named=True):
        need = required_agents(row["contacts"], aht_s=aht_s[row["channel"]], interval_s=interval_s,
                               target_sl=target_sl, threshold_s=threshold_s, max_occupancy=max_occupancy,
                               target_asa_s=target_asa_s)
        rows.append({**row, "traffic": need.traffic, "agents": need.agents, "service_level": need.service_level,
                     "occupancy": need.occupancy})
    schema = {**volume.schema, "traffic": pl.Float64, "agents": pl.Int64, "service_level": pl.Float64,
              "occupancy": pl.Float64}
    return pl.DataFrame(rows, schema=schema)
