"""Changes that are not noise (analytics.compute.changes): the table of cases, by hand,
and the properties every change keeps."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.compute.changes import (
    ALPHA,
    PCT_FLOOR,
    compare_counts,
    format_p,
    legend,
)


def binomial_pmf(k: int, n: int, p: Fraction) -> Fraction:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def two_sided(k: int, n: int, p: Fraction) -> Fraction:
    """The exact two-sided p-value by its definition: every outcome no more likely than k."""
    seen = binomial_pmf(k, n, p)
    return sum((q for j in range(n + 1) if (q := binomial_pmf(j, n, p)) <= seen), Fraction(0))


# now, before, exposure → text (en), delta (en, marked), direction, significant, p by hand.
# p = 1/2 (exposure 1): the two tails of Binomial(n, 1/2) are equal, so p = 2 * tail.
CASES = [
    # 1 → 5: P(X ≥ 5 | n=6) = (6 + 1)/64, twice: the UX review's "+400%".
    ("1_to_5", 5, 1, 1, "1 → 5, +4", "+4", "up", False, Fraction(14, 64)),
    ("5_to_1", 1, 5, 1, "5 → 1, −4", "−4", "down", False, Fraction(14, 64)),
    # From nothing: 0 → 5 is 2/32, not significant; 0 → 6 is 2/64, significant.
    ("0_to_5", 5, 0, 1, "0 → 5, +5", "+5", "up", False, Fraction(2, 32)),
    ("0_to_6", 6, 0, 1, "0 → 6, +6", "▲ +6", "up", True, Fraction(2, 64)),
    # Both counts at the floor: a percentage. 10 → 20 doubles, yet p = 0.099:
    # sum of C(30, k) for k = 20..30 is 53,009,102.
    ("10_to_20", 20, 10, 1, "+100.0%", "+100.0%", "up", False, Fraction(2 * 53009102, 2**30)),
    ("20_to_10", 10, 20, 1, "−50.0%", "−50.0%", "down", False, Fraction(2 * 53009102, 2**30)),
    ("10_to_10", 10, 10, 1, "0.0%", "0.0%", "flat", False, Fraction(1)),
    # One below the floor: counts, even though the other is large.
    ("20_to_9", 9, 20, 1, "20 → 9, −11", "−11", "down", False, None),
    ("nothing", 0, 0, 1, "0 → 0, ±0", "±0", "flat", False, Fraction(1)),
    # Against a 4-week mean of 1 (4 events in 4 weeks): p0 = 1/5, n = 9, k = 5. The upper
    # tail is sum C(9, k) 4^(9-k) for k = 5..9 = 38,245 over 5^9; no lower outcome is as
    # unlikely, so that is the p-value: 0.0196, significant.
    ("mean_1_to_5", 5, 4, 4, "1 → 5, +4", "▲ +4", "up", True, Fraction(38245, 5**9)),
    # Mean 2.5 (10 in 4 weeks) to 5: counts, one decimal for the mean.
    ("mean_2.5_to_5", 5, 10, 4, "2.5 → 5, +2.5", "+2.5", "up", False, None),
    # Mean 5 (20 in 4 weeks) to 15: a percentage; the two-sided p adds P(X = 0).
    ("mean_5_to_15", 15, 20, 4, "+200.0%", "▲ +200.0%", "up", True, None),
    # Mean 10 (40 in 4 weeks) to 3: significant fall.
    ("mean_10_to_3", 3, 40, 4, "10 → 3, −7", "▼ −7", "down", True, None),
]


@pytest.mark.parametrize(
    ("now", "before", "exposure", "text_en", "delta_en", "direction", "significant", "p"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_changes_by_hand(now, before, exposure, text_en, delta_en, direction, significant, p):
    c = compare_counts(now, before, exposure=exposure)
    assert c.text("en") == text_en
    assert c.delta("en", mark=True) == delta_en
    assert (c.direction, c.significant) == (direction, significant)
    n = now + before
    exact = two_sided(now, n, Fraction(1, 1 + exposure)) if n else Fraction(1)
    assert c.p_value == pytest.approx(float(exact), rel=1e-9)
    if p is not None:  # the tables' hand sums agree with the definition
        assert exact == p


def test_mean_5_to_15_adds_the_unlikely_lower_outcome():
    """Binomial(35, 1/5): P(X = 0) = 0.8^35 is less likely than X = 15, so it counts too."""
    p = Fraction(1, 5)
    upper = sum(binomial_pmf(k, 35, p) for k in range(15, 36))
    assert binomial_pmf(0, 35, p) < binomial_pmf(15, 35, p) < binomial_pmf(1, 35, p)
    assert compare_counts(15, 20, exposure=4).p_value == pytest.approx(
        float(upper + binomial_pmf(0, 35, p)), rel=1e-9
    )


def test_words_come_from_the_catalogue_in_both_languages():
    small, real = compare_counts(5, 1), compare_counts(6, 0)
    assert small.text("ko") == "1 → 5, +4"
    assert small.verdict("ko") == "우연일 수 있는 변화 (정확 검정 p=0.22)"
    assert small.verdict("en") == "could be chance (exact test, p=0.22)"
    assert real.verdict("ko") == "우연으로 보기 어려운 변화 (정확 검정 p=0.031)"
    assert compare_counts(3, 3).verdict("en") == "no change"
    assert "10" in legend("ko") and "0.05" in legend("en")
    with pytest.raises(ValueError, match="lang"):
        small.text("fr")


@pytest.mark.parametrize(
    ("p", "shown"), [(0.21875, "0.22"), (0.03125, "0.031"), (0.0099, "0.0099"), (2e-5, "<0.001")]
)
def test_format_p(p, shown):
    assert format_p(p) == shown


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"now": -1, "before": 2}, ValueError),
        ({"now": 2.5, "before": 2}, ValueError),
        ({"now": float("nan"), "before": 2}, ValueError),
        ({"now": "3", "before": 2}, TypeError),
        ({"now": True, "before": 2}, TypeError),
        ({"now": 3, "before": 2, "exposure": 0}, ValueError),
        ({"now": 3, "before": 2, "exposure": float("inf")}, ValueError),
        ({"now": 3, "before": 2, "alpha": 1.0}, ValueError),
    ],
)
def test_bad_counts_are_refused(kwargs, error):
    with pytest.raises(error):
        compare_counts(**kwargs)


def test_whole_floats_and_numpy_counts_are_counts():
    assert compare_counts(np.int64(5), 4.0, exposure=4) == compare_counts(5, 4, exposure=4)


counts = st.integers(min_value=0, max_value=400)
exposures = st.sampled_from([1.0, 2.0, 4.0, 0.5, 0.25, 52.0 / 12])


@settings(max_examples=300, deadline=None)
@given(now=counts, before=counts, exposure=exposures)
def test_never_a_percentage_below_the_floor(now, before, exposure):
    c = compare_counts(now, before, exposure=exposure)
    small = min(now, before) < PCT_FLOOR
    for lang in ("ko", "en"):
        assert ("%" in c.text(lang)) is not small
        assert ("%" in c.delta(lang)) is not small
    assert (c.pct is None) is small


@settings(max_examples=300, deadline=None)
@given(now=counts, before=counts, exposure=exposures)
def test_p_is_a_probability_and_significance_follows_it(now, before, exposure):
    c = compare_counts(now, before, exposure=exposure)
    assert 0.0 <= c.p_value <= 1.0
    assert c.significant == (c.p_value <= ALPHA and c.direction != "flat")
    marked = c.delta("en", mark=True)
    assert marked.startswith(("▲", "▼")) is c.significant


@settings(max_examples=300, deadline=None)
@given(a=counts, b=counts, exposure=exposures)
def test_swapping_the_counts_mirrors_the_change(a, b, exposure):
    """a against b (over ``exposure`` periods) is b against a (over 1/exposure) reversed."""
    there, back = (
        compare_counts(a, b, exposure=exposure),
        compare_counts(b, a, exposure=1 / exposure),
    )
    assert there.p_value == pytest.approx(back.p_value, rel=1e-9, abs=1e-12)
    assert there.significant == back.significant
    assert (there.pct is None) == (back.pct is None)
    flip = {"up": "down", "down": "up", "flat": "flat"}
    assert flip[there.direction] == back.direction


@settings(max_examples=200, deadline=None)
@given(now=counts, before=counts)
def test_more_events_now_never_makes_a_rise_less_significant(now, before):
    """Above the baseline, one more event this period can only lower the p-value."""
    if now <= before:
        return
    assert compare_counts(now + 1, before).p_value <= compare_counts(now, before).p_value + 1e-12
