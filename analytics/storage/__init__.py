"""Storage: the event store, its schema and migrations, and the importers that fill it.

Nothing outside this room writes SQL or reads an export file.
"""
