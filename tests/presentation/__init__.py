"""Tests of the presentation room."""
