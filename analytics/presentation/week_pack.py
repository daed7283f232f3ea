"""The week's meeting pack straight from the store: what the brief's download button
and ``python -m analytics pack`` both give (one function, so they cannot drift apart).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.access.privacy import PrivacyRule
from analytics.query import HotspotQuery, reporting_period
from analytics.station.geo import StationGeography


def meeting_pack_html(
    db,
    *,
    geo: StationGeography,
    query: HotspotQuery,
    rule: PrivacyRule,
    lang: str = "ko",
) -> str:
    """The meeting pack (one offline HTML file) of ``query``'s period, as ``rule``'s role
    may see it.

    Station-wide: the query's period and DBSCAN setting (None: the station's tuned or
    fixed setting) over all sources at their default weights, no category filter, like
    the brief's default view.

    Parameters
    ----------
    db : sqlalchemy.Engine, the store
    geo : StationGeography, whose station's rows are read
    query : HotspotQuery with a period; only its period and setting count
    rule : PrivacyRule, the role's (a viewer's pack has no exact sensitive place)
    lang : {'ko', 'en'}
    """
    from analytics.answer import answer_hotspot_query, resolve_query
    from analytics.compute import brief, periods
    from analytics.compute.facilities import with_facility_distances
    from analytics.presentation.decisions import cpted_for_week, follow_up_for_week
    from analytics.presentation.meeting_pack import build_meeting_pack
    from analytics.station import clock
    from analytics.storage import store
    from analytics.storage.facilities import read_facilities

    query = query.station_wide()
    start, end = query.require_period()
    events = store.read_events(db, station=geo.station)
    frame = rule.clustering_events(events, geo=geo) if rule.masks else events
    answer = answer_hotspot_query(query, db=db, geo=geo, rule=rule, events=frame)
    # How far each hotspot, as this role receives it, stands from the station's
    # cameras, lights and bells (when any layer is loaded), as in the CLI's files.
    facilities = read_facilities(db, station=geo.station)
    hotspots = answer.shown.current
    if len(facilities):
        hotspots = with_facility_distances(hotspots, facilities)
    units = periods.unit_table(
        events,
        period=periods.Period(start, end),
        geo=geo,
        hotspots=pd.DataFrame({"police_unit": list(hotspots["police_unit"].dropna())}),
    )
    # Scored on the exact incidents: only a sentence leaves with it.
    resolved, _ = resolve_query(query, db=db, geo=geo, events=events)
    accuracy = brief.forecast_accuracy(events, resolved, geo=geo)
    meeting = clock.local(end).date()
    return build_meeting_pack(
        station=geo.station,
        geo=geo,
        period=(start, end),
        headline=brief.headline_figures(events, start=start, end=end),
        hotspots=hotspots,
        units=units,
        accuracy_sentence=accuracy.accuracy_sentence(lang) if accuracy else None,
        setting_sentence=answer.sentence(lang),
        lang=lang,
        synthetic=store.store_is_synthetic(db, station=geo.station),
        gone=answer.shown.gone,
        withheld=len(answer.shown.withheld),
        follow_up=follow_up_for_week(db, station=geo.station, week=meeting, events=events),
        # Requests sent to the city and its answers (no answer's note, whatever the role).
        cpted=cpted_for_week(db, station=geo.station, week=meeting),
    )


def week_query(week: dt.date) -> HotspotQuery:
    """The brief's default question for meeting day ``week``: its reporting week."""
    return HotspotQuery().with_period(*reporting_period(week, "week"))


def default_week(
    last_event: pd.Timestamp | None, *, meeting_weekday: int, today: pd.Timestamp | None = None
) -> dt.date | None:
    """The meeting day of the latest reporting week with data (None: no data).

    On a live store (data up to yesterday or today) that is the coming meeting; on old
    data (the demo year) its last complete reporting week.
    """
    from analytics.compute import periods
    from analytics.compute.backtest import meeting_end_for
    from analytics.station import clock

    if last_event is None:
        return None
    today = clock.today() if today is None else today
    after_last = clock.local(last_event).normalize() + pd.Timedelta(days=1)
    if after_last >= today:
        return periods.meeting_date(today.date(), meeting_weekday=meeting_weekday)
    return meeting_end_for(after_last, meeting_weekday).date()
