"""Near-repeat (Knox test): a hand-checked example, pointpats' Knox on the same events,
a planted near-repeat pattern found and a random one not, and the table's sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.compute import nearrepeat

# Six hand-placed events: (x m, y m, day).
SIX = np.array(
    [
        [0, 0, 0.0],  # A
        [100, 0, 1.0],  # B: 100 m from A, 1 day later
        [0, 150, 10.0],  # C: 150 m from A (10 days), 180 m from B (9 days)
        [1000, 0, 0.5],  # D: far from A, B, C
        [1050, 0, 2.0],  # E: 50 m from D, 1.5 days later
        [5000, 5000, 1.0],  # F: far from everything
    ]
)
DAYS = (1, 2, 7, 14)


def test_knox_counts_by_hand():
    found = nearrepeat.knox_bands(
        SIX[:, 0], SIX[:, 1], SIX[:, 2], distance_m=200, days=DAYS, permutations=0
    )
    # Close in space (<= 200 m): A-B, A-C, B-C, D-E. Their gaps: 1, 10, 9, 1.5 days.
    assert found.n_space_pairs == 4 and found.n_pairs == 15
    assert found.observed.tolist() == [1, 1, 0, 2]  # (0,1], (1,2], (2,7], (7,14] days
    assert found.cum_observed.tolist() == [1, 2, 2, 4]
    # All 15 pairs' gaps: 8 are <= 1 day (AB AD AF BD BE BF DF EF), 10 <= 2 (+ AE DE),
    # 10 <= 7, 15 <= 14. Expected = NS * NT / pairs = 4 * NT / 15.
    np.testing.assert_allclose(found.cum_expected, [32 / 15, 40 / 15, 40 / 15, 4.0])
    np.testing.assert_allclose(found.expected, [32 / 15, 8 / 15, 0.0, 4 / 3])
    np.testing.assert_allclose(found.ratio[[0, 1, 3]], [15 / 32, 15 / 8, 1.5])
    assert np.isnan(found.ratio[2]) and np.isnan(found.p).all()


def test_knox_counts_match_pointpats():
    from pointpats.spacetime import Knox

    for tau in DAYS:
        theirs = Knox(SIX[:, :2], SIX[:, 2:], delta=200, tau=tau, permutations=0)
        ours = nearrepeat.knox_bands(
            SIX[:, 0], SIX[:, 1], SIX[:, 2], distance_m=200, days=(tau,), permutations=0
        )
        assert ours.cum_observed[0] == theirs.nst
        assert ours.cum_expected[0] == pytest.approx(theirs.expected[0, 0])


def test_knox_counts_match_pointpats_on_random_events():
    from pointpats.spacetime import Knox

    rng = np.random.default_rng(7)
    x, y, t = rng.uniform(0, 3000, 300), rng.uniform(0, 3000, 300), rng.uniform(0, 365, 300)
    ours = nearrepeat.knox_bands(x, y, t, distance_m=250, days=(3, 7, 30), permutations=0)
    for k, tau in enumerate((3, 7, 30)):
        theirs = Knox(np.column_stack([x, y]), t[:, None], delta=250, tau=tau, permutations=0)
        assert ours.cum_observed[k] == theirs.nst
        assert ours.cum_expected[k] == pytest.approx(theirs.expected[0, 0])


def background(rng, n, *, size_m=5000.0, days=365.0):
    return rng.uniform(0, size_m, n), rng.uniform(0, size_m, n), rng.uniform(0, days, n)


def near_repeats(rng, n_seeds, *, follow=2, within_m=100.0, max_days=3.0):
    """``n_seeds`` events, each followed by ``follow`` more within ``within_m`` metres
    and ``max_days`` days."""
    x, y, t = background(rng, n_seeds)
    angle = rng.uniform(0, 2 * np.pi, (n_seeds, follow))
    r = rng.uniform(0, within_m, (n_seeds, follow))
    fx = (x[:, None] + r * np.cos(angle)).ravel()
    fy = (y[:, None] + r * np.sin(angle)).ravel()
    ft = (t[:, None] + rng.uniform(0, max_days, (n_seeds, follow))).ravel()
    return np.concatenate([x, fx]), np.concatenate([y, fy]), np.concatenate([t, ft])


def test_a_planted_near_repeat_is_found_and_a_random_pattern_is_not():
    rng = np.random.default_rng(16)
    bx, by, bt = background(rng, 400)
    px, py, pt = near_repeats(rng, 40)
    x, y, t = np.concatenate([bx, px]), np.concatenate([by, py]), np.concatenate([bt, pt])
    planted = nearrepeat.knox_bands(x, y, t, distance_m=200, permutations=99, seed=1)
    # The repeats follow within 3 days: the first three daily bands are raised, no more
    # than a band or two past them.
    assert 3 <= planted.days_raised() <= 5
    assert planted.cum_ratio[2] > 2 and planted.cum_p[2] == pytest.approx(0.01)
    chance = nearrepeat.knox_bands(bx, by, bt, distance_m=200, permutations=99, seed=1)
    assert chance.days_raised() == 0


def test_the_permutations_are_seeded():
    rng = np.random.default_rng(3)
    x, y, t = near_repeats(rng, 30)
    one = nearrepeat.knox_bands(x, y, t, permutations=49, seed=5)
    two = nearrepeat.knox_bands(x, y, t, permutations=49, seed=5)
    np.testing.assert_array_equal(one.p, two.p)
    np.testing.assert_array_equal(one.cum_p, two.cum_p)


def events_frame(x, y, t, category):
    start = pd.Timestamp("2017-01-01", tz="Asia/Seoul")
    return pd.DataFrame(
        {
            "category": category,
            "x": x,
            "y": y,
            "occurred_at": start + pd.to_timedelta(t, unit="D"),
        }
    )


def test_the_table_and_its_sentences_per_category():
    rng = np.random.default_rng(16)
    bx, by, bt = background(rng, 400)
    px, py, pt = near_repeats(rng, 40)
    frame = pd.concat(
        [
            events_frame(np.r_[bx, px], np.r_[by, py], np.r_[bt, pt], "theft"),
            events_frame(*background(rng, 300), "violence"),
            events_frame(*background(rng, 5), "fraud"),
            events_frame([np.nan], [0.0], [1.0], "fraud"),  # no place: left out
        ],
        ignore_index=True,
    )
    table = nearrepeat.near_repeat_table(frame, permutations=99, seed=1)
    assert list(table.columns) == list(nearrepeat.TABLE_COLUMNS)
    assert table["category"].tolist() == ["theft", "violence", "fraud"]
    theft, violence, fraud = table.to_dict("records")
    assert 3 <= theft["days_raised"] <= 5 and theft["ratio"] > 1.5 and theft["p"] < 0.05
    assert violence["days_raised"] == 0
    assert fraud["n_events"] == 5 and np.isnan(fraud["days_raised"])
    sentence = nearrepeat.near_repeat_sentence(theft, label="절도")
    assert sentence.startswith("절도: 발생 후 200m 이내에서는 약 ")
    assert "일 동안 위험이 높게 유지됩니다" in sentence
    english = nearrepeat.near_repeat_sentence(theft, label="Theft", lang="en")
    assert english.startswith("Theft: after one, the risk within 200 m stays raised for about ")
    assert "확인되지 않습니다" in nearrepeat.near_repeat_sentence(violence, label="폭력")
    too_few = nearrepeat.near_repeat_sentence(fraud, label="Fraud", lang="en")
    assert too_few == "Fraud: 5 events are too few to test for near-repeats"
    only = nearrepeat.near_repeat_table(frame, categories=["violence"], permutations=9)
    assert only["category"].tolist() == ["violence"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": (3, 2)}, "increase"),
        ({"days": ()}, "positive"),
        ({"distance_m": 0}, "distance_m"),
        ({"permutations": -1}, "permutations"),
    ],
)
def test_bad_arguments_are_refused_early(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nearrepeat.knox_bands([0.0, 1.0], [0.0, 1.0], [0.0, 1.0], **kwargs)


def test_the_table_refuses_bad_arguments():
    frame = events_frame([0.0], [0.0], [0.0], "theft")
    with pytest.raises(ValueError, match="alpha"):
        nearrepeat.near_repeat_table(frame, alpha=1.5)
    with pytest.raises(ValueError, match="columns"):
        nearrepeat.near_repeat_table(frame.drop(columns="x"))
