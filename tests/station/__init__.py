"""Tests of the station room."""
