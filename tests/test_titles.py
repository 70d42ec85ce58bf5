"""Titles derived from the text for documents that came without one, and blanks, never "None"."""
from __future__ import annotations

import pandas as pd

from analysis.loaders import load_bytes
from analysis.loaders.titles import derived_title, with_title
from analysis.model import RawDocument
from analysis.present.export import to_csv_bytes
from ui.widgets import blank_missing_text


def test_first_line_when_headline_sized() -> None:
    assert derived_title("\n\n  Ferry talks resume  \nThe talks resumed on Monday.") == "Ferry talks resume"
    assert derived_title("# Dock strike ends\n\nBody") == "Dock strike ends"


def test_first_sentence_of_a_long_first_line() -> None:
    text = ("KESTREL BAY (Reuters) - The port authority approved a $40 million expansion on Tuesday. "
            "Work starts in May, officials said, and will last two years according to the plan.")
    assert derived_title(text) == "KESTREL BAY (Reuters) - The port authority approved a $40 million expansion on Tuesday."


def test_dotted_initials_and_abbreviations_end_no_sentence() -> None:
    text = ("HARBOURTON -- Stock markets mostly rose on Thursday after the U.S. Federal Reserve held its rate. "
            "Traders said the decision was expected and that the quarter's results were more important.")
    assert derived_title(text) == "HARBOURTON -- Stock markets mostly rose on Thursday after the U.S. Federal Reserve held its rate."
    text = ("A St. Brendan-area man was charged on Monday after a fire destroyed three barns near the ferry road. "
            "Police said no one was hurt.")
    assert derived_title(text) == "A St. Brendan-area man was charged on Monday after a fire destroyed three barns near the ferry road."


def test_a_long_sentence_is_cut_at_a_word() -> None:
    title = derived_title("word " * 60)
    assert title.endswith("word…") and len(title) <= 101


def test_blank_text_has_no_title_and_a_given_title_is_kept() -> None:
    assert derived_title(" \n\t\n") is None
    given = RawDocument(text="Body.", file_name="a.txt", title="Given")
    assert with_title(given) is given


def test_csv_rows_without_title_get_a_derived_one() -> None:
    rows = list(load_bytes("batch.csv", b"text,title\nHarbour reopens after storm.\n,x\nSecond story.,Given title\n"))
    titles = [(r.title, r.title_derived) for r in rows if isinstance(r, RawDocument)]
    assert titles == [("Harbour reopens after storm.", True), ("Given title", False)]


def test_missing_metadata_shows_blank_in_tables_and_csv() -> None:
    frame = pd.DataFrame({"title": ["A", None], "author": pd.array([None, "B"], dtype="str"), "words": [1, 2]})
    shown = blank_missing_text(frame)
    assert shown["title"].tolist() == ["A", ""] and shown["author"].tolist() == ["", "B"]
    assert shown["words"].tolist() == [1, 2]
    assert "None" not in to_csv_bytes(frame).decode("utf-8-sig")
    seen = pd.DataFrame({"first_seen": pd.to_datetime(["2024-03-05", None]),
                         "ingested_at": pd.to_datetime(["2024-03-05 10:15", None]),
                         "last_seen": pd.to_datetime(["2024-03-05", "2024-03-09"])})
    shown = blank_missing_text(seen)
    assert shown["first_seen"].tolist() == ["2024-03-05", ""]  # an undated document's entity: blank
    assert shown["ingested_at"].isna().tolist() == [False, True]  # a time of day stays a time
    assert shown["last_seen"].dtype == seen["last_seen"].dtype  # no gap: the dates stay dates
