"""The errors of an import that cannot go ahead at all.

Every step of the importers (reading, header mapping, the import itself) and the
suggestion-box log raise these; the message is a catalogue key (``[error]`` in
``analytics/text/import.toml``) so that the app shows it in the reader's language.
"""

from __future__ import annotations

from analytics.text import text as message


class ImportFileError(Exception):
    """The file cannot be imported at all. ``key`` and ``params`` name a message."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(message(key, "ko", **params))

    def text(self, lang: str = "ko") -> str:
        return message(self.key, lang, **self.params)


class ImportLimitError(ImportFileError):
    """The file is over a cap of ``station.toml`` ``[import]``; the message names the
    cap and the value found."""
