"""The interval and test functions against SciPy, an independent implementation, and hand values."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csm.stats import (
    benjamini_hochberg,
    mean_interval,
    median_rank_interval,
    sign_test_p,
    t_cdf,
    t_quantile,
    two_proportion_p,
    welch_p,
    wilson_interval,
)

scipy_stats = pytest.importorskip("scipy.stats")


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 10), (10, 10), (1, 12), (7, 12), (450, 900), (3, 1000)])
def test_wilson_matches_scipy_including_tiny_and_all_or_nothing(k, n):
    expected = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert (low, high) == (pytest.approx(expected.low, abs=1e-12), pytest.approx(expected.high, abs=1e-12))


def test_wilson_hand_values_and_edges():
    # 0 of 10: centre z^2/2n / (1 + z^2/n), upper bound z^2/(n + z^2) = 3.8415 / 13.8415
    assert wilson_interval(0, 10) == (0.0, pytest.approx(1.959964 ** 2 / (10 + 1.959964 ** 2), rel=1e-6))
    assert wilson_interval(10, 10)[1] == 1.0 and wilson_interval(10, 10)[0] == pytest.approx(10 / (10 + 1.959964 ** 2))
    assert wilson_interval(0, 0) is None  # no data is no interval, never 0
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


@pytest.mark.parametrize("df", [1, 2, 3.5, 9, 30, 250, 10_000])
@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.995, 0.025])
def test_t_quantile_and_cdf_match_scipy(df, p):
    assert t_quantile(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-9, abs=1e-12)
    assert t_cdf(scipy_stats.t.ppf(p, df), df) == pytest.approx(p, rel=1e-10)
    assert t_cdf(0.0, df) == pytest.approx(0.5)


@pytest.mark.parametrize("values", [[1, 2, 3], [5, 5, 5, 6], [120.0, 340.5, 298.0, 610.0, 45.0, 400.0, 380.0],
                                    list(range(100))])
def test_mean_interval_matches_scipy(values):
    n, total, total_sq = len(values), float(sum(values)), float(sum(v * v for v in values))
    mean, sem = sum(values) / n, scipy_stats.sem(values)
    expected = scipy_stats.t.interval(0.95, n - 1, loc=mean, scale=sem)
    got = mean_interval(n, total, total_sq)
    assert got == (pytest.approx(expected[0], rel=1e-9, abs=1e-9), pytest.approx(expected[1], rel=1e-9, abs=1e-9))


def test_mean_interval_needs_two_values_and_a_constant_has_no_width():
    assert mean_interval(1, 5.0, 25.0) is None and mean_interval(0, 0.0, 0.0) is None
    assert mean_interval(4, 20.0, 100.0) == (5.0, 5.0)


@pytest.mark.parametrize("n", [6, 7, 10, 25, 50, 101, 999])
def test_median_ranks_are_the_exact_binomial_ones(n):
    j, k = median_rank_interval(n)
    assert k == n - j + 1
    coverage = 1 - 2 * scipy_stats.binom.cdf(j - 1, n, 0.5)
    assert coverage >= 0.95  # the interval keeps at least its confidence ...
    assert 1 - 2 * scipy_stats.binom.cdf(j, n, 0.5) < 0.95  # ... and one rank narrower would not


def test_median_ranks_of_tiny_and_large_samples():
    assert median_rank_interval(5) is None  # even min to max covers only 93.75%
    assert median_rank_interval(6) == (1, 6)  # 96.9%
    j, k = median_rank_interval(10_000)  # normal approximation: 5000 - 1.96 * 50 = 4902
    assert (j, k) == (4902, 5099)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(45, 60, 700, 1000), (30, 30, 800, 1000), (0, 40, 30, 900),
                                                     (12, 100, 12, 100)])
def test_two_proportion_z_matches_an_independent_chi_square(x1, n1, x2, n2):
    # the pooled z-test is the 2x2 chi-square test without continuity correction
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    expected = scipy_stats.chi2_contingency(table, correction=False).pvalue
    assert two_proportion_p(x1, n1, x2, n2) == pytest.approx(expected, rel=1e-9)


def test_two_proportion_edges():
    assert two_proportion_p(0, 30, 0, 500) == 1.0  # all failures everywhere
    assert two_proportion_p(30, 30, 500, 500) == 1.0  # all successes everywhere
    assert two_proportion_p(3, 0, 5, 10) is None


@pytest.mark.parametrize(("a", "b"), [([300, 420, 380, 510, 290, 330], [400, 390, 410, 420, 405, 399, 402]),
                                      ([1.0, 2.0, 3.0], [2.0, 4.0, 6.0, 8.0, 10.0])])
def test_welch_matches_scipy(a, b):
    expected = scipy_stats.ttest_ind(a, b, equal_var=False).pvalue
    var = lambda xs: sum((x - sum(xs) / len(xs)) ** 2 for x in xs) / (len(xs) - 1)  # noqa: E731
    got = welch_p(sum(a) / len(a), var(a), len(a), sum(b) / len(b), var(b), len(b))
    assert got == pytest.approx(expected, rel=1e-8)
    assert welch_p(1.0, 0.0, 1, 2.0, 1.0, 5) is None


@pytest.mark.parametrize(("above", "below"), [(0, 1), (3, 9), (15, 15), (40, 12), (520, 470)])
def test_sign_test_matches_scipy_binomtest(above, below):
    expected = scipy_stats.binomtest(above, above + below, 0.5).pvalue
    assert sign_test_p(above, below) == pytest.approx(expected, rel=1e-9)
    assert sign_test_p(0, 0) is None


def test_large_sign_tests_use_the_normal_approximation():
    for above, below in ((600, 560), (5200, 4800)):
        assert sign_test_p(above, below) == pytest.approx(scipy_stats.binomtest(above, above + below).pvalue, rel=0.02)


def test_benjamini_hochberg_matches_scipy_adjusted_pvalues():
    pvalues = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    adjusted = scipy_stats.false_discovery_control(pvalues, method="bh")
    assert benjamini_hochberg(pvalues) == [a <= 0.05 for a in adjusted]
    assert benjamini_hochberg([None, None]) == [False, False]
    assert benjamini_hochberg([]) == []


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_the_observed_rate(k, n):
    k = min(k, n)
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1 and not math.isnan(low)
