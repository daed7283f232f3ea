"""Computation: pure functions over event frames. Hotspots and their profiles,
periods and CompStat, status, patrol targets, evaluation, the backtest and the
tuning behind "auto"; and whether a pattern could be chance: the test of each hotspot
against chance (significance), Gi* on a grid, emerging hot spots and near-repeat
(gistar, emerging, nearrepeat), and what the dashboard shows of them (spacetime).

No I/O here: the store, the access rule and the presentation live in their own rooms.
"""
