"""Document-level repairs of NER spans, on short texts written for these tests."""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.extract.mention_fixes import (
    Span,
    caps_line_entities,
    caps_lines,
    common_word_heading,
    currency_countries,
    dateline_place,
    defined_acronyms,
    drop_implausible,
    fix_mentions,
    honorific_people,
    hyphenated_organisations,
    joined_initials,
    landforms,
    ner_pass,
    propagated_names,
    replace_caps_lines,
    spelled_out_acronyms,
    split_at_separators,
    table_teams,
    truecase,
)


def _span(text: str, surface: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface), label


def _surfaces(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(text[s:e], label) for s, e, label in sorted(spans)]


def test_caps_lines_are_headlines_and_datelines_not_acronyms_in_prose() -> None:
    text = "HARBOUR DEAL SIGNED\nKESTREL BAY 2024-03-03\nThe NATO envoy met the EU team.\n2024\n"
    assert [text[s:e] for s, e in caps_lines(text)] == ["HARBOUR DEAL SIGNED", "KESTREL BAY 2024-03-03"]


def test_truecase_follows_the_body_keeps_length_and_capitalises_the_unknown() -> None:
    forms = {"whitfield": Counter({"Whitfield": 3}), "opens": Counter({"opens": 1}),
             "bridge": Counter({"bridge": 2, "Bridge": 1})}
    line = "HARBOUR - WHITFIELD OPENS THE BRIDGE IN VALMORA ."
    cased = truecase(line, forms)
    assert cased == "Harbour - Whitfield opens the bridge in Valmora ."
    assert len(cased) == len(line)


def test_caps_lines_are_read_again_in_true_case_and_replace_what_the_capitals_gave() -> None:
    text = "VALMORA MAYOR RESIGNS\nThe mayor of Valmora resigns on Monday.\n"
    seen: list[str] = []

    def fake_ner(lines: list[str]) -> list[list[Span]]:
        seen.extend(lines)
        return [[(0, 7, "GPE")] for _ in lines]

    spans = [(0, 13, "ORG"), _span(text, "Valmora", "GPE"), _span(text, "Monday", "DATE")]
    fixed = replace_caps_lines(text, spans, caps_line_entities([text], fake_ner)[0])
    assert seen == ["Valmora mayor resigns"]
    assert sorted(_surfaces(text, fixed)) == [("Monday", "DATE"), ("VALMORA", "GPE"), ("Valmora", "GPE")]


def test_the_caps_lines_of_many_texts_are_read_in_one_call_and_each_keeps_its_offsets() -> None:
    texts = ["No capitals here.", "Intro line.\nKESTREL WINS\nKestrel won.", "VALMORA VOTES\nValmora voted."]
    calls: list[list[str]] = []

    def fake_ner(lines: list[str]) -> list[list[Span]]:
        calls.append(lines)
        return [[(0, 7, "ORG")] for _ in lines]

    found = caps_line_entities(texts, fake_ner)
    assert calls == [["Kestrel Wins", "Valmora Votes"]]  # words the body lacks are capitalised
    assert [[texts[i][s:e] for s, e, _ in spans] for i, spans in enumerate(found)] == [[], ["KESTREL"], ["VALMORA"]]
    assert caps_line_entities(["plain text"], fake_ner) == [[]] and len(calls) == 1  # nothing to read: no call


def test_a_datelines_place_in_capitals_becomes_one_place_name() -> None:
    text = "PORT CARROW, June 2, 2024 — Hundreds marched in Port Carrow."
    spans = [_span(text, "CARROW", "GPE"), _span(text, "June 2, 2024", "DATE"), _span(text, "Port Carrow", "FAC")]
    assert _surfaces(text, dateline_place(spans, (0, 11))) == [
        ("PORT CARROW", "GPE"), ("June 2, 2024", "DATE"), ("Port Carrow", "FAC")]
    exact = [(0, 11, "ORG")]  # "UNITED NATIONS (Reuters) -": the tagger's label for the whole place stays
    assert dateline_place(exact, (0, 11)) == exact


@pytest.mark.parametrize(
    "surface, label, parts",
    [
        ("Kestrel 108-3", "ORG", ["Kestrel"]),
        ("Pohang 3 Ulsan 2", "ORG", ["Pohang", "Ulsan"]),
        ("VALMORA 2024-03-03", "GPE", ["VALMORA"]),
        ("Valmora - Tomas Berg", "PERSON", ["Valmora", "Tomas Berg"]),
        ("Ana Reyes (Valmora", "PERSON", ["Ana Reyes", "Valmora"]),
        ("Kestrel Herald news agency", "ORG", ["Kestrel Herald"]),
        ("Valmora-Kestrel Railway", "ORG", ["Valmora-Kestrel Railway"]),
        ("Route 66", "FAC", ["Route 66"]),
        ("Harbour Games 2024", "EVENT", ["Harbour Games 2024"]),
        ("The Tide and the moon", "WORK_OF_ART", ["The Tide and the moon"]),
        ("3 March 2024", "DATE", ["3 March 2024"]),
    ],
)
def test_names_are_cut_at_numbers_dashes_brackets_and_trailing_common_words(
    surface: str, label: str, parts: list[str]
) -> None:
    text = f"Before {surface} after."
    assert [t for t, _ in _surfaces(text, split_at_separators(text, [_span(text, surface, label)]))] == parts


@pytest.mark.parametrize("surface", ["Valmora 3 1 1 4", "Valmora,60", "Valmora ,60"])
def test_an_age_glued_to_a_name_by_its_comma_ends_it(surface: str) -> None:
    text = f"Before {surface} after."
    assert [t for t, _ in _surfaces(text, split_at_separators(text, [_span(text, surface, "PERSON")]))] == ["Valmora"]


def test_towns_leading_the_rows_of_a_standings_table_are_teams_countries_stay_places() -> None:
    text = ("NORTHERN DIVISION\nW L PCT GB\nPORT ALDER 74 59 .556 -\nKESTREL BAY 70 63 .526 4\n"
            "Norrin 65 69 .485 9 1/2\nCHINA 60 70 .461 12\nThe fans of Port Alder 74 cheered in Norrin.")
    spans = [_span(text, "PORT ALDER", "GPE"), _span(text, "KESTREL BAY", "LOC"), _span(text, "Norrin", "GPE"),
             _span(text, "CHINA", "GPE"), _span(text, "Port Alder", "GPE"), _span(text, "Norrin", "GPE", 1)]
    assert _surfaces(text, table_teams(text, spans)) == [
        ("PORT ALDER", "ORG"), ("KESTREL BAY", "ORG"), ("Norrin", "ORG"), ("CHINA", "GPE"),
        ("Port Alder", "GPE"), ("Norrin", "GPE")]
    two_rows = text.replace("Norrin 65 69 .485 9 1/2\nCHINA 60 70 .461 12\n", "")
    assert all(label != "ORG" for _, _, label in table_teams(two_rows, [
        _span(two_rows, "PORT ALDER", "GPE"), _span(two_rows, "KESTREL BAY", "LOC")]))


def test_implausible_names_go_but_other_labels_stay() -> None:
    text = "Scores 3 1 1 4 and harbour by R and Valmora on 2024."
    spans = [_span(text, "3 1 1 4", "ORG"), _span(text, "harbour", "GPE"), _span(text, "R", "PERSON"),
             _span(text, "Valmora", "GPE"), _span(text, "2024", "DATE")]
    assert _surfaces(text, drop_implausible(text, spans)) == [("Valmora", "GPE"), ("2024", "DATE")]


def test_people_and_organisations_named_like_landforms_become_places() -> None:
    text = ("Seals on Hollin Point. The Selkie Narrows array. Director Michael Bay. Pacific Trans-Ocean Ltd "
            "bought Point. Whitfield Sound, Marra Heights.")
    spans = [_span(text, "Hollin Point", "PERSON"), _span(text, "Selkie Narrows", "ORG"),
             _span(text, "Michael Bay", "PERSON"), _span(text, "Pacific Trans-Ocean", "ORG"),
             _span(text, "Point", "PERSON", 1), _span(text, "Whitfield Sound", "FAC"),
             _span(text, "Marra Heights", "GPE")]
    assert _surfaces(text, landforms(text, spans)) == [
        ("Hollin Point", "LOC"), ("Selkie Narrows", "LOC"), ("Michael Bay", "PERSON"),
        ("Pacific Trans-Ocean", "ORG"), ("Point", "PERSON"), ("Whitfield Sound", "FAC"), ("Marra Heights", "GPE")]


def test_a_name_after_a_courtesy_form_is_a_person() -> None:
    text = "Mr. Hollin Point spoke. M. Dubreuil left. Mme Garnier stayed. Remember Hollin. Mrs Vale, Ms. Oakes."
    spans = [_span(text, "Hollin Point", "LOC"), _span(text, "Dubreuil", "LOC"), _span(text, "Mme Garnier", "ORG"),
             _span(text, "Hollin", "GPE", 1), _span(text, "Vale", "DATE"), _span(text, "Oakes", "PERSON")]
    assert _surfaces(text, honorific_people(text, spans)) == [
        ("Hollin Point", "PERSON"), ("Dubreuil", "PERSON"), ("Mme Garnier", "PERSON"), ("Hollin", "GPE"),
        ("Vale", "DATE"), ("Oakes", "PERSON")]


def test_an_acronym_defined_in_brackets_becomes_a_name_but_a_country_note_does_not() -> None:
    text = "The Kestrel Dock Workers Union (KDWU) struck. Tomas Berg (VAL) spoke. The KDWU won."
    spans = [_span(text, "Kestrel Dock Workers Union", "ORG"), _span(text, "Tomas Berg", "PERSON")]
    assert _surfaces(text, defined_acronyms(text, spans)) == [("KDWU", "ORG")]




def test_an_organisation_cut_at_a_hyphen_is_made_whole_unless_the_rest_is_a_name() -> None:
    text = "KRB-Vantor won the bid. Orvane-Gatineau lost it, said Gatineau. Lenholm-based Dask-style KRB-led"
    spans = [_span(text, "KRB", "ORG"), _span(text, "Orvane", "ORG"), _span(text, "Gatineau", "GPE", 1),
             _span(text, "Lenholm", "GPE"), _span(text, "KRB", "ORG", 1)]
    assert _surfaces(text, hyphenated_organisations(text, spans)) == [
        ("KRB-Vantor", "ORG"), ("Orvane", "ORG"), ("Gatineau", "GPE"), ("Lenholm", "GPE"), ("KRB", "ORG")]

def test_an_acronym_known_alone_gets_its_spelled_out_name_once() -> None:
    text = ("Port news. Harbour Audit Officer Reports are out. The Harbour Audit Officer said fees rose; "
            "the HAO added more. The KDWU and the NATO spoke.")
    spans = [_span(text, "HAO", "ORG"), _span(text, "KDWU", "ORG"), _span(text, "NATO", "ORG")]
    # the first whole run whose initials spell "HAO": not the start of "Harbour Audit Officer Reports"
    assert [(s, label) for s, _, label in spelled_out_acronyms(text, spans)] == [
        (text.index("Harbour Audit Officer said"), "ORG")]
    assert _surfaces(text, spelled_out_acronyms(text, spans)) == [("Harbour Audit Officer", "ORG")]
    spans.append(_span(text, "Harbour Audit Officer", "ORG"))
    assert spelled_out_acronyms(text, spans) == [], "already spelled out by a recognised name"

def test_recurrences_surnames_and_capitals_inherit_a_recognised_name() -> None:
    text = ("WHITFIELD BACKS KESTREL HERALD\n"
            "Dana Whitfield spoke to the Kestrel Herald. Whitfield said the Kestrel Herald was fair.\n"
            "Mr. Whitfield's aide agreed.")
    spans = [_span(text, "Dana Whitfield", "PERSON"), _span(text, "Kestrel Herald", "ORG")]
    assert _surfaces(text, propagated_names(text, spans)) == [
        ("WHITFIELD", "PERSON"), ("KESTREL HERALD", "ORG"), ("Whitfield", "PERSON"), ("Kestrel Herald", "ORG"),
        ("Whitfield", "PERSON")]


def test_a_recurrence_is_a_whole_word_the_longest_name_wins_and_capitals_only_on_caps_lines() -> None:
    text = ("Berg opened Kestrel Bay Port. Kestrel Bay Port grew and Kestrel Bay wept.\n"
            "KESTREL BAY VOTES\n"
            "Kestrelton and the KESTREL BAY fleet met in Bergen, not Berg.")
    spans = [_span(text, "Berg", "PERSON"), _span(text, "Kestrel Bay Port", "FAC"),
             _span(text, "Kestrel Bay", "GPE", 2)]
    assert _surfaces(text, propagated_names(text, spans)) == [
        ("Kestrel Bay Port", "FAC"), ("KESTREL BAY", "GPE"), ("Berg", "PERSON")]


def test_the_majority_label_spreads_and_common_words_do_not() -> None:
    text = "Orvane grew. Orvane hired. Orvane sold. Men and Women ran. The men won. Orvane"
    spans = [_span(text, "Orvane", "ORG"), _span(text, "Orvane", "ORG", 1), _span(text, "Orvane", "PERSON", 2),
             _span(text, "Men", "ORG")]
    assert _surfaces(text, propagated_names(text, spans)) == [("Orvane", "ORG")]


def test_prose_case_words_and_lowercase_occurrences_are_not_names() -> None:
    text = "The Harbour opened. The harbour closed. the harbour"
    spans = [_span(text, "The Harbour", "FAC")]
    assert propagated_names(text, spans) == []


def test_fix_mentions_chains_the_fixes() -> None:
    text = ("KESTREL 4 VALMORA 2\n"
            "The Kestrel Dock Workers Union (KDWU) thanked Dana Whitfield. Whitfield praised the KDWU.\n")
    spans = [_span(text, "KESTREL 4 VALMORA", "ORG"), _span(text, "Kestrel Dock Workers Union", "ORG"),
             _span(text, "Dana Whitfield", "PERSON")]
    assert _surfaces(text, fix_mentions(text, spans)) == [
        ("KESTREL", "ORG"), ("VALMORA", "ORG"), ("Kestrel Dock Workers Union", "ORG"), ("KDWU", "ORG"),
        ("Dana Whitfield", "PERSON"), ("Whitfield", "PERSON"), ("KDWU", "ORG")]


def test_the_ner_pass_runs_the_recogniser_alone(nlp) -> None:
    run = ner_pass(nlp)
    assert run is not None
    (spans,) = run(["Valmora 2024-03-03"])
    assert all(0 <= s < e <= len("Valmora 2024-03-03") for s, e, _ in spans)
    assert run([]) == []


def test_the_ner_pass_reads_a_line_again_as_it_read_it_first(nlp) -> None:
    lines = ["Dana Whitfield visits Valmora", "Kestrel Herald", "Dana Whitfield visits Valmora"]
    fresh = [ner_pass(nlp)([line])[0] for line in lines]  # each line by a pass of its own
    run = ner_pass(nlp)
    first = run(lines)
    assert first == fresh and any(first)
    first[0].clear()  # what a caller does with its lists does not reach what the pass remembers
    assert run(list(reversed(lines))) == list(reversed(fresh))


_SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20),
                            st.sampled_from(["PERSON", "ORG", "GPE", "FAC", "DATE"])), max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("Ab Cd-1(). \nXY"), max_size=60), _SPANS)
@example("AA 1)A", [])  # found by Hypothesis: "AA 1" first (the ")" hid the number), then "AA"
def test_fixes_keep_offsets_inside_and_settle_in_one_pass(text: str, raw: list[tuple[int, int, str]]) -> None:
    spans = sorted({(s, min(s + n, len(text)), label) for s, n, label in raw if s < len(text)})

    def fake_ner(lines: list[str]) -> list[list[Span]]:
        return [[(0, len(line), "GPE")] if line else [] for line in lines]

    once = fix_mentions(text, spans, caps_line_entities([text], fake_ner)[0])
    assert all(0 <= s < e <= len(text) for s, e, _ in once)
    assert fix_mentions(text, once) == once


def test_a_common_word_opening_a_heading_is_no_name_a_name_there_is(nlp) -> None:
    """The app's defect: "Harbour" of a headline was a NORP entity."""
    doc = nlp("Harbour plan approved\n\nTalia Brennock said the council approved the plan in Port Alder.")
    by_text = {e.text: e for e in doc.ents}
    assert "Harbour" in by_text and common_word_heading(by_text["Harbour"])
    assert not any(common_word_heading(e) for e in doc.ents if e.text != "Harbour"), doc.ents


def test_a_heading_word_is_dropped_from_the_entities(nlp) -> None:
    from analysis.extract.pipeline import Extractor
    from analysis.model import RawDocument

    [x] = list(Extractor().extract([RawDocument("Harbour plan approved\n\nThe council met on Monday.", "a.txt")]))
    assert "Harbour" not in {m.text for m in x.mentions}


def test_a_currency_after_a_country_is_cut_to_the_country() -> None:
    text = ("Reserves rose to 6.3 billion U.S. Dlrs and 2 mln H.K. Dlrs; the Canadian dollar fell; "
            "Family Dollar shares rose; Tamsin Marks said. Loans in Arvelian Dlrs from Arvelia grew.")
    spans = [_span(text, "U.S. Dlrs", "PERSON"), _span(text, "H.K. Dlrs", "PERSON"), _span(text, "Canadian dollar", "ORG"),
             _span(text, "Family Dollar", "ORG"), _span(text, "Tamsin Marks", "PERSON"),
             _span(text, "Arvelian Dlrs", "PERSON"), _span(text, "Arvelia", "GPE", nth=1)]
    assert _surfaces(text, currency_countries(text, spans)) == [
        ("U.S.", "GPE"), ("H.K.", "GPE"), ("Canadian", "GPE"), ("Family Dollar", "ORG"), ("Tamsin Marks", "PERSON"),
        ("Arvelian Dlrs", "PERSON"), ("Arvelia", "GPE")]  # a demonym the country list lacks stays as found
    assert currency_countries(text, [(0, 8, "DATE")]) == [(0, 8, "DATE")]


def test_wire_copy_currencies_are_no_people(nlp) -> None:
    """Reuters' "47 mln U.S. Dlrs": the tagger reads "U.S. Dlrs" as a person; the entity is the country."""
    from analysis.extract.pipeline import Extractor
    from analysis.model import RawDocument

    text = ("Norland will receive a grant equivalent\nto 47 mln U.S. Dlrs from Tavia during 1987 under an\n"
            "agreement signed here, officials said.\n Reuter")
    [x] = list(Extractor().extract([RawDocument(text, "grant.txt")]))
    assert not any("Dlrs" in m.text for m in x.mentions), x.mentions
    assert ("U.S.", "United States", "GPE") in {(m.text, m.entity_name, m.entity_label) for m in x.mentions}


def test_initials_joined_by_and_are_one_organisation():
    """Wire copy writes an ampersand as "and": the tagger's "LL" (a place), "E Royalty Trust" and
    "P" become the firms they are part of; two names of two letters each stay two names."""
    text = ("LL and E Royalty Trust said on Monday that LL and E would pay.\n"
            "The S and P index rose, and US and UK officials met. K and W fell; AT and T rose.")
    spans = [_span(text, "E Royalty Trust", "ORG"), _span(text, "LL", "GPE", 1), _span(text, "P", "ORG"),
             _span(text, "US", "GPE"), _span(text, "UK", "GPE"), _span(text, "K", "PERSON", 1),
             _span(text, "AT", "ORG"), _span(text, "Monday", "DATE")]
    assert sorted(_surfaces(text, joined_initials(text, spans))) == [
        ("AT and T", "ORG"), ("K and W", "ORG"), ("LL and E", "ORG"), ("LL and E Royalty Trust", "ORG"),
        ("Monday", "DATE"), ("S and P", "ORG"), ("UK", "GPE"), ("US", "GPE")]
