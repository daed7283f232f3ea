"""Hotspot analytics for Korean police stations: store, importers, engine, CLI.

Pure Python. Nothing in this package imports streamlit.
"""
