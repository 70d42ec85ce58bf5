"""The attribute ruler as a table (`extract.attribute_table`) gives every token exactly what
spaCy's own `AttributeRuler` gives it: the product's pipeline against spaCy's, on text written for
the tests and on the GGT gold articles, and on rules of every kind the table handles or hands to
spaCy's Matcher."""
from __future__ import annotations

import json

import numpy as np
import pytest
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.pipeline import AttributeRuler

from analysis.extract import attribute_table
from analysis.extract.attribute_table import AttributeTable, use_attribute_table
from analysis.extract.nlp import load_pipeline, load_spacy
from analysis.settings import DEFAULT_MODEL
from conftest import SHARED
from fictional import FRENCH

ANNOTATIONS = [POS, TAG, MORPH, DEP, LEMMA, HEAD]

# Each line meets rules of more than one token (gonna, y'all, let's, c'mon, ain't, an expletive
# "there"), whitespace tokens, and plain news prose.
WRITTEN = [
    "They're gonna win, y'all. There is a cat on the mat, and there were two dogs.\n\n  Let's go.",
    "C'mon, he ain't here; we gotta leave. Y'all know it: it's what she's gonna say.",
    "The Kestrel Herald said on Tuesday that Mayor Ana Whitcombe's plan, \"a bold step\", "
    "would cost $4.5 million.\n\n\n   Shares rose 3 pct to 12-1/2 dlrs.",
]


@pytest.fixture(scope="module")
def spacy_with_breaks():
    """spaCy's pipeline with the product's paragraph breaks, which move sentence starts and so
    the parse: what the product's pipeline is but for the table."""
    nlp = spacy.load(DEFAULT_MODEL, exclude=["lemmatizer"])
    nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp


def _spacy_and_ours(spacy_nlp, ours, texts: list[str]) -> list[tuple[list, list]]:
    """Per text, the annotations of each token from spaCy's pipeline and from the product's."""
    return [(theirs.to_array(ANNOTATIONS).tolist(), mine.to_array(ANNOTATIONS).tolist())
            for theirs, mine in zip(spacy_nlp.pipe(texts), ours.pipe(texts))]


def test_product_pipeline_runs_the_table_and_spacy_its_ruler():
    assert isinstance(load_pipeline(DEFAULT_MODEL).get_pipe("attribute_ruler"), AttributeTable)
    assert isinstance(load_spacy(DEFAULT_MODEL).get_pipe("attribute_ruler"), AttributeRuler)
    assert "paragraph_breaks" not in load_spacy(DEFAULT_MODEL).pipe_names


@pytest.mark.parametrize("memo_rows", [attribute_table.MEMO_ROWS, 3])
def test_same_annotations_as_spacy_on_written_text(monkeypatch, spacy_with_breaks, memo_rows):
    """Also with a memory of three tokens' values, forgotten every fourth."""
    monkeypatch.setattr(attribute_table, "MEMO_ROWS", memo_rows)
    ours = load_pipeline(DEFAULT_MODEL)
    for spacy_side, our_side in _spacy_and_ours(spacy_with_breaks, ours, WRITTEN):
        assert our_side == spacy_side
    lemmas = {t.text: t.lemma_ for t in ours(WRITTEN[0])}  # the two-token rules did fire
    assert (lemmas["gon"], lemmas["na"], lemmas["y'"]) == ("go", "to", "you")


def test_same_annotations_as_spacy_on_gold_articles(spacy_with_breaks):
    gold = SHARED / "gold" / "ggt_dev.jsonl"
    if not gold.exists():
        pytest.skip(f"gold articles not present at {gold}")
    texts = [json.loads(line)["text"] for line in gold.read_text(encoding="utf-8").splitlines()[:20]]
    ours = load_pipeline(DEFAULT_MODEL)
    differing = [i for i, (a, b) in enumerate(_spacy_and_ours(spacy_with_breaks, ours, texts)) if a != b]
    assert differing == []


def test_same_annotations_as_spacy_in_french():
    theirs = spacy.load("fr_core_news_sm", exclude=["lemmatizer"])
    ours = spacy.load("fr_core_news_sm", exclude=["lemmatizer"])
    use_attribute_table(ours)
    assert isinstance(ours.get_pipe("attribute_ruler"), AttributeTable)
    for spacy_side, our_side in _spacy_and_ours(theirs, ours, [FRENCH]):
        assert our_side == spacy_side


RULES = [
    {"patterns": [[{"LOWER": {"IN": ["alpha", "beta"]}}]], "attrs": {"LEMMA": "greek"}},
    {"patterns": [[{"ORTH": "Alpha"}]], "attrs": {"LEMMA": "capital"}},  # later: wins on "Alpha"
    {"patterns": [[{"LOWER": {"NOT_IN": ["alpha", "beta"]}, "IS_PUNCT": False}]], "attrs": {"NORM": "other"}},
    {"patterns": [[{"LOWER": "gamma"}, {"LOWER": {"REGEX": "^del"}}]], "attrs": {"LEMMA": "pair"}, "index": -1},
    {"patterns": [[{"LOWER": "x"}, {"LOWER": "y", "OP": "+"}]], "attrs": {"LEMMA": "run"}, "index": 0},  # Matcher
    {"patterns": [[{"IS_DIGIT": True}], [{"LIKE_NUM": True}]], "attrs": {"LEMMA": "number"}},  # Matcher
    {"patterns": [[{"TEXT": "delta"}]], "attrs": {"LEMMA": "last word"}},
]


@pytest.mark.parametrize("text", [
    "Alpha beta gamma delta, x y y z 42 ten.",
    "alpha Alpha gamma delta gamma delete x x y",
    "",
])
def test_every_kind_of_rule_as_spacy_applies_it(text):
    """Set membership, later rules winning, two-token rules with a negative index and a regex, and
    rules only spaCy's Matcher can run (an operator, an attribute the table does not read)."""
    ruled, tabled = spacy.blank("en"), spacy.blank("en")
    ruled.add_pipe("attribute_ruler").add_patterns(RULES)
    tabled.add_pipe("attribute_table", name="attribute_ruler").add_rules(RULES)
    assert len(tabled.get_pipe("attribute_ruler").matcher) == 2
    a, b = ruled(text), tabled(text)
    assert [(t.lemma_, t.norm_) for t in b] == [(t.lemma_, t.norm_) for t in a]
    assert np.array_equal(a.to_array([LEMMA]), b.to_array([LEMMA]))
    if text.startswith("alpha"):
        assert [t.lemma_ for t in b][-5:] == ["", "pair", "", "run", ""]  # "gamma delete x x y"
    if text.startswith("Alpha"):
        assert [t.lemma_ for t in b][:4] == ["capital", "greek", "", "last word"]
