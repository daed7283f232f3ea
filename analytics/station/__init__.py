"""The station: its configuration file, geography, category codes and (soon) its clock.

Everything Namwon-specific is data (``data/station.toml``, ``data/geo/``); these
modules read it once and hand frozen objects to every other room.
"""
