"""The accuracy sentence week by week: hit rate and PAI of the last 8 weeks, the
dashboard's hotspots against KDE and the naive grid at the same area (the map page).

The numbers come from :func:`ui.data.weekly_accuracy` (one cached backtest per view);
:func:`accuracy_frame` and :func:`accuracy_chart` are pure (frame in, chart out), and
:func:`show_weekly_accuracy` draws them.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from analytics.compute.evaluation import score_text
from analytics.compute.periods import Period, short_day
from analytics.query import HotspotQuery
from ui import data
from ui.charts import chart_spec, show_chart
from ui.i18n import number, percent, text

METHODS = ("dbscan", "kde", "grid")
MEASURES = ("hit_rate", "pai")
# The dashboard's own line stands out; the comparators are quieter.
COLOURS = ("#d62728", "#1f77b4", "#7f7f7f")


def method_label(method: str, lang: str) -> str:
    if method == "dbscan":
        return text("map.accuracy.dbscan", lang)
    return text(f"evaluation.baseline.{method}", lang)


def accuracy_frame(weeks: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per week and method, oldest week first, dashboard first.

    Columns: ``week`` (the axis label, the week's first day), ``week_range`` (its
    dates), ``method`` (its name in ``lang``), ``hit_rate`` (percent), ``pai``,
    ``hit_text``, ``pai_text``, ``area_text``, ``n_test`` and ``setting``
    (``eps 80 m · 3``; the dashboard's rows only). A week without incidents has NaN
    scores (a gap in the line).
    """
    order = {m: i for i, m in enumerate(METHODS)}
    rows = weeks.assign(_m=weeks["method"].map(order)).sort_values(["week_start", "_m"])
    out = pd.DataFrame(
        {
            "week": [short_day(ws.date(), lang) for ws in rows["week_start"]],
            "week_range": [
                Period(ws, we).label(lang)
                for ws, we in zip(rows["week_start"], rows["week_end"], strict=True)
            ],
            "method": [method_label(m, lang) for m in rows["method"]],
            "hit_rate": 100.0 * rows["hit_rate"].astype(float).to_numpy(),
            "pai": rows["pai"].astype(float).to_numpy(),
            "hit_text": [percent(v) for v in rows["hit_rate"].astype(float)],
            "pai_text": [score_text(v) for v in rows["pai"].astype(float)],
            "area_text": [percent(v, 2) for v in rows["area_share"].astype(float)],
            "n_test": rows["n_test"].astype(int).to_numpy(),
            "setting": [
                f"eps {e:g} m · {s:g}" if m == "dbscan" else "—"
                for m, e, s in zip(rows["method"], rows["eps_m"], rows["min_samples"], strict=True)
            ],
        }
    )
    return out.reset_index(drop=True)


def accuracy_chart(frame: pd.DataFrame, measure: str, lang: str) -> alt.LayerChart:
    """Lines with points of ``measure`` ('hit_rate' or 'pai') per week, one per method."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    methods = [method_label(m, lang) for m in METHODS]
    weeks = list(dict.fromkeys(frame["week"]))
    base = alt.Chart(frame).encode(
        x=alt.X("week:O", sort=weeks, title=text("map.accuracy.week", lang)),
        y=alt.Y(f"{measure}:Q", title=text(f"map.accuracy.{measure}", lang)),
        color=alt.Color(
            "method:N",
            sort=methods,
            scale=alt.Scale(domain=methods, range=list(COLOURS)),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("week_range:N", title=text("map.accuracy.week", lang)),
            alt.Tooltip("method:N", title=text("map.accuracy.method", lang)),
            alt.Tooltip("hit_text:N", title=text("map.accuracy.hit_rate", lang)),
            alt.Tooltip("pai_text:N", title="PAI"),
            alt.Tooltip("area_text:N", title=text("map.accuracy.area", lang)),
            alt.Tooltip("n_test:Q", title=text("map.accuracy.n_test", lang)),
            alt.Tooltip("setting:N", title=text("map.accuracy.setting", lang)),
        ],
    )
    return (base.mark_line() + base.mark_point(filled=True, size=50)).properties(height=220)


def means_sentence(means: pd.DataFrame, lang: str) -> str:
    """'8주 평균 적중률(PAI): 이 대시보드 43% (440) · KDE 46% (475) · 상위 격자 48% (496)'."""

    def mean(method: str) -> str:
        if method not in means.index:
            return "—"
        row = means.loc[method]
        return text("map.accuracy.mean", lang, hit=percent(row["hit_rate"]), pai=number(row["pai"]))

    return text("map.accuracy.means", lang, **{m: mean(m) for m in METHODS})


def show_weekly_accuracy(db_url: str, version: str, query: HotspotQuery, lang: str) -> None:
    """The two small charts (hit rate, PAI), the 8-week means and what they mean."""
    result = data.weekly_accuracy(db_url, version, query)
    if result is None or result.weeks.empty:
        st.caption(text("map.accuracy.none", lang))
        return
    frame = accuracy_frame(result.weeks, lang)
    key = ("map.accuracy", db_url, version, query.station_wide(), lang)
    for column, measure in zip(st.columns(2), MEASURES, strict=True):
        with column:
            show_chart(
                chart_spec(
                    lambda measure=measure: accuracy_chart(frame, measure, lang),
                    cache_key=(*key, measure),
                )
            )
    st.caption(means_sentence(result.means, lang))
    st.caption(text("map.accuracy.caption", lang, days=result.train_days))
