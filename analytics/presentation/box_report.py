"""The "you said, we did" sheet of one suggestion box (소리함별 "말씀하신 것, 이렇게
했습니다"): a notice to post beside the box, printable (HTML) and as a workbook (XLSX).

Safe to post: counts only (cards by theme and by hour band, from
:func:`analytics.compute.community.box_card_counts`), never free text, points or
names; a count below the station's small-count threshold is printed as "fewer than k",
and small themes are pooled into one unnamed row. What the station did comes from the
meeting's decisions near the box's cards (:func:`analytics.compute.community.box_actions`):
the meeting day, what was decided, the hotspot's place as the meeting named it (a
landmark and a rounded distance, as the brief shows it to every role) and the unit.
"""

from __future__ import annotations

import pandas as pd

from analytics.compute import community
from analytics.compute.community import SMALL_THEMES, BoxCounts
from analytics.presentation.cpted import check_lang, english_names, esc, local_name, sheet_page
from analytics.presentation.exports import to_xlsx
from analytics.station.clock import day_label
from analytics.station.geo import StationGeography
from analytics.text import text


def _count(n: int, suppressed: bool, k: int, lang: str) -> str:
    return text("community.small_count", lang, k=k) if suppressed else f"{int(n):,}"


def theme_rows(counts: BoxCounts, lang: str = "ko") -> list[tuple[str, str]]:
    """(theme, cards as printed) per row of ``counts.themes``."""
    rows = []
    for r in counts.themes.itertuples(index=False):
        if r.theme == SMALL_THEMES:
            label = text("community.box.small_themes", lang)
        else:
            label = r.label_ko if lang == "ko" else r.label_en
        rows.append((label, _count(r.count, r.suppressed, counts.min_count, lang)))
    return rows


def band_rows(counts: BoxCounts, lang: str = "ko") -> list[tuple[str, str]]:
    """(hour band, cards as printed) per band; the no-time row only when it has cards."""
    return [
        (
            text(f"community.band.{r.band}", lang),
            _count(r.count, r.suppressed, counts.min_count, lang),
        )
        for r in counts.hours.itertuples(index=False)
        if r.band != community.NO_TIME or r.count
    ]


def total_sentence(counts: BoxCounts, lang: str = "ko") -> str:
    if counts.total == 0:
        return text("community.box.total_none", lang)
    if counts.total_suppressed:
        return text("community.box.total_small", lang, k=counts.min_count)
    return text("community.box.total", lang, n=f"{counts.total:,}")


def did_lines(actions: pd.DataFrame, lang: str = "ko") -> list[str]:
    """One sentence per kind of action taken (none for kinds not taken)."""
    summary = community.action_summary(actions)
    lines = []
    for kind in ("patrol", "cpted", "answered", "investigation"):
        if summary[kind] or (kind == "answered" and summary["cpted"]):
            lines.append(text(f"community.box.did_{kind}", lang, n=summary[kind]))
    return lines


def action_rows(actions: pd.DataFrame, geo: StationGeography, lang: str = "ko") -> pd.DataFrame:
    """The decisions as a table: meeting day, what was done, place, unit, the city's answer."""
    names = english_names(geo) if lang != "ko" else {}
    col = lambda k: text(f"community.box.col_{k}", lang)  # noqa: E731

    def answer(action, answered_on, outcome) -> str:
        if action != "cpted":
            return ""
        if answered_on is None or pd.isna(answered_on):
            return text("community.box.answer_waiting", lang)
        if isinstance(outcome, str) and outcome:
            return text(
                "decision.answer_given",
                lang,
                outcome=text(f"decision.outcome.{outcome}", lang),
                day=day_label(answered_on, lang),
            )
        return day_label(answered_on, lang)

    return pd.DataFrame(
        {
            col("meeting"): [day_label(w, lang) for w in actions["week"]],
            col("action"): [text(f"decision.action.{a}", lang) for a in actions["action"]],
            col("place"): [str(p) if isinstance(p, str) else "—" for p in actions["place"]],
            col("owner"): [
                local_name(o if isinstance(o, str) and o else u, lang, names)
                for o, u in zip(actions["owner_unit"], actions["police_unit"], strict=True)
            ],
            col("answer"): [
                answer(a, d, o)
                for a, d, o in zip(
                    actions["action"],
                    actions["answered_on"],
                    actions.get("outcome", pd.Series([None] * len(actions))),
                    strict=True,
                )
            ],
        }
    )


def _two_columns(left: str, right: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(f'<tr><td>{esc(a)}</td><td class="num">{esc(b)}</td></tr>' for a, b in rows)
    return (
        f"<table><thead><tr><th>{esc(left)}</th><th>{esc(right)}</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def box_sheet_html(
    counts: BoxCounts,
    actions: pd.DataFrame,
    *,
    box_id: str,
    box_place: str,
    geo: StationGeography,
    period_label: str,
    lang: str = "ko",
    synthetic: bool = False,
    printed_on: str | None = None,
) -> str:
    """The notice for one box and period as one standalone, printable HTML page (A4).

    Parameters
    ----------
    counts : :func:`analytics.compute.community.box_card_counts` of the box and period
    actions : :func:`analytics.compute.community.box_actions` of the box's cards
    box_id, box_place : the box and where it stands (a landmark name)
    geo : the station's geography (names in English; the station's name)
    period_label : str, the period as printed
    lang : {'ko', 'en'}
    synthetic : print the synthetic-data banner
    printed_on : str, optional

    Returns
    -------
    str : HTML with inline CSS; no script, no external resource, no free text of a card.
    """
    check_lang(lang)
    station = geo.station
    names = english_names(geo) if lang != "ko" else {}
    w = lambda key, **kw: text(f"community.box.{key}", lang, **kw)  # noqa: E731
    title = w("title")
    meta = [f"{esc(text('community.period', lang))}: {esc(period_label)}"]
    if printed_on:
        meta.append(f"{esc(text('community.printed', lang))}: {esc(printed_on)}")
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(w("subtitle", box=box_id, place=local_name(box_place, lang, names)))}'
        f"<br>{' · '.join(meta)}</p>",
        f"<h2>{esc(w('section_said'))}</h2>",
        f'<p class="big-number">{esc(total_sentence(counts, lang))}</p>',
    ]
    if counts.total and not counts.total_suppressed:
        body += [
            f"<h3>{esc(w('by_theme'))}</h3>",
            _two_columns(w("col_theme"), w("col_cards"), theme_rows(counts, lang)),
            f"<h3>{esc(w('by_band'))}</h3>",
            _two_columns(w("col_band"), w("col_cards"), band_rows(counts, lang)),
            f'<p class="note">{esc(w("bands_note"))}</p>',
        ]
    body.append(f"<h2>{esc(w('section_did'))}</h2>")
    lines = did_lines(actions, lang)
    if lines:
        body.append("<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>")
        table = action_rows(actions, geo, lang)
        head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>"
            for r in table.itertuples(index=False)
        )
        body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    else:
        body.append(f"<p>{esc(w('did_nothing_yet'))}</p>")
    body += [
        f'<p class="note">{esc(w("privacy", k=counts.min_count))}</p>',
        f"<p><strong>{esc(w('thanks', station=station.name if lang == 'ko' else station.name_en))}</strong></p>",
    ]
    return sheet_page(title, body, lang=lang, synthetic=synthetic)


def box_sheet_xlsx(
    counts: BoxCounts,
    actions: pd.DataFrame,
    *,
    box_id: str,
    box_place: str,
    geo: StationGeography,
    period_label: str,
    lang: str = "ko",
) -> bytes:
    """The same notice as a workbook: the counts as printed (kind, item, cards) and
    what was done. Text cells go through the exports' formula guard (:func:`to_xlsx`)."""
    check_lang(lang)
    names = english_names(geo) if lang != "ko" else {}
    w = lambda key, **kw: text(f"community.box.{key}", lang, **kw)  # noqa: E731
    rows = [(w("kind_total"), total_sentence(counts, lang), "")]
    if counts.total and not counts.total_suppressed:
        rows += [(w("kind_theme"), a, b) for a, b in theme_rows(counts, lang)]
        rows += [(w("kind_band"), a, b) for a, b in band_rows(counts, lang)]
    said = pd.DataFrame(rows, columns=[w("col_kind"), w("col_item"), w("col_cards")])
    did = action_rows(actions, geo, lang)
    title = (
        f"{w('title')} — {w('subtitle', box=box_id, place=local_name(box_place, lang, names))}"
        f" · {period_label}"
    )
    return to_xlsx({w("tab_said"): said, w("tab_did"): did}, title=title)
