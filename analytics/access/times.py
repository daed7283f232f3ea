"""Times in the access tables: ISO-8601 text on the station's clock.

Users, sessions, grants, failed attempts and audit entries keep their times as text
with the station's offset (``2017-10-13T08:00:00+09:00``), like the rest of the store:
text with one fixed offset sorts as time does, so a plain ``>`` compares instants.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from analytics.station import clock


def moment(now: datetime | pd.Timestamp | None) -> pd.Timestamp:
    """``now`` on the station's clock (naive times are read as station time); None is now.

    Every function that takes ``now=`` (tests pin it) resolves it here.
    """
    return clock.now() if now is None else clock.local(now)


def to_text(ts: pd.Timestamp, timespec: str = "seconds") -> str:
    """``ts`` as ISO text on the station's clock, to ``timespec`` (seconds, microseconds …)."""
    return clock.local(ts).isoformat(timespec=timespec)


def from_text(value: str | None) -> pd.Timestamp | None:
    """A time the store holds as text, on the station's clock (None stays None)."""
    return None if value is None else clock.local(value)
