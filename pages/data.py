"""데이터 관리: import with a preview, the validation report, history with undo, templates."""

from __future__ import annotations

import streamlit as st

from analytics.storage.facilities import FACILITY_KINDS
from analytics.storage.importers.date_order import describe as describe_date_order
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.importers.reading import human_size
from analytics.storage.places import PLACES_SOURCE
from analytics.storage.schema import SOURCES
from analytics.storage.templates import template_csv
from ui import data, import_mapping, preload
from ui.auth import audit_export, require
from ui.data_admin import (
    audit_log,
    audit_refused_upload,
    batch_event_count,
    batch_summary,
    batches,
    preview,
    rejected,
    rejected_csv,
    run_import,
    undo,
)
from ui.i18n import number, text
from ui.state import view
from ui.tables_data import (
    active_batches,
    audit_table,
    facility_mapping_table,
    facility_sample_rows,
    history_table,
    mapping_table,
    place_sample_rows,
    reasons_table,
    sample_rows,
    stored_reasons_table,
)

state = view()
lang = state.lang
require("analyst", lang)  # refused on the server, whatever the link says
db_url = data.store_url()
version = data.data_version(db_url)
st.title(text("data.title", lang))

st.subheader(text("data.import", lang))
source = st.selectbox(
    text("data.source", lang),
    # The events, then the safety facility layers, then the officers' own places.
    (*SOURCES, *FACILITY_KINDS, PLACES_SOURCE),
    format_func=lambda s: text(f"source.{s}", lang),
    key="d_source",
)
# A facility file (public data portal standard data) is read by its standard headers.
facility = source in (*FACILITY_KINDS, PLACES_SOURCE)
if facility:
    st.caption(text("data.places.note" if source == PLACES_SOURCE else "data.facility.note", lang))
template = None if facility else import_mapping.pick_template(db_url, source, lang)
# Keyed by the language: the served page's CSS puts the dropzone's words in it.
with st.container(key=f"{preload.UPLOAD_KEY}_{lang}"):
    upload = st.file_uploader(
        text("data.file", lang), type=["csv", "xlsx", "xlsm", "txt"], key="d_file"
    )
limits = data.station_of(version).import_limits
st.caption(
    text("data.file_limit", lang, limit=human_size(limits.max_file_bytes), rows=limits.max_rows)
)
if upload is not None:
    content = upload.getvalue()
    sheet = st.session_state.get("d_sheet")
    choice = import_mapping.current_choice(upload.file_id, source, template)
    p = preview(
        content, upload.name, source, sheet, db_url, version, choice.mapping, choice.day_first
    )
    if template is not None and not choice.manual:
        st.caption(
            text(
                "data.map.template_used",
                lang,
                name=import_mapping.plain(template.name),
                by=import_mapping.plain(template.created_by),
                at=template.created_at[:16].replace("T", " "),
            )
        )
    if p["error"]:
        st.error(text("data.failed", lang, reason=p["error"][lang]))
        audit_refused_upload(upload.file_id, upload.name, p["audit_detail"], db_url)
        if p["headers"]:
            st.caption(text("data.map.fix", lang))
        if not facility:
            import_mapping.panel(p, choice, source, db_url, lang)
    else:
        if len(p["sheets"]) > 1:
            st.selectbox(
                text("data.sheet", lang),
                p["sheets"],
                index=p["sheets"].index(p["sheet"]),
                key="d_sheet",
            )
        st.markdown(f"**{text('data.preview', lang)}**")
        st.caption(
            text(
                "data.detected", lang, encoding=p["encoding"], header=p["header_row"], crs=p["crs"]
            )
        )
        import_mapping.date_order_note(p, lang)
        c = st.columns(4)
        c[0].metric(text("data.rows", lang), number(p["rows"]))
        c[1].metric(text("data.usable", lang), number(p["usable"]))
        c[2].metric(text("data.already", lang), number(p["already"]))
        c[3].metric(text("data.rejected", lang), number(len(p["rejected"])))
        left, right = st.columns([1, 2])
        left.caption(text("data.columns", lang))
        if facility:
            left.dataframe(facility_mapping_table(p["columns"], lang), hide_index=True)
            right.caption(text("data.sample", lang))
            sample = place_sample_rows if source == PLACES_SOURCE else facility_sample_rows
            right.dataframe(sample(p["facilities"], lang), hide_index=True)
            for note in p["notes"][lang]:
                st.info(note)
        else:
            left.dataframe(mapping_table(p["columns"], lang), hide_index=True)
            right.caption(text("data.sample", lang))
            right.dataframe(sample_rows(p["events"], lang), hide_index=True)
        if p["unused"]:  # never dropped without saying so
            cols = import_mapping.plain_list(p["unused"])
            st.info(text("data.unused", lang, n=len(p["unused"]), cols=cols))
        if not facility:
            import_mapping.panel(p, choice, source, db_url, lang)
        if p["rejected"]:
            st.caption(text("data.reasons", lang))
            st.dataframe(
                reasons_table(p["rejected"], lang), hide_index=True, width="stretch", height=200
            )
        if st.button(text("data.commit", lang), type="primary", key="d_commit"):
            bar = st.progress(0.0, text=text("data.progress", lang, stage="read"))
            try:
                result = run_import(
                    content,
                    upload.name,
                    source,
                    sheet,
                    db_url,
                    lambda f, s: bar.progress(
                        min(f, 1.0), text=text("data.progress", lang, stage=s)
                    ),
                    choice.mapping,
                    choice.day_first,
                )
            except ImportFileError as exc:
                st.error(text("data.failed", lang, reason=exc.text(lang)))
            else:
                st.session_state["d_last_batch"] = result.batch_id
                st.success(
                    text(
                        "data.done",
                        lang,
                        imported=number(result.imported),
                        dup=number(result.duplicates),
                        rejected=number(len(result.rejected)),
                        batch=result.batch_id,
                    )
                )
                if result.unused_columns:
                    st.info(
                        text(
                            "data.unused_done",
                            lang,
                            n=len(result.unused_columns),
                            cols=import_mapping.plain_list(result.unused_columns),
                        )
                    )

version = data.data_version(db_url)
history = batches(db_url, version)
st.subheader(text("data.report", lang))
ids = history["batch_id"].tolist()
last = st.session_state.get("d_last_batch")
batch = (
    st.selectbox(
        text("data.report_batch", lang),
        ids,
        index=ids.index(last) if last in ids else 0,
        key="d_report_batch",
    )
    if ids
    else None
)
rows = rejected(db_url, version, batch) if batch else None
summary = batch_summary(db_url, version, batch) if batch else {}
if summary.get("unused_columns"):
    cols = import_mapping.plain_list(summary["unused_columns"])
    st.caption(text("data.report_unused", lang, cols=cols))
order = describe_date_order(
    summary.get("date_order_reason"),
    summary.get("date_order"),
    summary.get("date_order_cells", 0),
    lang,
)
if order:
    st.caption(order)
if rows is None or rows.empty:
    st.caption(text("data.report_none", lang))
else:
    st.dataframe(stored_reasons_table(rows, lang), hide_index=True, width="stretch", height=220)
    st.download_button(
        text("data.download_rejected", lang),
        rejected_csv(db_url, version, batch, lang),
        file_name=f"rejected_{batch}.csv",
        mime="text/csv",
        key="d_dl_rejected",
        on_click=audit_export(f"rejected_{batch}.csv"),
    )

st.subheader(text("data.history", lang))
if history.empty:
    st.caption(text("data.history_empty", lang))  # not Streamlit's "empty" grid
else:
    st.dataframe(history_table(history, lang), hide_index=True, width="stretch")
active = active_batches(history)
if active:
    with st.expander(text("data.undo", lang)):
        pick = st.selectbox(text("data.undo_pick", lang), active, key="d_undo_batch")
        picked = history.loc[history["batch_id"] == pick, "source"]
        # A facility layer's batch removes facilities, a places file's places: said so.
        words = "data.facility." if picked.isin(FACILITY_KINDS).any() else "data."
        words = "data.places." if picked.eq(PLACES_SOURCE).any() else words
        ok = st.checkbox(
            text(f"{words}undo_confirm", lang, n=number(batch_event_count(db_url, pick))),
            key="d_undo_ok",
        )
        if st.button(text("data.undo_button", lang), disabled=not ok, key="d_undo"):
            n = undo(db_url, pick)
            st.success(text(f"{words}undone", lang, batch=pick, n=number(n)))
            st.rerun()

st.subheader(text("data.templates", lang))
cols = st.columns(len(SOURCES))
for col, s in zip(cols, SOURCES, strict=True):
    col.download_button(
        text("data.template", lang, source=text(f"source.{s}", lang)),
        template_csv(s),
        file_name=f"template_{s}.csv",
        mime="text/csv",
        key=f"d_tpl_{s}",
    )

st.subheader(text("data.audit", lang))
log = audit_log(db_url, version)
if log.empty:
    st.caption(text("data.audit_empty", lang))
else:
    st.dataframe(audit_table(log, lang), hide_index=True, width="stretch", height=260)
