"""데이터 관리: import with a preview, the validation report, history with undo, templates."""

from __future__ import annotations

import streamlit as st

from analytics.storage.importers.errors import ImportFileError
from analytics.storage.schema import SOURCES
from analytics.storage.templates import template_csv
from ui import data
from ui.auth import audit_export, require
from ui.data_admin import (
    audit_log,
    audit_refused_upload,
    batch_event_count,
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
    history_table,
    mapping_table,
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
    SOURCES,
    format_func=lambda s: text(f"source.{s}", lang),
    key="d_source",
)
upload = st.file_uploader(
    text("data.file", lang), type=["csv", "xlsx", "xlsm", "txt"], key="d_file"
)
if upload is not None:
    content = upload.getvalue()
    sheet = st.session_state.get("d_sheet")
    p = preview(content, upload.name, source, sheet, db_url, version)
    if p["error"]:
        st.error(text("data.failed", lang, reason=p["error"][lang]))
        audit_refused_upload(upload.file_id, upload.name, p["audit_detail"], db_url)
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
        c = st.columns(4)
        c[0].metric(text("data.rows", lang), number(p["rows"]))
        c[1].metric(text("data.usable", lang), number(p["usable"]))
        c[2].metric(text("data.already", lang), number(p["already"]))
        c[3].metric(text("data.rejected", lang), number(len(p["rejected"])))
        left, right = st.columns([1, 2])
        left.caption(text("data.columns", lang))
        left.dataframe(mapping_table(p["columns"], lang), hide_index=True)
        if p["unused"]:
            left.caption(text("data.unused", lang, cols=", ".join(p["unused"])))
        right.caption(text("data.sample", lang))
        right.dataframe(sample_rows(p["events"], lang), hide_index=True)
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
st.dataframe(history_table(history, lang), hide_index=True, width="stretch")
active = active_batches(history)
if active:
    with st.expander(text("data.undo", lang)):
        pick = st.selectbox(text("data.undo_pick", lang), active, key="d_undo_batch")
        ok = st.checkbox(
            text("data.undo_confirm", lang, n=number(batch_event_count(db_url, pick))),
            key="d_undo_ok",
        )
        if st.button(text("data.undo_button", lang), disabled=not ok, key="d_undo"):
            n = undo(db_url, pick)
            st.success(text("data.undone", lang, batch=pick, n=number(n)))
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
