"""Altair pieces shared by the pages' charts: time axes and date tooltips in the viewer's language.

Vega-Lite writes month names in English ("February") whatever the page language;
these give "2월" on a Korean page, with the year on January ("2018년 1월").
"""

from __future__ import annotations

import altair as alt

from ui.i18n import text


def date_format(lang: str) -> str:
    """The d3-time-format pattern of a date in ``lang``: '%Y.%m.%d' or '%d %b %Y'."""
    return text("charts.date", lang)


def month_label_expr(lang: str) -> str:
    """A Vega expression labelling a time tick by its month, January with its year."""
    with_year, month = text("charts.month_with_year", lang), text("charts.month", lang)
    return (
        f"month(datum.value) == 0 ? timeFormat(datum.value, '{with_year}')"
        f" : timeFormat(datum.value, '{month}')"
    )


def time_x(field: str, *, title: str, lang: str) -> alt.X:
    """An x encoding for a temporal ``field`` with monthly ticks labelled in ``lang``."""
    return alt.X(
        f"{field}:T",
        title=title,
        axis=alt.Axis(labelExpr=month_label_expr(lang), tickCount="month"),
    )


def date_tooltip(field: str, *, title: str, lang: str) -> alt.Tooltip:
    """A tooltip that shows a temporal ``field`` as a date in ``lang`` (2017.10.13)."""
    return alt.Tooltip(f"{field}:T", title=title, format=date_format(lang))
