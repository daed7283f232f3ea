"""The pages' charts: time axes and date tooltips in the viewer's language, and a cache.

Every chart goes through :func:`show_chart` with a :func:`chart_spec`, kept in
``st.cache_data`` on plain values (the store, data version, view, language): building
the Altair chart and converting it (with schema validation) runs once per view, not
on every rerun.

Vega-Lite writes month names in English ("February") whatever the page language;
these give "2월" on a Korean page, with the year on January ("2018년 1월").
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import altair as alt
import streamlit as st

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


def vega_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec ``st.altair_chart(chart)`` sends, its data as Arrow datasets.

    Streamlit's own conversion (``altair_chart`` calls it), so the chart is the same;
    the spec is plain data (bytes, strings, numbers) that ``st.cache_data`` can keep.
    """
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    return _convert_altair_to_vega_lite_spec(chart)


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_spec(cache_key: tuple, _build: Callable[[], alt.TopLevelMixin]) -> dict:
    return vega_spec(_build())


def chart_spec(build: Callable[[], alt.TopLevelMixin], *, cache_key: tuple[Hashable, ...]) -> dict:
    """The spec of the chart ``build()`` returns, built and converted once per ``cache_key``.

    ``cache_key`` names the chart and everything it shows: the store URL, the data
    version (a viewer's differs from an analyst's) and the plain values its frame was
    loaded with, and the language.
    """
    return _cached_spec(tuple(cache_key), _build=build)


def show_chart(spec: dict) -> None:
    """Draw a :func:`chart_spec` across its column, as ``st.altair_chart(..., width="stretch")``."""
    st.vega_lite_chart(spec, width="stretch")
