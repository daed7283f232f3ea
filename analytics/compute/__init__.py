"""Computation: pure functions over event frames. Hotspots and their profiles,
periods and CompStat, status, patrol targets, evaluation, the backtest and the
tuning behind "auto", and the test of each hotspot against chance (significance).

No I/O here: the store, the access rule and the presentation live in their own rooms.
"""
