"""Person precision: which PERSON entities are people, bylines and credits, on fictional text."""
from __future__ import annotations

import pytest

from analysis.extract.pipeline import Extractor
from analysis.extract.people import context_kind
from analysis.model import RawDocument


@pytest.fixture(scope="module")
def extractor(nlp) -> Extractor:
    return Extractor()


def people(extractor: Extractor, text: str, **meta) -> tuple[set[str], object]:
    [x] = list(extractor.extract([RawDocument(text, "story.txt", **meta)]))
    return {m.entity_name for m in x.mentions if m.entity_label == "PERSON"}, x


def labels(x, name: str) -> set[str]:
    return {m.entity_label for m in x.mentions if m.entity_name == name}


@pytest.mark.parametrize("text, name, kind", [
    ("A heron stands in the marsh. (Talia Brennock / Northgate Herald)\n\nMore text here.", "Talia Brennock", "credit"),
    ("The bridge at dawn. Orin Vashti/AFP/Getty Images\n\nThe council met.", "Orin Vashti", "credit"),
    ("Snow on the ridge. REUTERS/Pell Amsworth\n\nThe roads closed.", "Pell Amsworth", "credit"),
    ("Mirela Tosk, The Canadian Press\n\nHALIFAX -- The port reopened on Monday.", "Mirela Tosk", "byline"),
    ("By Jaron Whitlow\n\nThe port reopened on Monday.", "Jaron Whitlow", "byline"),
    ("The port reopened. Jaron Whitlow is a Halifax-based reporter covering transport.", "Jaron Whitlow", "byline"),
    ("With files from the Northgate Herald's Corin Mabry", "Corin Mabry", "byline"),
    ("Corin Mabry has the latest.", "Corin Mabry", "byline"),
    ("Rosa Quell said the port reopened on Monday.", "Rosa Quell", None),
])
def test_bylines_and_credits_are_told_from_mentions(text: str, name: str, kind: str | None) -> None:
    start = text.index(name)
    assert context_kind(text, start, start + len(name)) == kind


def test_a_byline_is_no_mention_and_becomes_the_author(extractor) -> None:
    text = ("Mirela Tosk, The Canadian Press\n\nHALIFAX -- Harbour master Elspeth Varga said on Monday that the "
            "port of Halifax reopened after the storm. Varga said crews worked all night.")
    found, x = people(extractor, text)
    assert "Mirela Tosk" not in found and "Elspeth Varga" in found
    assert x.raw.author == "Mirela Tosk"
    _, kept = people(extractor, text, author="Desk Editor")
    assert kept.raw.author == "Desk Editor"  # metadata wins over the byline


def test_photo_credits_are_not_people(extractor) -> None:
    text = ("The mayor, Oskar Lindqvist, said the ferry would run again on Friday. "
            "(Talia Brennock / Northgate Herald)\n\nLindqvist told reporters the repairs cost more than planned.")
    found, _ = people(extractor, text)
    assert "Oskar Lindqvist" in found and "Talia Brennock" not in found


def test_common_words_handles_links_and_platforms_are_not_people(extractor) -> None:
    text = ("Stroke survivors met in Halifax on Monday. Mayor Oskar Lindqvist said the clinic would open. "
            "He wrote on Twitter that the plan, Bill C-74, was ready. Follow him at @lindqvist or "
            "pic.twitter.com/Ab12Cd34 for updates. #HalifaxStrong")
    found, x = people(extractor, text)
    assert found == {"Oskar Lindqvist"}, found
    assert labels(x, "Bill C-74") <= {"LAW"}


def test_a_town_before_a_province_abbreviation_is_a_place(extractor) -> None:
    text = "Speaking in Brackley, Ont., on Thursday, Premier Dana Morrow said the plant would stay open."
    found, x = people(extractor, text)
    assert "Brackley" not in found and "Dana Morrow" in found
    assert labels(x, "Brackley") <= {"GPE"}


def test_offices_ending_a_phrase_are_not_people(extractor) -> None:
    found, _ = people(extractor, "The Liberal MLA for the riding, Lisa Harnett, said she would run again.")
    assert not any(name.endswith("MLA") for name in found)


def test_people_with_evidence_stay(extractor) -> None:
    """A given name, a title, speech, an age, and a list with people all make a person."""
    text = ("Kwabena Osei-Tutu said the vote would be close. Dr. Vantreight agreed. "
            "The victims were Oskar Lindqvist, 44, and Teodric Vallmark, 51. "
            "Greg Hallow and Zvonimir Petrak each scored twice.")
    found, _ = people(extractor, text)
    for name in ("Kwabena Osei-Tutu", "Vantreight", "Oskar Lindqvist", "Teodric Vallmark", "Zvonimir Petrak"):
        assert name in found, (name, found)


def test_initials_and_a_place_in_brackets_make_people(extractor) -> None:
    text = ("Results: 1. Vebrand Oskolt ( Norway ) 1:45.27 , 2. Istvan Kemeny ( Hungary ) 1:46.01 . "
            "Surrey 429-7 ( C. Lewis 80 not out , M. Butcher 70 ) .")
    found, _ = people(extractor, text)
    assert {"Vebrand Oskolt", "C. Lewis", "M. Butcher"} <= found, found


def test_a_name_after_an_honorific_is_a_person_whatever_its_label(extractor) -> None:
    text = "Mr. Quill said he had not been at the vote. Quill said he was ill. Quill left early."
    found, x = people(extractor, text)
    assert "Quill" in found
    assert labels(x, "Quill") == {"PERSON"}
