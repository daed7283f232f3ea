"""The command line, ``python -m analytics COMMAND``."""
