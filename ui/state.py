"""The view state that lives in the URL query string."""

from __future__ import annotations

import streamlit as st

from ui.i18n import LANGS


def url_lang() -> str:
    """The language the URL asks for: ``?lang=en``, else Korean."""
    lang = st.query_params.get("lang", "ko")
    return lang if lang in LANGS else "ko"


def current_lang() -> str:
    """The language toggle's value once it is drawn, else the URL's."""
    lang = st.session_state.get("lang")
    return lang if lang in LANGS else url_lang()


def sync_lang_to_url() -> None:
    """Callback of the language toggle: keep the URL shareable."""
    set_lang(st.session_state["lang"])


def set_lang(lang: str) -> None:
    if lang == "ko":
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang
