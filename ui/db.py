"""The store this server reads: its URL and one SQLAlchemy engine per URL.

Its own module so that sign-in (:mod:`ui.auth`) and the cached loaders
(:mod:`ui.data`) both reach the store without importing each other.
"""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from analytics.station.config import resolve_db_url
from analytics.storage import store


def store_url() -> str:
    """The store's URL (``HOTSPOT_DB`` / ``DATABASE_URL``, else data/store.sqlite)."""
    return resolve_db_url(None)


@st.cache_resource
def db_for(db_url: str) -> sa.Engine:
    return store.open_store(db_url)
