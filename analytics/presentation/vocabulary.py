"""The hotspot vocabulary every printout shares: type, status and source names.

The maps, the meeting pack and the exported files name a hotspot's type (수렴형 /
Convergent …), its status (신규 / New …) and an event's source (사건·112 …) with the
catalogue's shared ``type.*``, ``status.*`` and ``source.*`` entries, so that they say
what the dashboard says. Each function answers None for a value the catalogue does
not name, and the caller shows the raw value (or a dash) instead.
"""

from __future__ import annotations

from analytics.text import has, text


def _name(kind: str, value, lang: str) -> str | None:
    # A dotted value would reach a nested entry (type.fear.help): not a name.
    if not isinstance(value, str) or not value or "." in value:
        return None
    key = f"{kind}.{value}"
    return text(key, lang) if has(key) else None


def type_name(hotspot_type, lang: str) -> str | None:
    """The hotspot type's name ('convergent' → 수렴형 / Convergent), or None if unknown."""
    return _name("type", hotspot_type, lang)


def status_name(status, lang: str) -> str | None:
    """The week-on-week status's name ('new' → 신규 / New), or None if unknown."""
    return _name("status", status, lang)


def source_name(source, lang: str) -> str | None:
    """The event source's name ('incident' → 사건·112 / Incidents & 112 calls), or None."""
    return _name("source", source, lang)
