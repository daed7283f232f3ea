"""Property tests: no input crashes the importer or half-imports."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.storage import store
from analytics.storage.importers.core import import_file
from analytics.storage.importers.errors import ImportFileError
from tests.conftest import MARKET, NOW, csv_bytes

HEADER = ["접수번호", "접수일시", "사건종별", "긴급도", "발생장소", "위도", "경도", "비고"]

cell = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "2017-10-10 21:35",
            "20171010",
            "2017년 10월 10일 오후 9시",
            "43018",
            str(MARKET["lat"]),
            str(MARKET["lon"]),
            "용남시장",
            "공설시장 뒤",
            "=1+1",
        ]
    ),
)
row = st.lists(cell, min_size=0, max_size=10)


def snapshot(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (store.events, store.import_batches, store.rejected_rows)
        )


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory):
    """One store reused across examples: each import must change it all or not at all."""
    return store.open_store(str(tmp_path_factory.mktemp("prop") / "store.sqlite"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(shared_engine, data):
    before = snapshot(shared_engine)
    try:
        result = import_file(data, source="incident", db=shared_engine, file_name="x.csv", now=NOW)
    except ImportFileError as exc:
        assert exc.text("ko") and exc.text("en")
        assert snapshot(shared_engine) == before
    else:
        after = snapshot(shared_engine)
        assert after[1] == before[1] + 1
        assert after[0] == before[0] + result.imported
        assert after[2] == before[2] + len(result.rejected)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, min_size=1, max_size=8), encoding=st.sampled_from(["utf-8", "cp949"]))
def test_arbitrary_cells_land_or_are_rejected_with_a_reason(shared_engine, rows, encoding):
    cells = [["" if c is None else str(c) for c in r] for r in rows]
    try:
        data = csv_bytes([HEADER, *cells], encoding=encoding)
    except UnicodeEncodeError:
        data = csv_bytes([HEADER, *cells], encoding="utf-8")
    before = snapshot(shared_engine)
    try:
        result = import_file(data, source="incident", db=shared_engine, file_name="x.csv", now=NOW)
    except ImportFileError:
        assert snapshot(shared_engine) == before
        return
    # Every non-blank data row is accounted for: imported, duplicate or rejected.
    accounted = result.imported + result.duplicates + len(result.rejected) + result.blank_rows
    assert accounted == result.rows_total + result.blank_rows
    for r in result.rejected:
        assert r.row_number >= 2 and r.reason and r.reason_en
    after = snapshot(shared_engine)
    assert after[0] - before[0] == result.imported
