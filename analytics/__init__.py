"""Hotspot analytics for Korean police stations. Pure Python: nothing here imports streamlit.

Rooms (the README's "map of rooms" says more):

``query``, ``answer``
    The one hotspot question (:class:`analytics.query.HotspotQuery`) and its answer.
``station``
    The station file, geography, category codes and clock.
``storage``
    The store, its tables, migrations and the importers.
``access``
    Users, sessions, the audit log, the privacy rule and masking.
``compute``
    Pure functions over event frames: hotspots, periods, status, evaluation, backtest.
``presentation``
    Folium maps, the meeting pack and safe exports.
``text``
    The one message catalogue (Korean first, English).
``demo``
    The seeded synthetic year.
``cli``
    ``python -m analytics``.
"""
