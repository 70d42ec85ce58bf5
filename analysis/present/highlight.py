"""A document as HTML: entities coloured by type, quotes marked with their speaker.

Document text, titles and names come from uploaded files and are untrusted, so every piece
of them goes through `html.escape`; the only markup here is the fixed tags this module
writes, with inline styles (no classes), so the result looks the same in `st.html` and in
`st.markdown(unsafe_allow_html=True)`. Pure functions: no Streamlit, no database.
"""
from __future__ import annotations

import bisect
import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the spans come from tables; the entity colours (`type_colour`) need none
    import pandas as pd

# One colour per entity type, shared with the charts so a type looks the same everywhere.
TYPE_COLOURS: dict[str, str] = {
    "PERSON": "#4c78a8",
    "ORG": "#f58518",
    "GPE": "#54a24b",
    "LOC": "#88d27a",
    "NORP": "#b279a2",
    "FAC": "#9d755d",
    "EVENT": "#e45756",
    "PRODUCT": "#72b7b2",
    "WORK_OF_ART": "#ff9da6",
    "LAW": "#bab0ac",
    "LANGUAGE": "#eeca3b",
}
OTHER_COLOUR = "#999999"
QUOTE_STYLE = "background:#fff4cc;border-bottom:2px solid #e0a800;"


def type_colour(label: str | None) -> str:
    return TYPE_COLOURS.get(label or "", OTHER_COLOUR)


def _tint(colour: str, alpha: str = "40") -> str:
    """A light background from a type colour (8-digit hex), so the text stays readable."""
    return colour + alpha


@dataclass(frozen=True)
class EntitySpan:
    start: int
    end: int
    name: str
    type: str


@dataclass(frozen=True)
class QuoteSpan:
    start: int
    end: int
    speaker: str | None
    kind: str | None = None
    cue: str | None = None


def entity_spans(mentions: pd.DataFrame) -> list[EntitySpan]:
    """Spans from `queries.document_mentions` (hidden entities are left uncoloured)."""
    if mentions.empty:
        return []
    shown = mentions[~mentions["hidden"].astype(bool)] if "hidden" in mentions else mentions
    return [EntitySpan(int(r["start"]), int(r["end"]), str(r["name"]), str(r["type"]))
            for r in shown.to_dict("records")]


def quote_spans(quotes: pd.DataFrame) -> list[QuoteSpan]:
    """Spans from `queries.document_quotes`."""
    return [QuoteSpan(int(r["start"]), int(r["end"]), _text_or_none(r.get("speaker")),
                      _text_or_none(r.get("kind")), _text_or_none(r.get("cue")))
            for r in quotes.to_dict("records")]


def _text_or_none(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _non_overlapping(spans: Iterable, length: int) -> list:
    """Spans clipped to the text, earliest (then longest) first, overlaps dropped."""
    kept, last_end = [], 0
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        start, end = max(span.start, 0), min(span.end, length)
        if start >= end or start < last_end:
            continue
        kept.append(span)
        last_end = end
    return kept


def _covering(spans: list, starts: list[int], position: int):
    """The span (from a sorted, non-overlapping list) that contains `position`, if any."""
    i = bisect.bisect_right(starts, position) - 1
    return spans[i] if i >= 0 and spans[i].end > position else None


def document_html(text: str, entities: Iterable[EntitySpan] = (), quotes: Iterable[QuoteSpan] = (),
                  title: str | None = None, types: Iterable[str] | None = None) -> str:
    """The document's HTML; `types` limits colouring to those entity types (None: all)."""
    wanted = None if types is None else set(types)
    ents = _non_overlapping((e for e in entities if wanted is None or e.type in wanted), len(text))
    quos = _non_overlapping(quotes, len(text))
    ent_starts, quo_starts = [e.start for e in ents], [q.start for q in quos]
    cuts = sorted({0, len(text), *(p for s in (*ents, *quos) for p in (s.start, s.end) if 0 <= p <= len(text))})

    out: list[str] = []
    open_ent = open_quote = None
    for a, b in zip(cuts, cuts[1:]):
        quote, ent = _covering(quos, quo_starts, a), _covering(ents, ent_starts, a)
        if quote is not open_quote or ent is not open_ent:
            if open_ent is not None:
                out.append("</mark>")
            if quote is not open_quote:
                if open_quote is not None:
                    out.append("</span>")
                if quote is not None:
                    out.append(_open_quote(quote))
            if ent is not None:
                out.append(_open_entity(ent))
            open_quote, open_ent = quote, ent
        out.append(html.escape(text[a:b]))
    if open_ent is not None:
        out.append("</mark>")
    if open_quote is not None:
        out.append("</span>")

    heading = f'<h3 style="margin:0 0 .6em 0">{html.escape(title)}</h3>' if title else ""
    body = "".join(out)
    return (f'<div style="font-family:Georgia,serif;font-size:1.02rem;line-height:1.65;">{heading}'
            f'<div style="white-space:pre-wrap;">{body}</div></div>')


def _open_entity(ent: EntitySpan) -> str:
    tip = html.escape(f"{ent.name} · {ent.type}", quote=True)
    colour = type_colour(ent.type)
    return (f'<mark title="{tip}" style="background:{_tint(colour)};border-bottom:2px solid {colour};'
            f'padding:0 1px;border-radius:2px;color:inherit;">')


def _open_quote(quote: QuoteSpan) -> str:
    speaker = quote.speaker or "unattributed"
    details = " · ".join(filter(None, [quote.kind and f"{quote.kind} quote", quote.cue and f"cue: {quote.cue}"]))
    tip = html.escape(f"{speaker} — {details}" if details else speaker, quote=True)
    badge = (f'<span style="font:600 .72rem system-ui,sans-serif;color:#8a6100;background:#fff4cc;'
             f'border-radius:3px;padding:0 3px;margin-right:2px;">{html.escape(speaker)} ›</span>')
    return f'{badge}<span title="{tip}" style="{QUOTE_STYLE}">'


def legend_html(types: Iterable[str]) -> str:
    """The colour key for `types`, plus the quote style."""
    chips = [
        f'<span style="display:inline-block;margin:0 .9em .3em 0;">'
        f'<span style="display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-1px;'
        f'background:{_tint(type_colour(t), "66")};border:2px solid {type_colour(t)};"></span> {html.escape(t)}</span>'
        for t in dict.fromkeys(types)
    ]
    chips.append(f'<span style="display:inline-block;"><span style="{QUOTE_STYLE}padding:0 4px;">quoted text</span>'
                 ' (speaker before it)</span>')
    return f'<div style="font:.85rem system-ui,sans-serif;color:#444;">{"".join(chips)}</div>'


def display_title(document: Mapping[str, object]) -> str:
    """A document's display title: its title, else its file name."""
    for key in ("title", "file_name"):
        value = _text_or_none(document.get(key))
        if value:
            return value
    return "Untitled document"
