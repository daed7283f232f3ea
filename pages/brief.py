"""회의 브리핑: this week in figures, the top hotspots on a map, the 18 units."""

from __future__ import annotations

import streamlit as st

from analytics.compute.changes import legend as changes_legend
from ui import data, data_unit
from ui.auth import audit_export
from ui.decisions import action_section, cpted_section, follow_up_section
from ui.i18n import day_range, number, text
from ui.maps import brief_map_options, projector_legend, static_hotspot_map
from ui.state import view
from ui.tables import hotspot_table, markdown_table, status_counts, unit_view, without_chance
from ui.widgets import change_metric, privacy_note, share_box

state = view()
lang = state.lang
db_url = data.store_url()
version = data.data_version(db_url)
station = data.station_of(version)

st.title(f"{station.name if lang == 'ko' else station.name_en} · {text('brief.title', lang)}")
if state.week is None:
    st.info(text("frame.empty", lang))
    st.stop()
start, end = state.query.require_period()
st.caption(text("brief.week", lang, range=day_range(start, end, lang)))
holidays = data.holidays(start, end, lang)
if holidays:
    st.caption(text("brief.holidays", lang, names=", ".join(f"{d:%m.%d} {n}" for d, n in holidays)))
follow_up_section(db_url, version, state.week, lang)  # last week's decisions, what followed
if not state.present:  # requests to the city and its answers
    cpted_section(db_url, version, state.week, lang)
answer = data.hotspots(db_url, version, state.query)
if not state.present:  # what to act on, first (the projector shows the top table instead)
    action_section(answer.shown.current, lang)

heads = data.headline(db_url, version, start, end)
cols = st.container(key="hs_figures").columns(len(heads))
for col, row in zip(cols, heads.itertuples(), strict=True):
    col.metric(
        text(f"source.{row.source}", lang),
        number(row.count),
        # A percentage only when the counts allow it; a colour only when the exact
        # test says the change is unlikely to be chance (analytics.compute.changes).
        **change_metric(row.change, lang, rise_is_bad=row.source == "incident"),
        delta_description=text("brief.vs_last_week", lang),
        help=row.change.verdict(lang),
    )
    # Printed, not in a tooltip: the room reads the projector, nobody hovers.
    col.caption(
        text("brief.vs_4w", lang, mean=number(row.mean_4w, 1), vs4=row.vs_4w.delta(lang, mark=True))
        + " · "
        + (
            text(
                "brief.vs_last_year",
                lang,
                ly=number(row.last_year),
                vsly=row.vs_last_year.delta(lang, mark=True),
            )
            if row.has_last_year
            else text("brief.no_last_year", lang)
        )
    )
if not state.present:  # the projector has no room for it: the marks are rare there
    st.caption(changes_legend(lang))

hotspots = answer.shown.current
not_chance, chance_hidden = without_chance(hotspots)
top_n = 5 if state.present else 10

# The table gets a little more room than the map: its English rows run long.
left, right = st.columns([5, 6])
with left, st.container(key="hs_brief_map"):
    st.subheader(text("brief.map", lang))
    options = brief_map_options(answer, db_url, version, state)
    static_hotspot_map(**options)
    if state.present:
        projector_legend(options["hotspots"], options["gone"], lang)
with right, st.container(key="hs_brief_top"):
    st.subheader(text("brief.top", lang))
    if hotspots.empty:
        st.info(
            text(
                "brief.no_hotspots",
                lang,
                eps=f"{answer.query.eps_m:g}",
                min=f"{answer.query.min_samples:g}",
            )
        )
    else:
        table = hotspot_table(
            not_chance,
            lang,
            top=top_n,
            categories=1 if state.present else 3,
            chance=False,
            # The projector keeps to what the room acts on (it fits 1080 px in English).
            emerging=None if state.present else data.hotspot_emerging(db_url, version, state.query),
            compact=True,
        )
        # The chief reads places, not the ids analysts look up (the map page has them).
        table = table.drop(columns=[text("col.hotspot_id", lang)])
        if state.present:  # the projector: what the room reads
            table = table.drop(columns=[text("col.type", lang)])
        if len(table):
            st.container(key=f"hs_top_{lang}").markdown(markdown_table(table))
        counts = status_counts(hotspots)
        summary = text(
            "brief.summary",
            lang,
            n=len(hotspots),
            new=counts["new"],
            up=counts["intensifying"],
            clustered=number(answer.shown.n_clustered),
            inside=number(answer.n_in_hotspots),
        )
        if chance_hidden and state.present:  # one line on the projector
            summary += " · " + text("brief.chance_hidden_short", lang, n=chance_hidden)
        st.caption(summary)
        if chance_hidden and not state.present:
            st.caption(text("brief.chance_hidden", lang, n=chance_hidden))
    if state.present:  # the room's first three actions, with why (the table has no room)
        with st.container(key=f"hs_actions_{lang}"):  # its CSS knows the longer English
            action_section(answer.shown.current, lang, most=3)
    else:  # the analyst's detail: which setting made these hotspots
        st.caption(answer.sentence(lang))
    privacy_note(data.privacy_effect(answer), lang)
    acc = data.accuracy(db_url, version, state.query)
    if acc:
        st.container(key="hs_accuracy").markdown(
            f"**{text('brief.accuracy', lang)}** — {acc.accuracy_sentence(lang)}"
        )

if not state.present:
    st.subheader(text("brief.units", lang))
    units = data.unit_table(db_url, version, start, end, tuple(hotspots["police_unit"].dropna()))
    st.markdown(markdown_table(unit_view(units, lang)))
    st.caption(changes_legend(lang))
    week_iso = state.week.isoformat()
    st.download_button(
        text("export.meeting_pack", lang),
        # Built on click: the pack is a whole offline map, not needed to show the brief.
        lambda: data_unit.meeting_pack_bytes(db_url, version, state.query, lang),
        file_name=data_unit.meeting_pack_file_name(week_iso, lang),
        mime="text/html",
        help=text("export.meeting_pack_help", lang),
        key="b_pack",
        on_click=audit_export(data_unit.meeting_pack_file_name(week_iso, lang)),
    )
    share_box(state, lang, "brief")
