"""ui.serve: the brief's default view is computed before the server listens."""

from __future__ import annotations

import os
import subprocess
import sys

import streamlit as st

from analytics.compute import hotspots, periods, status
from analytics.station.config import REPO_ROOT
from analytics.storage import store
from tests.conftest import run_page


def test_after_warming_the_first_brief_computes_nothing(app_env, monkeypatch):
    from ui import data

    st.cache_data.clear()
    steps = dict(data.warm_landing(data.store_url()))
    assert {"imports", "store", "hotspots", "accuracy and units", "map"} <= set(steps)

    def computed(*_a, **_k):
        raise AssertionError("the warmed brief computed this again")

    for module, name in [
        (status, "hotspot_status"),
        (hotspots, "find_hotspots"),
        (periods, "unit_table"),
        (store, "read_events"),
    ]:
        monkeypatch.setattr(module, name, computed)
    at = run_page()
    assert not at.exception, at.exception
    assert at.metric and at.query_params["week"] == "2017-12-29"


def test_an_empty_store_warms_without_error(tmp_path, monkeypatch):
    from ui import data

    monkeypatch.setenv("HOTSPOT_DB", str(tmp_path / "empty.sqlite"))
    store.open_store(str(tmp_path / "empty.sqlite")).dispose()
    steps = [name for name, _ in data.warm_landing(data.store_url())]
    assert steps == ["imports", "store"]


def run_python(code: str, db) -> subprocess.CompletedProcess:
    """``python -c code`` in a fresh interpreter from the repo, with ``db`` as the store."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={**os.environ, "HOTSPOT_DB": str(db)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_flags_after_warming_take_effect_without_a_restart_warning(app_env):
    """`streamlit run` parses the config again with --server.port: no 'please restart'."""
    code = (
        "from ui import serve; serve.warm(); from streamlit import config; "
        "config.get_config_options(force_reparse=True, options_from_flags={'server.port': 8999}); "
        "print(config.get_option('server.port'), config.get_option('server.enableStaticServing'))"
    )
    out = run_python(code, app_env)
    assert out.stdout.strip().splitlines()[-1] == "8999 True"
    assert "준비 완료" in out.stderr and "please restart" not in out.stderr


def test_app_modules_import_without_scikit_learn_or_scipy_stats(app_env):
    """About a second of start-up: only a clustering needs the dbscan package (and sklearn)."""
    code = (
        "import sys, importlib, pkgutil, ui, analytics; "
        "[importlib.import_module(m.name) for m in pkgutil.iter_modules(ui.__path__, 'ui.')]; "
        "import analytics.answer, analytics.compute.backtest, analytics.compute.brief; "
        "print(sorted(m for m in ('sklearn', 'scipy.stats', 'dbscan') if m in sys.modules))"
    )
    out = run_python(code, app_env)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_first_clustering_brings_the_dbscan_package():
    import numpy as np

    xy = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [500.0, 500.0]])
    labels, core, backend = hotspots.dbscan_labels(xy, eps_m=1.5, min_samples=2)
    assert backend == "dbscan" and list(labels) == [0, 0, 0, -1] and core[:3].all()


def test_the_dbscan_engine_comes_without_scikit_learn(app_env):
    """Its package's scikit-learn wrapper is not loaded (a second of every CLI call)."""
    code = (
        "import sys, numpy as np; from analytics.compute import hotspots; "
        "xy = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [500.0, 500.0]]); "
        "labels, _, backend = hotspots.dbscan_labels(xy, eps_m=1.5, min_samples=2); "
        "print(backend, labels.tolist(), 'sklearn' in sys.modules)"
    )
    out = run_python(code, app_env)
    assert out.stdout.strip().splitlines()[-1] == "dbscan [0, 0, 0, -1] False"
