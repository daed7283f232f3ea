"""Tests of the compute room."""
