"""Changes that are not noise: a count against its baseline, in words, with an exact test.

"+400%" on a change from 1 to 5 events, in alarm colours, is what a meeting should
never read: five events in a week where there was one is well within the ordinary
ups and downs of small counts. Every change the app shows (the brief's figures, the
unit table, the incidents, suggestions and complaints pages, the meeting pack, a
hotspot's "intensifying" or "diminishing") goes through :func:`compare_counts`:

- **A percentage only where the counts allow it:** both counts at least
  :data:`PCT_FLOOR` (10). Below that the change is written as counts,
  ``"1 → 5, +4"``, or as the difference alone, ``"+4"``, where both counts are
  already on screen (:meth:`Change.delta`). At 10 events the noise on one count is
  about ±30 % (√10 / 10), so even there a percentage is only a rough guide; under it
  the percentage is mostly noise and the counts say more.
- **An exact test decides the colour** (and the ▲/▼ mark where there is no colour):
  the conditional test of two Poisson counts (Przyborowski & Wilenski 1940). If this
  period's events and the baseline's come from the same weekly rate, then given their
  total ``n = now + before``, ``now`` is binomial with ``p = 1 / (1 + exposure)``,
  where ``exposure`` is how many periods like this one the baseline spans (1 for last
  week or the same week last year, 4 for the four weeks behind the 4-week mean). The
  two-sided p-value is scipy's :func:`scipy.stats.binomtest` ("minlike": the outcomes
  no more likely than the one seen). A change is ``significant`` when ``p ≤ alpha``
  (:data:`ALPHA`, 0.05) and it is not flat. The test is exact for any counts, so it
  needs no floor of its own: 0 → 5 (p = 0.0625) is not significant, 0 → 6
  (p = 0.031) is, 10 → 20 (p = 0.099) is not.

What the test does not know: one change read among the many a page shows (18 units,
a dozen categories) will come out "significant" about one time in twenty by chance
alone; counts are treated as Poisson, and real ones are often overdispersed (a
burglary spree, a festival week), so the test errs towards calling a change real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

from analytics.text import LANGS, text

PCT_FLOOR = 10
ALPHA = 0.05
UP, DOWN, FLAT = "up", "down", "flat"
DIRECTIONS = (UP, DOWN, FLAT)

_MINUS = "\u2212"  # typographic minus: as wide as "+", so columns of changes line up
_DASH = "\u2014"
_MARKS = {UP: "\u25b2", DOWN: "\u25bc"}  # ▲ ▼
_EPS = 1e-9


def _count(value, name: str) -> int:
    """A non-negative whole number (an int, or a float or numpy number that is whole)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a count (a whole number), got {value!r}")
    if isinstance(value, Integral):
        n = int(value)
    else:
        f = float(value)
        if not math.isfinite(f) or abs(f - round(f)) > 1e-6:
            raise ValueError(f"{name} must be a whole number of events, got {value!r}")
        n = round(f)
    if n < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return n


def _positive(value, name: str, *, below_one: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    f = float(value)
    if not (math.isfinite(f) and f > 0) or (below_one and f >= 1):
        bound = "between 0 and 1" if below_one else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return f


def _number(value: float) -> str:
    """12 → '12', 2.5 → '2.5', 2.25 → '2.3' (one decimal unless whole), thousands separated."""
    if abs(value - round(value)) < _EPS:
        return f"{round(value):,d}"
    return f"{value:,.1f}"


def format_pct(value: float | None, lang: str = "ko") -> str:
    """A percent change as text with its sign: ``+12.5%``, ``−3.0%``, ``0.0%``, ``—``.

    One decimal; a value that rounds to zero has no sign. ``None``, NaN and infinities
    give "—". The text is the same in both languages; ``lang`` is checked so that
    callers can pass their page language through. (Also reachable as
    ``analytics.compute.periods.format_pct``.)
    """
    _check_lang(lang)
    if value is None or not isinstance(value, Real) or not math.isfinite(value):
        return _DASH
    shown = f"{abs(value):.1f}"
    if shown.strip("0.") == "":
        return f"{shown}%"
    return f"{'+' if value > 0 else _MINUS}{shown}%"


def _signed(value: float, *, percent: bool = False) -> str:
    """'+4', '−2.5', '±0'; with ``percent`` '+12.5%', '−3.0%', '0.0%' (:func:`format_pct`)."""
    if percent:
        return format_pct(value)
    if abs(value) < _EPS:
        return "\u00b10"
    return f"{'+' if value > 0 else _MINUS}{_number(abs(value))}"


@dataclass(frozen=True)
class Change:
    """A count against its baseline: the figures, the test and the words.

    Build with :func:`compare_counts`. Attributes: ``now`` and ``before`` (the two
    counts), ``exposure`` (how many periods like ``now``'s the baseline spans),
    ``p_value`` (two-sided, exact; 1.0 when both counts are 0) and ``alpha``.
    """

    now: int
    before: int
    exposure: float
    p_value: float
    alpha: float = ALPHA

    @property
    def expected(self) -> float:
        """The baseline per period like this one: ``before / exposure`` (e.g. the 4-week mean)."""
        return self.before / self.exposure

    @property
    def difference(self) -> float:
        """``now - expected``."""
        return self.now - self.expected

    @property
    def direction(self) -> str:
        """'up', 'down' or 'flat'."""
        if abs(self.difference) < _EPS:
            return FLAT
        return UP if self.difference > 0 else DOWN

    @property
    def significant(self) -> bool:
        """The exact test rejects "the same rate" at ``alpha`` (a flat change never is)."""
        return self.p_value <= self.alpha and self.direction != FLAT

    @property
    def pct(self) -> float | None:
        """The percent change against ``expected``; None unless both counts are at least
        :data:`PCT_FLOOR` (then ``expected`` is positive too)."""
        if self.now < PCT_FLOOR or self.before < PCT_FLOOR:
            return None
        return self.difference / self.expected * 100.0

    def delta(self, lang: str = "ko", *, mark: bool = False) -> str:
        """The change where both counts are already on screen: '+12.5%' or '+4'.

        ``mark``: a significant change starts with '▲ ' or '▼ ' (tables, which have
        no colour; :func:`legend` explains the mark).
        """
        _check_lang(lang)
        pct = self.pct
        shown = _signed(pct, percent=True) if pct is not None else _signed(self.difference)
        if mark and self.significant:
            return f"{_MARKS[self.direction]} {shown}"
        return shown

    def text(self, lang: str = "ko", *, mark: bool = False) -> str:
        """The change on its own: '+12.5%', or the counts, '1 → 5, +4' (the baseline is
        ``expected``: '2.5 → 5, +2.5' against a 4-week mean). ``mark`` as in :meth:`delta`."""
        _check_lang(lang)
        if self.pct is not None:
            return self.delta(lang, mark=mark)
        shown = text(
            "changes.counts",
            lang,
            before=_number(self.expected),
            now=_number(self.now),
            diff=_signed(self.difference),
        )
        if mark and self.significant:
            return f"{_MARKS[self.direction]} {shown}"
        return shown

    def verdict(self, lang: str = "ko") -> str:
        """'우연으로 보기 어려운 변화 (정확 검정 p=0.003)' / 'could be chance (exact test, p=0.22)'."""
        _check_lang(lang)
        if self.direction == FLAT:
            return text("changes.verdict.flat", lang)
        key = "changes.verdict.real" if self.significant else "changes.verdict.chance"
        return text(key, lang, p=format_p(self.p_value))


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


def format_p(p: float) -> str:
    """0.21875 → '0.22', 0.0312 → '0.031', 0.00001 → '<0.001'."""
    if p < 0.001:
        return "<0.001"
    return f"{p:.2g}" if p < 0.1 else f"{p:.2f}"


def compare_counts(now, before, *, exposure: float = 1.0, alpha: float = ALPHA) -> Change:
    """This period's count against its baseline, with the exact test of equal rates.

    Parameters
    ----------
    now : int
        Events in this period.
    before : int
        Events in the baseline, which spans ``exposure`` periods like this one.
    exposure : float > 0, default 1
        1 for last week or the same week last year; 4 for the four weeks behind a
        4-week mean (then ``before`` is their total, not the mean).
    alpha : float in (0, 1), default :data:`ALPHA`

    Returns
    -------
    Change

    Raises
    ------
    TypeError, ValueError
        A count that is not a whole number >= 0; ``exposure`` not > 0; ``alpha`` not
        in (0, 1).

    Examples
    --------
    >>> c = compare_counts(5, 1)
    >>> c.text("en"), c.delta("en"), c.significant, round(c.p_value, 5)
    ('1 → 5, +4', '+4', False, 0.21875)
    """
    now_n, before_n = _count(now, "now"), _count(before, "before")
    exposure = _positive(exposure, "exposure")
    alpha = _positive(alpha, "alpha", below_one=True)
    total = now_n + before_n
    if total == 0:
        p = 1.0
    else:
        from scipy import stats  # on first use: scipy.stats costs start-up time

        p = float(stats.binomtest(now_n, total, 1.0 / (1.0 + exposure)).pvalue)
        p = min(max(p, 0.0), 1.0)
    return Change(now=now_n, before=before_n, exposure=exposure, p_value=p, alpha=alpha)


def legend(lang: str = "ko", *, alpha: float = ALPHA) -> str:
    """The caption under a table of changes: what ▲/▼ and the missing percentages mean."""
    _check_lang(lang)
    return text("changes.legend", lang, alpha=f"{alpha:g}", floor=PCT_FLOOR)
