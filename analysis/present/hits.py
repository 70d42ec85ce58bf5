"""Ranked search results as HTML: title, date, score and the snippet with the matched words marked.

Titles are escaped here; snippets arrive escaped from `search.search` (`snippet_html`), with
only its own <mark> tags in them.
"""
from __future__ import annotations

import html

import pandas as pd

STYLE = ("<style>.nl-hit{margin:0 0 .8em 0}.nl-hit b{font-size:1.02em}.nl-hit small{color:#666}"
         ".nl-hit mark{background:#ffe58a;padding:0 1px}</style>")


def hits_html(hits: pd.DataFrame) -> str:
    """One block per hit, best first."""
    blocks = []
    for rank, hit in enumerate(hits.itertuples(index=False), start=1):
        date = "" if hit.date is None or pd.isna(hit.date) else pd.Timestamp(hit.date).date().isoformat()
        title = html.escape(hit.title if isinstance(hit.title, str) and hit.title else hit.doc_id)
        blocks.append(f'<div class="nl-hit"><b>{rank}. {title}</b> <small>{date} · score {hit.score:.2f}</small>'
                      f"<br>{hit.snippet_html}</div>")
    return STYLE + "".join(blocks)
