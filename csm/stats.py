"""Intervals and tests a manager can coach from, in plain Python (no SciPy at run time).

- Proportions (FCR, CSAT satisfied, SLA met, reopen, escalation): the **Wilson score interval**,
  which stays inside [0, 1] and behaves at 0 of n and n of n; agent against the rest of the team
  with the **two-proportion z-test** (pooled).
- Means (handle time, QA score): the **Student t interval** from the count, sum and sum of
  squares; agent against the rest with **Welch's t-test**.
- Medians (first response time): the distribution-free **order-statistic interval** (ranks
  from the Binomial(n, 1/2) distribution); agent against the team's median with the **sign
  test** (how many of the agent's contacts fall above it versus below).
- Many agents times many KPIs are tested at once, so flags use the **Benjamini-Hochberg**
  procedure: among the flagged differences at most 5% are expected to be chance.
- A cell needs ``MIN_SAMPLE`` observations; below that it says "too few" and is never flagged.

``tests/csm/test_stats.py`` checks every function against SciPy.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

MIN_SAMPLE = 30
CONFIDENCE = 0.95
FDR = 0.05

_NORMAL = NormalDist()


def _z(confidence: float) -> float:
    return _NORMAL.inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes: float, n: float, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Return the Wilson score interval of a proportion, or None when ``n`` is 0.

    Examples:
        >>> [round(v, 4) for v in wilson_interval(0, 10)]
        [0.0, 0.2775]
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n, not {successes} of {n}")
    z = _z(confidence)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exactly 0 and 1 at the ends, free of rounding
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularized incomplete beta function (Lentz's method)."""
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Return the regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    """Return P(T <= t) for Student's t with ``df`` degrees of freedom (``df`` may be fractional)."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


def _t_pdf(t: float, df: float) -> float:
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
                    - (df + 1) / 2 * math.log1p(t * t / df))


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """Return the ``p`` quantile of Student's t with ``df`` degrees of freedom.

    Newton's method from the normal quantile, kept inside a bracket that bisection narrows.

    Examples:
        >>> round(t_quantile(0.975, 10), 4)
        2.2281
    """
    if not 0 < p < 1:
        raise ValueError("p must be strictly between 0 and 1")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    x = min(max(_NORMAL.inv_cdf(p), low), high)
    for _ in range(200):
        gap = t_cdf(x, df) - p
        if gap == 0:
            return x
        if gap < 0:
            low = x
        else:
            high = x
        step = gap / _t_pdf(x, df)
        nxt = x - step
        x = nxt if low < nxt < high else (low + high) / 2
        if abs(step) < 1e-13 * max(1.0, abs(x)) or high - low < 1e-13 * max(1.0, high):
            break
    return x


def mean_variance(n: float, total: float, total_sq: float) -> tuple[float, float] | None:
    """Return the mean and the sample variance from a count, a sum and a sum of squares (None below 2)."""
    if n < 2:
        return None
    mean = total / n
    return mean, max(0.0, (total_sq - n * mean * mean) / (n - 1))


def mean_interval(n: float, total: float, total_sq: float, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Return the Student t interval of a mean from its count, sum and sum of squares, or None below 2 values.

    Examples:
        >>> [round(v, 3) for v in mean_interval(3, 6.0, 14.0)]  # values 1, 2, 3
        [-0.484, 4.484]
    """
    moments = mean_variance(n, total, total_sq)
    if moments is None:
        return None
    mean, var = moments
    half = t_quantile(0.5 + confidence / 2, n - 1) * math.sqrt(var / n)
    return mean - half, mean + half


def _binom_cdf_half(k: int, n: int) -> float:
    """Return P(X <= k) for X ~ Binomial(n, 1/2), exactly in log space."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    log_half_n = -n * math.log(2)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + log_half_n for i in range(k + 1)]
    top = max(terms)
    return math.exp(top) * sum(math.exp(t - top) for t in terms)


@lru_cache(maxsize=4096)
def median_rank_interval(n: int, confidence: float = CONFIDENCE) -> tuple[int, int] | None:
    """Return 1-based ranks (j, k) of the sorted values that bound the median with at least ``confidence``.

    The interval [x_(j), x_(k)] covers the true median with probability 1 - 2 P(X <= j - 1),
    X ~ Binomial(n, 1/2); ``j`` is the largest rank keeping that at least ``confidence``
    (exact up to 1,000 values, the normal approximation above). None when no rank pair reaches it.

    Examples:
        >>> median_rank_interval(10)
        (2, 9)
    """
    alpha = 1 - confidence
    if n <= 0 or 2 * 0.5 ** n > alpha:
        return None
    if n > 1000:
        j = max(1, math.floor(n / 2 - _z(confidence) * math.sqrt(n) / 2))
        return j, n - j + 1
    j, log_pmf, cdf = 0, -n * math.log(2), 0.0
    while True:  # P(X <= j) small enough: rank j + 1 still keeps the coverage
        cdf += math.exp(log_pmf)
        if 2 * cdf > alpha:
            return j, n - j + 1
        log_pmf += math.log((n - j) / (j + 1))
        j += 1


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float | None:
    """Return the two-sided p-value of the pooled two-proportion z-test, or None without data."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0  # all successes or all failures in both: no difference to find
    z = (x1 / n1 - x2 / n2) / se
    return 2 * (1 - _NORMAL.cdf(abs(z)))


def welch_p(mean1: float, var1: float, n1: float, mean2: float, var2: float, n2: float) -> float | None:
    """Return the two-sided p-value of Welch's t-test from two groups' means, sample variances and counts."""
    if n1 < 2 or n2 < 2:
        return None
    a, b = var1 / n1, var2 / n2
    if a + b == 0:
        return 1.0 if mean1 == mean2 else 0.0
    t = (mean1 - mean2) / math.sqrt(a + b)
    df = (a + b) ** 2 / ((a * a / (n1 - 1) if a else 0) + (b * b / (n2 - 1) if b else 0))
    return 2 * (1 - t_cdf(abs(t), df))


def sign_test_p(above: int, below: int) -> float | None:
    """Return the two-sided p-value of the sign test: ``above`` versus ``below`` a reference (ties left out)."""
    n = above + below
    if n == 0:
        return None
    k = min(above, below)
    if n > 1000:
        z = (abs(above - below) - 1) / math.sqrt(n)  # with continuity correction
        return min(1.0, 2 * (1 - _NORMAL.cdf(max(z, 0.0))))
    return min(1.0, 2 * _binom_cdf_half(k, n))


def benjamini_hochberg(pvalues: list[float | None], fdr: float = FDR) -> list[bool]:
    """Return which p-values are discoveries at false discovery rate ``fdr`` (None is never one).

    Examples:
        >>> benjamini_hochberg([0.01, 0.04, 0.03, None, 0.5])
        [True, False, False, False, False]
    """
    tested = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    m = len(tested)
    cutoff = -1
    for rank, (p, _) in enumerate(tested, start=1):
        if p <= fdr * rank / m:
            cutoff = rank
    found = [False] * len(pvalues)
    for rank, (_, i) in enumerate(tested, start=1):
        found[i] = rank <= cutoff
    return found


__all__ = ["CONFIDENCE", "FDR", "MIN_SAMPLE", "benjamini_hochberg", "mean_interval", "mean_variance",
           "median_rank_interval", "sign_test_p", "t_cdf", "t_quantile", "two_proportion_p", "welch_p",
           "wilson_interval"]
