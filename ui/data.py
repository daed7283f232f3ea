"""Cached loaders keyed on plain values: the store URL and the store's version."""

from __future__ import annotations

import os

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from analytics import store
from analytics.config import resolve_db_url


def store_url() -> str:
    return resolve_db_url(None)


def store_version(url: str) -> float:
    """Changes whenever the store is written: the SQLite files' newest mtime."""
    db = sa.engine.make_url(url).database
    if not db:
        return 0.0
    return max((os.path.getmtime(p) for p in (db, db + "-wal") if os.path.exists(p)), default=0.0)


@st.cache_resource
def engine_for(url: str) -> sa.Engine:
    return store.open_store(url)


@st.cache_data(show_spinner=False)
def load_overview(url: str, version: float) -> dict:
    """Counts per source, the covered period, batches and synthetic flag."""
    engine = engine_for(url)
    counts = store.source_counts(engine)
    frame = store.read_events(engine)
    batches = store.list_batches(engine)
    return {
        "counts": counts,
        "start": frame["occurred_at"].min() if len(frame) else None,
        "end": frame["occurred_at"].max() if len(frame) else None,
        "outside": int((~frame["inside_station"]).sum()) if len(frame) else 0,
        "synthetic": store.store_is_synthetic(engine),
        "batches": batches.drop(columns=["summary_json"]),
        "rejected": store.read_rejected(engine),
    }


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame()
