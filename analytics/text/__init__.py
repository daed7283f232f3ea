"""The one message catalogue: every sentence the app, the CLI, the maps and the meeting
pack show to a person, Korean first, English second.

The sentences live in the TOML files beside this module, one per part of the app
(``import.toml``, ``maps.toml``, ``ui_brief.toml`` …), written so that a translator
can read them without Python::

    [brief]
    title.ko = "확대간부회의 브리핑"
    title.en = "Expanded staff meeting brief"

gives the key ``brief.title``. Placeholders are :meth:`str.format` fields
(``{n}``, ``{eps}``, ``{rows:,}``).

One rule for everything: :func:`text` answers in the language asked for when it is one
of :data:`LANGS`, and in Korean (the station's language) for any other value; a key
that is not in the catalogue raises :class:`KeyError`. Loading refuses a key defined
twice or without both languages, so a gap shows on the first import, not in front of
the meeting.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"
CATALOGUE_DIR = Path(__file__).resolve().parent


def _leaves(table: dict, prefix: str, out: dict[str, dict[str, str]], origin: str) -> None:
    here = {k: v for k, v in table.items() if k in LANGS}
    if here:
        if set(here) != set(LANGS) or not all(isinstance(v, str) and v for v in here.values()):
            raise ValueError(f"{origin}: '{prefix}' needs a non-empty 'ko' and 'en' text")
        if prefix in out:
            raise ValueError(f"{origin}: catalogue key '{prefix}' is defined twice")
        out[prefix] = here
    for key, value in table.items():
        if key in LANGS:
            continue
        if not isinstance(value, dict):
            raise ValueError(f"{origin}: '{prefix}.{key}' is not a ko/en entry")
        _leaves(value, f"{prefix}.{key}" if prefix else key, out, origin)


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every entry, ``{key: {"ko": ..., "en": ...}}``, read once from the TOML files."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            _leaves(tomllib.load(fh), "", out, path.name)
    return out


def language(lang: str | None) -> str:
    """``lang`` when the catalogue has it, else Korean."""
    return lang if lang in LANGS else DEFAULT_LANG


def text(key: str, lang: str | None = DEFAULT_LANG, /, **params) -> str:
    """The entry ``key`` in ``lang`` (Korean for an unknown language), formatted with ``params``.

    Raises
    ------
    KeyError
        ``key`` is not in the catalogue.
    """
    entry = catalogue()[key]
    template = entry[language(lang)]
    return template.format(**params) if params else template


def has(key: str) -> bool:
    return key in catalogue()
