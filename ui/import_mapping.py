"""The data page's column mapping: a select per field, and mappings saved by name.

When the importer does not recognise a column (or whenever the analyst wants), the
preview offers a select per field, required ones first and marked, listing the file's
headers and "사용 안 함"; the preview follows the choice at once, and the import uses
it. A mapping chosen by hand is complete: every header not chosen is ignored, so what
the preview shows is exactly what is imported. The mapping of the preview (hand-made or
not) can be saved as a named template for the session's station and source
(:mod:`analytics.storage.mappings`); next week the analyst picks it above the preview.

State: the selects of one upload, source and template share a *scope* (their keys'
prefix); a new upload, source or template starts from the importer's mapping again.
The scope is marked manual once a select is changed: only then does the page pass the
selects' mapping (a sorted tuple of pairs, for :func:`ui.data_admin.preview`'s cache).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import streamlit as st

from analytics.storage.importers.date_order import describe as describe_date_order
from analytics.storage.importers.headers import LOCATION_FIELDS, REQUIRED_FIELDS, fields_for
from analytics.storage.mappings import DATE_ORDERS, NAME_MAX
from ui.data_admin import save_template, templates
from ui.i18n import text
from ui.preload import INPUT_KEY
from ui.tables_data import field_label

NOT_USED = ""  # a field's select: the column "사용 안 함"; the template select: none
ORDERS = ("auto", *DATE_ORDERS)
_MANUAL = "d_map_manual"
_MESSAGE = "d_map_message"


@dataclass(frozen=True)
class Choice:
    """What the analyst chose for an upload: a template, a mapping, a date order."""

    scope: str
    template: object | None  # analytics.storage.mappings.ImportTemplate
    mapping: tuple[tuple[str, str], ...] | None
    day_first: bool | None
    manual: bool


def plain(value) -> str:
    """Text from a file or a user (a header, a template's name) shown as it is written,
    not as Markdown: ``**x**`` stays two stars, a link stays text."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(value))


def plain_list(values) -> str:
    return ", ".join(plain(v) for v in values)


def field_order(source: str) -> list[str]:
    """The fields of ``source`` as the selects list them: required, place, the rest."""
    first = [*REQUIRED_FIELDS, *LOCATION_FIELDS]
    return first + [f for f in fields_for(source) if f not in first]


def field_title(field: str, lang: str) -> str:
    name = field_label(field, lang)
    if field in REQUIRED_FIELDS:
        return text("data.map.required", lang, field=name)
    if field in LOCATION_FIELDS:
        return text("data.map.location", lang, field=name)
    return name


def _key(scope: str, name: str) -> str:
    return f"d_map_{scope}_{name}"


def _template_key(source: str) -> str:
    return f"d_template_{source}"


def pick_template(db_url: str, source: str, lang: str):
    """The template select (only when the station has templates for ``source``); the
    template picked, or None."""
    saved = {t.name: t for t in templates(db_url, source)}
    key = _template_key(source)
    if st.session_state.get(key) not in (NOT_USED, None, *saved):
        del st.session_state[key]  # a template of another station
    if not saved:
        return None
    name = st.selectbox(
        text("data.map.template", lang),
        [NOT_USED, *saved],
        format_func=lambda n: n or text("data.map.auto", lang),
        key=key,
    )
    return saved.get(name)


def current_choice(upload_id: str, source: str, template) -> Choice:
    """The mapping and date order to preview and import with, from the selects' state
    (their last run) and the template."""
    scope = hashlib.sha1(
        f"{upload_id}|{source}|{template.name if template else ''}".encode()
    ).hexdigest()[:10]
    ss = st.session_state
    manual = scope in ss.get(_MANUAL, set())
    order = ss.get(_key(scope, "date_order"))
    if order is None:
        order = template.date_order if template and template.date_order else "auto"
    day_first = DATE_ORDERS.get(order)
    if manual:
        columns: dict[str, str] = {}
        for field in field_order(source):
            column = ss.get(_key(scope, field))
            if column:
                columns.setdefault(column, field)
        for header in ss.get(_key(scope, "headers"), []):
            columns.setdefault(header, "ignore")
        mapping = tuple(sorted(columns.items()))
    elif template is not None:
        mapping = tuple(sorted(template.columns.items()))
    else:
        mapping = None
    return Choice(scope, template, mapping, day_first, manual)


def _mark_manual(scope: str) -> None:
    st.session_state.setdefault(_MANUAL, set()).add(scope)


def needs_mapping(p: dict) -> bool:
    """True when the importer could not find what an import needs."""
    columns = p.get("columns") or {}
    has_place = ("lat" in columns and "lon" in columns) or ("x" in columns and "y" in columns)
    return (
        bool(p["error"])
        or "occurred_at" not in columns
        or not (has_place or "location_text" in columns)
    )


def date_order_note(p: dict, lang: str) -> None:
    """How dates written with the year last were read: a warning when they were not."""
    if not p.get("date_order"):
        return
    reason, code, cells = p["date_order"]
    sentence = describe_date_order(reason, code, cells, lang)
    (st.warning if code is None else st.caption)(sentence)


def panel(p: dict, choice: Choice, source: str, db_url: str, lang: str) -> None:
    """The selects (in an expander, open when something required is missing or the
    analyst has changed them), the date order, and saving the mapping by name."""
    headers = p.get("headers") or []
    if not headers:
        return
    ss = st.session_state
    ss[_key(choice.scope, "headers")] = headers
    columns = p.get("columns") or {}
    options = [NOT_USED, *headers]
    expanded = needs_mapping(p) or choice.manual or bool(p.get("date_order"))
    with st.expander(text("data.map.title", lang), expanded=expanded):
        st.caption(text("data.map.help", lang))
        grid = st.columns(3)
        chosen: dict[str, list[str]] = {}
        for i, field in enumerate(field_order(source)):
            key = _key(choice.scope, field)
            if ss.get(key) not in (None, *options):
                del ss[key]  # another sheet's header
            current = columns.get(field)
            value = grid[i % 3].selectbox(
                field_title(field, lang),
                options,
                index=options.index(current) if current in options else 0,
                format_func=lambda c: c or text("data.map.not_used", lang),
                key=key,
                on_change=_mark_manual,
                args=(choice.scope,),
            )
            if value:
                chosen.setdefault(value, []).append(field)
        twice = [c for c, fields in chosen.items() if len(fields) > 1]
        if twice:
            st.warning(text("data.map.twice", lang, cols=plain_list(twice)))
        if p.get("date_order") or choice.day_first is not None:
            st.radio(
                text("data.map.date_order", lang),
                ORDERS,
                index=ORDERS.index(_order_code(choice)),
                format_func=lambda o: text(f"data.map.order.{o}", lang),
                horizontal=True,
                key=_key(choice.scope, "date_order"),
            )
        if not p["error"]:
            _save_form(p, source, db_url, lang)
    message = ss.pop(_MESSAGE, None)
    if message:
        kind, words = message
        (st.success if kind == "ok" else st.error)(words)


def _order_code(choice: Choice) -> str:
    return {True: "dmy", False: "mdy"}.get(choice.day_first, "auto")


def _save_form(p: dict, source: str, db_url: str, lang: str) -> None:
    """A name and a button: the preview's mapping saved as a template."""
    columns = {column: field for field, column in p["columns"].items()}
    columns |= {column: "ignore" for column in p["unused"] if column not in columns}
    order = p["date_order"][1] if p.get("date_order") else None
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    # Keyed by the language: the served page's CSS says "Press Enter" in it.
    with left.container(key=f"{INPUT_KEY}_{lang}"):
        st.text_input(
            text("data.map.name", lang),
            key=f"d_tpl_name_{source}",
            placeholder=text("data.map.name_hint", lang),
            max_chars=NAME_MAX,
        )
    right.button(
        text("data.map.save", lang),
        key=f"d_tpl_save_{source}",
        on_click=_save,
        args=(db_url, source, columns, order, lang),
    )


def _save(db_url: str, source: str, columns: dict, order: str | None, lang: str) -> None:
    """The save button's callback: store, then pick the new template above the preview."""
    from analytics.storage.connection import StoreBusyError

    ss = st.session_state
    name = " ".join(str(ss.get(f"d_tpl_name_{source}", "")).split())
    if not name:
        ss[_MESSAGE] = ("error", text("data.map.name_missing", lang))
        return
    try:
        saved = save_template(db_url, source, name, columns, order)
    except StoreBusyError:
        ss[_MESSAGE] = (
            "error",
            text("data.map.save_failed", lang, reason=text("error.busy", lang)),
        )
        return
    except ValueError as exc:
        ss[_MESSAGE] = ("error", text("data.map.save_failed", lang, reason=str(exc)))
        return
    ss[_template_key(source)] = saved.name
    ss[_MESSAGE] = ("ok", text("data.map.saved", lang, name=plain(saved.name)))
