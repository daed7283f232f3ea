"""Tables as people read them: labelled columns, Korean formats, no raw codes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from analytics.compute.patrol import categories_text
from analytics.compute.profiles import format_windows, place_in
from ui.i18n import number, text

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def literal_markdown(value) -> str:
    """``value`` as text that Markdown shows literally (every ASCII punctuation escaped).

    Markdown tables render their cells as Markdown, so a category or place name such
    as ``![x](http://…)`` would otherwise become an image.
    """
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(value))


def markdown_table(frame: pd.DataFrame, *, align_numbers: bool = True) -> str:
    """``frame`` as a GitHub-flavoured Markdown table, every cell shown literally.

    The brief shows its tables this way: st.markdown's renderer is already in the
    page, whereas st.table and st.dataframe make the browser fetch and parse about
    1 MB of table code before it draws anything, the map included.
    """
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and align_numbers for c in frame.columns]
    lines = [
        "| " + " | ".join(literal_markdown(c) for c in frame.columns) + " |",
        "|" + "|".join("---:" if n else ":---" for n in numeric) + "|",
    ]
    for row in frame.itertuples(index=False):
        cells = ("" if v is None or (isinstance(v, float) and v != v) else v for v in row)
        lines.append("| " + " | ".join(literal_markdown(v) for v in cells) + " |")
    return "\n".join(lines)


@lru_cache(maxsize=2)
def area_names(lang: str) -> dict[str, str]:
    """Korean township, unit and landmark names → English (empty in Korean).

    Cached per language: the geography is fixed for the process, and selectors call
    this once per option. Callers only read the dict.
    """
    if lang == "ko":
        return {}
    from ui import data

    geo = data.geography()
    out = dict(zip(geo.townships["emd"], geo.townships["emd_en"], strict=True))
    out |= dict(zip(geo.police_units["unit"], geo.police_units["unit_en"], strict=True))
    if "name_en" in geo.landmarks:
        out |= {
            k: v for k, v in zip(geo.landmarks["name"], geo.landmarks["name_en"], strict=True) if v
        }
    return out


def shown_name(value, names: dict[str, str]) -> str:
    """``value`` through ``names`` (from :func:`area_names`); "—" for none."""
    if not isinstance(value, str) or not value:
        return "—"
    return names.get(value, value)


def hotspot_table(
    hotspots: pd.DataFrame,
    lang: str,
    *,
    top: int | None = None,
    categories: int = 3,
    chance: bool = True,
    emerging: Mapping[str, str] | None = None,
    compact: bool = False,
) -> pd.DataFrame:
    """Rank, place, unit, status, [12-week pattern], type, main categories, patrol windows,
    events, chance, id.

    ``categories`` is how many of each hotspot's main categories to list. ``chance``:
    a "우연?" column with the significance test's verdict and adjusted p-value, when
    the hotspots carry it (:mod:`analytics.compute.significance`). ``emerging``:
    hotspot id → its emerging-hot-spot pattern (:func:`ui.data.hotspot_emerging`),
    shown beside the week-over-week status; None leaves the column out. ``compact``:
    the pattern in one word in the status column instead ('심화 · 지속' under '추세 · 12주
    패턴'; '—' for no pattern), for the brief's narrow table.
    """
    h = hotspots.head(top) if top else hotspots
    names = area_names(lang)
    frame = pd.DataFrame(
        {
            text("col.rank", lang): h["rank"].to_numpy(),
            text("col.place", lang): [place_in(r, lang) for r in h.to_dict("records")],
            text("col.unit", lang): [shown_name(u, names) for u in h["police_unit"]],
            text("col.status", lang): [
                text(f"status.{s}", lang) for s in h.get("status", pd.Series(["new"] * len(h)))
            ],
            text("col.type", lang): [text(f"type.{t}", lang) for t in h["type"]],
            text("col.categories", lang): [
                categories_text(cats[:categories], lang) for cats in h["top_categories"]
            ],
            text("col.patrol", lang): [format_windows(w, lang) or "—" for w in h["patrol_windows"]],
            text("col.events", lang): h["n_events"].to_numpy(),
            text("col.hotspot_id", lang): h["hotspot_id"].to_numpy(),
        }
    )
    if emerging is not None and compact:
        status = text("col.status", lang)
        both = [
            text("col.status_pattern_cell", lang, status=s, pattern=p)
            for s, p in zip(
                frame[status], emerging_cells(h, emerging, lang, short=True), strict=True
            )
        ]
        frame[status] = both
        frame = frame.rename(columns={status: text("col.status_pattern", lang)})
    elif emerging is not None:
        frame.insert(4, text("col.emerging", lang), emerging_cells(h, emerging, lang))
    if chance and "significant" in h.columns:
        frame.insert(len(frame.columns) - 1, text("col.chance", lang), chance_cells(h, lang))
    if "nearest_cctv_m" in h.columns:  # the facility layers are loaded (ui.data)
        at = len(frame.columns) - 1
        for kind in ("cctv", "streetlight", "bell"):
            metres = h[f"nearest_{kind}_m"].round(0).astype("Int64").to_numpy()
            frame.insert(at, text(f"col.nearest_{kind}", lang), metres)
            at += 1
        frame.insert(at, text("col.within_50m", lang), within_cells(h))
    return frame


def within_cells(hotspots: pd.DataFrame) -> list[str]:
    """Facility sites within 50 m per hotspot, 'CCTV · lights · bells' ('—' no layer)."""
    from analytics.compute.facilities import distance_columns

    cols = distance_columns()[3:]
    return [
        " · ".join("—" if pd.isna(v) else str(int(v)) for v in row)
        for row in hotspots[list(cols)].itertuples(index=False)
    ]


def emerging_cells(
    hotspots: pd.DataFrame, emerging: Mapping[str, str], lang: str, *, short: bool = False
) -> list[str]:
    """Each hotspot's emerging pattern in words: '지속 핫스팟', '패턴 없음' for none
    (:func:`analytics.compute.emerging.category_label`); ``short``: '지속', '—' for none."""
    from analytics.compute.emerging import NO_PATTERN, category_label

    kinds = [emerging.get(str(h), NO_PATTERN) for h in hotspots["hotspot_id"]]
    if not short:
        return [category_label(k, lang) for k in kinds]
    return ["—" if k == NO_PATTERN else text(f"pattern.{k}", lang) for k in kinds]


def chance_cells(hotspots: pd.DataFrame, lang: str) -> list[str]:
    """'아님 (p=0.005)' / '우연일 수 있음 (p=0.36)' per hotspot."""
    return [
        text("chance.no" if s else "chance.maybe", lang, p=f"{p:.3f}".rstrip("0").rstrip("."))
        for s, p in zip(hotspots["significant"], hotspots["p_value"], strict=True)
    ]


def without_chance(hotspots: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``(hotspots chance would rarely make, how many were left out)``.

    Ranks stay as they were: a gap is a hotspot left out. Hotspots without the test's
    columns are all kept.
    """
    if "significant" not in hotspots.columns:
        return hotspots, 0
    keep = hotspots["significant"].to_numpy(dtype=bool)
    return hotspots[keep], int((~keep).sum())


def unit_view(units: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 18-unit table for the meeting; a change unlikely to be chance is marked ▲/▼
    (:func:`analytics.compute.changes.legend` says so under the table)."""
    return pd.DataFrame(
        {
            text("col.unit", lang): units.index if lang == "ko" else units["unit_en"],
            text("col.incident", lang): units["incident"].to_numpy(),
            text("col.suggestion", lang): units["suggestion"].to_numpy(),
            text("col.complaint", lang): units["complaint"].to_numpy(),
            text("col.total", lang): units["total"].to_numpy(),
            text("col.prev", lang): units["total_prev"].to_numpy(),
            text("col.change", lang): [c.delta(lang, mark=True) for c in units["change"]],
            text("col.mean4", lang): [
                number(a + b + c, 1)
                for a, b, c in zip(
                    units["incident_4w_mean"],
                    units["suggestion_4w_mean"],
                    units["complaint_4w_mean"],
                    strict=True,
                )
            ],
            text("col.open_complaints", lang): units["open_complaints"].to_numpy(),
            text("col.hotspots", lang): units["hotspots"].to_numpy(),
        }
    )


def status_counts(hotspots: pd.DataFrame) -> dict[str, int]:
    """Hotspots per status: {'new': 2, 'intensifying': 5, ...} (0 for the rest)."""
    from analytics.compute.status import DIMINISHING, INTENSIFYING, NEW, PERSISTENT

    counts = hotspots["status"].value_counts() if "status" in hotspots else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in (NEW, PERSISTENT, INTENSIFYING, DIMINISHING)}
