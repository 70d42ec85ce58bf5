"""Speaker noun phrases, the name inside them, and what a pronoun or descriptor refers to.

Resolution is deliberately simple and local: news text names a speaker, then refers back
with "he", a title ("the Iranian leader") or a kind ("the newspaper"). The most recent
compatible named speaker is right far more often than a general coreference model of
this size, and every step can be explained to an analyst.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

from .context import QUOTE_CHARS, DocContext, char_range
from .events import document_author
from .gender import NAME_POS, PRONOUNS, person_genders, person_key
from .lexicon import Lexicon

Offsets = tuple[int, int]
STOP_CHARS = frozenset(",;:()[]—–") | QUOTE_CHARS
CUT_DEPS = ("relcl", "acl", "advcl", "parataxis")
NOUN = frozenset({"NOUN"})
INDEFINITE = frozenset({"a", "an", "another", "some", "any", "one"})
PLACE_STEM = 4  # "Chin" of "Chinese" and "China"
AGE_DESCRIPTOR = re.compile(r"\b[\w-]+-year-old\b")  # "said the 62-year-old", "my two-year-old"
HUMAN_SUFFIXES = ("ist", "ists", "ian", "ians")  # "economist", "historians"
QUALIFIED_NOUNS = frozenset({"person_noun", "speaking_noun", "group_noun"})
SPEAKING_NOUNS = ("person_noun", "group_noun", "outlet_noun", "document_noun", "speaking_noun")


@dataclass(frozen=True)
class SpeakerSpans:
    """Where the speaker is written, and the name in it when there is one.

    `identifies` is True when the name is the speaker itself ("Iran's leader Ali Khamenei")
    and False when it only qualifies it ("Hamas officials"): then the whole phrase is the
    speaker and the name its referent.
    """

    head: Token
    phrase: Offsets
    name: Offsets | None
    identifies: bool

    @property
    def speaker(self) -> Offsets:
        return self.name if self.name is not None and self.identifies else self.phrase


def speaker_kind(spans: SpeakerSpans, text: str, lex: Lexicon) -> str:
    """What a speaker phrase is: "name", "pronoun" (he, they, who), "descriptor" (a
    spokesperson, officials, the 62-year-old) or "thing" (a noun that cannot speak:
    "fear", "Brent crude"), read from the parse and the lexicon's noun lists."""
    if spans.name is not None and spans.identifies:
        return "name"
    head = spans.head
    # "some in the Muslim community", "all those involved": a quantifier that says who it counts
    counted = "speaking_noun" in lex.kind_of_noun(head.text) and any(
        c.dep_ in ("prep", "acl", "amod", "det", "predet") and c.i > head.i or c.lower_ in ("all", "those")
        for c in head.children)
    if not counted and (head.pos_ == "PRON" or head.tag_ in ("PRP", "WP", "WDT") or "pronoun" in lex.kind_of_noun(head.text)):
        return "pronoun"
    word = head.lower_
    if (lex.kind_of_noun(word) & set(SPEAKING_NOUNS) or word.endswith(HUMAN_SUFFIXES)
            or AGE_DESCRIPTOR.search(text[spans.phrase[0] : spans.phrase[1]])):
        return "descriptor"
    return "thing"


def noun_phrase(head: Token) -> list[Token]:
    """The contiguous phrase around `head` in its subtree, without clauses or asides."""
    cut = {t.i for c in head.children if c.dep_ in CUT_DEPS for t in c.subtree}
    inside = {t.i for t in head.subtree} - cut
    doc = head.doc
    lo = hi = head.i
    while lo - 1 in inside and doc[lo - 1].text not in STOP_CHARS:
        lo -= 1
    while hi + 1 in inside and doc[hi + 1].text not in STOP_CHARS:
        hi += 1
    # "Iran's" -> "Iran"; "a report in The Globe Thursday" -> "a report in The Globe"
    while hi > lo and (doc[hi].dep_ == "case" or doc[hi].is_space or doc[hi].ent_type_ in ("DATE", "TIME")
                       and doc[hi].dep_ == "npadvmod"):
        hi -= 1
    while lo < hi and doc[lo].is_space:
        lo += 1
    return list(doc[lo : hi + 1])


def _propn_chain(head: Token) -> list[Token]:
    chain = [c for c in head.children if c.dep_ in ("compound", "flat") and c.pos_ == "PROPN"]
    return [t for c in chain for t in c.subtree if t.i < head.i] + [head]


def _initials_pair(head: Token) -> list[Token]:
    """"and" and the initials after `head` when the two are initials joined by "and", the wire's
    way of writing an ampersand: "S and P said" is S&P speaking, not "S" ("AT and T", "P and G")."""
    doc = head.doc
    conj = next((c for c in head.children if c.dep_ == "conj" and c.i == head.i + 2), None)
    if conj is None or doc[head.i + 1].lower_ != "and" or not all(
            1 <= len(t.text.rstrip(".")) <= 2 and t.text.rstrip(".").isupper() for t in (head, conj)):
        return []
    return [doc[head.i + 1], conj]


def _is_title_word(tok: Token, lex: Lexicon) -> bool:
    return bool(lex.kind_of_noun(tok.text) & {"person_noun", "group_noun", "outlet_noun"})


def find_name(head: Token, phrase: Offsets, lex: Lexicon, ctx: DocContext) -> tuple[Offsets | None, bool]:
    """The named span in a speaker phrase and whether it identifies the speaker.

    A name in apposition identifies the speaker even set off by commas ("the director of
    operations, Jeff Fraser, says"), and a possessor only qualifies it ("Trudeau's office")."""
    for ent in ctx.ents:
        if ent.label_ == "PERSON" and ent.root.dep_ == "appos" and ent.root.head == head and ent.start > head.i:
            return (ent.start_char, ent.end_char), True
    ents = [e for e in ctx.names if phrase[0] <= e.start_char and e.end_char <= phrase[1]]
    for ent in ents:
        if ent.start <= head.i < ent.end or (ent.root.dep_ == "appos" and ent.root.head == head):
            return (ent.start_char, ent.end_char), True
    owner = next((c for c in head.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
    if owner is not None and head.pos_ == "NOUN":
        ent = next((e for e in ents if e.start <= owner.i < e.end), None)
        return ((ent.start_char, ent.end_char) if ent is not None else char_range(_propn_chain(owner))), False
    # "the dockers union" with "union" tagged a proper noun: a speaking noun in lowercase is no name
    misread = head.text.islower() and lex.kind_of_noun(head.text) & set(SPEAKING_NOUNS)
    if head.pos_ == "PROPN" and not _is_title_word(head, lex) and not misread:
        return char_range(_propn_chain(head) + _initials_pair(head)), True
    for child in head.children:
        if child.dep_ == "compound" and child.pos_ == "PROPN" and child.i < head.i:
            ent = next((e for e in ents if e.start <= child.i < e.end), None)
            if ent is not None and ent.label_ == "PERSON" and "person_noun" in lex.kind_of_noun(head.text):
                return None, False  # "a Clinton spokesman" is not Clinton
            span = (ent.start_char, ent.end_char) if ent is not None else char_range(_propn_chain(child))
            # "the Al-Akhbar newspaper" is Al-Akhbar, "the Civic Action study" is Civic Action's
            return span, bool(lex.kind_of_noun(head.text) & {"outlet_noun", "document_noun"})
    return None, False


def speaker_spans(head: Token, ctx: DocContext, lex: Lexicon) -> SpeakerSpans:
    phrase = char_range(noun_phrase(head))
    name, identifies = find_name(head, phrase, lex, ctx)
    return SpeakerSpans(head, phrase, name, identifies)


def _title_map(ctx: DocContext) -> list[tuple[int, str, Offsets]]:
    """(position, title word, person) for titles written next to a name.

    "Hamas chief Ismail Haniyeh" and "The adviser ... Ali Akbar Velayati" teach that a
    later "the chief" or "the adviser" is that person.
    """
    titles = []
    for ent in ctx.ents:
        if ent.label_ != "PERSON":
            continue
        root = ent.root
        words = [c for c in root.children if c.dep_ in ("compound", "appos", "amod") and c.i < ent.start]
        if root.dep_ == "appos":
            words.append(root.head)
        words += [c for c in root.children if c.dep_ == "appos" and c.i >= ent.end]
        for word in words:
            if word.pos_ in ("NOUN", "PROPN"):
                titles.append((ent.start_char, word.lower_, (ent.start_char, ent.end_char)))
    return titles


class Resolver:
    """Resolves speakers to named mentions, remembering the speakers met so far."""

    def __init__(self, ctx: DocContext, lex: Lexicon) -> None:
        self.ctx = ctx
        self.lex = lex
        self.titles = _title_map(ctx)
        self.genders = person_genders(ctx)
        # a known person's surname as a subject where the tagger saw no person ("Vale showed
        # him"; "Vickers met ..." read as an organisation after "Kevin Vickers" was a person)
        self.surname_subjects = [
            (tok.idx, (tok.idx, tok.idx + len(tok)))
            for tok in ctx.tokens_where(pos=NAME_POS, lower=ctx.person_last_words)
            if tok.dep_ in ("nsubj", "nsubjpass")
            and not any(e.start <= tok.i < e.end and e.label_ == "PERSON" for e in ctx.ents)
        ]
        self.speakers: list[tuple[int, Offsets, str]] = []  # (position, referent, label)
        self.outlets: list[tuple[int, Offsets]] = []
        self.descriptors: list[tuple[int, str, Offsets]] = []  # (position, head word, phrase)
        self.groups: list[tuple[int, Offsets]] = []  # unnamed plural or collective speakers, for "they"
        self.documents = self._documents()

    def _documents(self) -> list[tuple[int, str, Offsets]]:
        docs = []
        for tok in self.ctx.tokens_where(pos=NOUN, lower=self.lex.words.get("document_noun", frozenset())):
            author = document_author(tok)
            if author is not None:
                docs.append((tok.idx, tok.lower_, self.referent_of_name(author)))
        return docs

    def referent_of_name(self, head: Token) -> Offsets:
        spans = speaker_spans(head, self.ctx, self.lex)
        return spans.name or spans.phrase

    def remember_descriptor(self, position: int, spans: SpeakerSpans) -> None:
        """An unnamed speaker ("a justice official"), whom a later "the official" is; when it is
        many people ("authorities", "the union"), whom a later "they" is."""
        self.descriptors.append((position, spans.head.lower_, spans.phrase))
        if spans.head.tag_ in ("NNS", "NNPS") or "collective_noun" in self.lex.kind_of_noun(spans.head.text):
            self.groups.append((position, spans.phrase))

    def is_descriptor(self, referent: Offsets) -> bool:
        """Whether `referent` is an unnamed speaker remembered earlier, not a name."""
        return any(referent == phrase for _, _, phrase in self.descriptors)

    def remember(self, position: int, referent: Offsets | None, outlet: Offsets | None) -> None:
        if referent is not None and not self.is_descriptor(referent):
            self.speakers.append((position, referent, self.ctx.label_of(*referent)))
        if outlet is not None:
            self.outlets.append((position, outlet))

    def resolve(self, spans: SpeakerSpans, outlet: Offsets | None) -> Offsets | None:
        """The named mention a speaker refers to, or None when it cannot be told."""
        head = spans.head
        if spans.name is not None:
            # "Norman's lawyers", "Finance officials", "a spokeswoman for Trudeau": the name
            # only qualifies the people who spoke, and is not who spoke
            qualified = not spans.identifies and self.lex.kind_of_noun(head.text) & QUALIFIED_NOUNS
            return None if qualified else spans.name
        if head.dep_ == "poss" or any(c.dep_ == "poss" and c.pos_ == "PRON" for c in head.children):
            owner = next((c for c in head.children if c.dep_ == "poss" and c.pos_ == "PRON"), None)
            if owner is not None and "document_noun" in self.lex.kind_of_noun(head.text):
                return self._last_person(spans.phrase[0], PRONOUNS.get(owner.lower_))  # "her statement"
        if head.tag_ in ("WP", "WDT") and head.head.dep_ == "relcl":
            # "Graham, who endorsed Bush": the relative pronoun stands for its noun; "many
            # supporters who said": for the unnamed speakers it describes
            noun = speaker_spans(head.head.head, self.ctx, self.lex)
            found = self.resolve(noun, outlet)
            if found is None and speaker_kind(noun, self.ctx.text, self.lex) == "descriptor":
                self.remember_descriptor(noun.phrase[0], noun)
                return noun.phrase
            return found
        before = spans.phrase[0]
        word = head.lower_
        kinds = self.lex.kind_of_noun(word)
        if "person_pronoun" in kinds:
            return self._last_person(before, PRONOUNS.get(word))
        if "group_pronoun" in kinds:
            spoke = [(p, r) for p, r, label in self.speakers if label in {"ORG", "NORP", "GPE"}]
            # "Authorities said ... They said": the last group that spoke, named or not
            found = self._last(spoke + (self.groups if word == "they" else []), before)
            if found is None and word == "it":  # "It said": the company the story is about
                found = self._last_entity(before, {"ORG"})
            return found
        author = document_author(head) if "document_noun" in kinds else None
        if author is not None:
            return self.referent_of_name(author)  # "a study by the Senate committee"
        if any(c.dep_ in ("det", "nummod") and c.lower_ in INDEFINITE for c in head.children):
            return None  # "a source", "an official", "one former director": a new, unnamed speaker
        if "document_noun" in kinds:
            found = self._last_document(before, word)
            if found is not None or "outlet_noun" not in kinds:
                return found or outlet
        if "outlet_noun" in kinds:
            return outlet or self._last(self.outlets, before) or self._last_entity(before, {"ORG"})
        if "group_noun" in kinds and any(c.dep_ == "poss" and c.pos_ == "PRON" for c in head.children):
            return None  # "her office", "their party": whoever "her" is, not the last organisation
        definite = any(c.dep_ == "det" and c.lower_ == "the" for c in head.children)
        described = self._last([(p, r) for p, w, r in self.descriptors if w == word], before) if definite else None
        if described is not None and (self._last_title(before, word) or (0, 0))[0] < described[0]:
            return described  # "a justice official said ... the official added"
        if "person_noun" in kinds:
            return self._last_title(before, word) or self._last_person(before)
        phrase = self.ctx.text[spans.phrase[0] : spans.phrase[1]]
        one_person = "speaking_noun" in kinds and head.tag_ == "NN" and "collective_noun" not in kinds
        if definite and (one_person or AGE_DESCRIPTOR.search(phrase)):
            return self._last_person(before)  # "the rookie defenceman", "the 62-year-old"
        if "group_noun" in kinds:
            named = self._last_named(before, word) if definite else None  # "the federation": the last "... Federation"
            found = named or self._last_speaker(before, {"ORG", "NORP", "GPE"}) or self._last_entity(before, {"ORG"})
            return found if found is not None and self._fits_places(spans, found) else None
        return None

    def _fits_places(self, spans: SpeakerSpans, referent: Offsets) -> bool:
        """Whether every place or people that qualifies a descriptor is in its referent's name: "the
        Indonesian government" is not the U.S. Embassy that spoke before it, but "the U.S. embassy"
        is. A word and a name fit when they share their first PLACE_STEM letters ("Indonesian" and
        "Indonesia", "Chinese" and "China"); a referent written otherwise ("French" and "France") is
        left untold rather than guessed."""
        start = spans.phrase[0]
        qualifiers = [e.text.lower() for e in self.ctx.ents
                      if e.label_ in ("NORP", "GPE") and start <= e.start_char and e.end_char <= spans.head.idx]
        words = self.ctx.text[referent[0]:referent[1]].lower().split()
        return all(any(q == w or len(q) >= PLACE_STEM and w.startswith(q[:PLACE_STEM]) for w in words)
                   for q in qualifiers)

    def _last_person(self, before: int, gender: str | None = None) -> Offsets | None:
        """Latest person that spoke or was a subject before `before`, of the pronoun's gender
        when the text gives both ("she" skips the men named since)."""
        named = [(e.start_char, (e.start_char, e.end_char)) for e in self.ctx.ents
                 if e.label_ == "PERSON" and e.root.dep_ in ("nsubj", "nsubjpass") and e.end_char <= before]
        subjects = [(p, r) for p, r in named + self.surname_subjects if not self._quoted(p, before)]
        spoke = [(p, r) for p, r, label in self.speakers if label == "PERSON" and p < before]
        people = [(e.start_char, (e.start_char, e.end_char)) for e in self.ctx.ents if e.label_ == "PERSON"]
        return self._last(self._agreeing(subjects + spoke, gender), before) or self._last(
            self._agreeing(people, gender), before)

    def _quoted(self, position: int, before: int) -> bool:
        """Whether `position` is inside a closed quotation that `before` is not in: a subject
        there is the quoted speaker's topic, not who speaks ("'Karl will agree,' he said").
        An unclosed mark (a run-on quote, or a stray one) tells too little to rule anyone out."""
        mark = self.ctx.in_mark(position)
        return mark is not None and mark.closed and mark != self.ctx.in_mark(before)

    def _agreeing(self, items: list[tuple[int, Offsets]], gender: str | None) -> list[tuple[int, Offsets]]:
        if gender is None:
            return items
        return [(p, r) for p, r in items
                if self.genders.get(person_key(self.ctx.text[r[0] : r[1]].split()), gender) == gender]

    def _last_speaker(self, before: int, labels: set[str]) -> Offsets | None:
        return self._last([(p, r) for p, r, label in self.speakers if label in labels], before)

    def _last_title(self, before: int, word: str) -> Offsets | None:
        return self._last([(p, r) for p, w, r in self.titles if w == word], before)

    def _last_document(self, before: int, word: str) -> Offsets | None:
        return self._last([(p, r) for p, w, r in self.documents if w == word], before)

    def _last_named(self, before: int, word: str) -> Offsets | None:
        """The last organisation whose name ends with the noun `word` ("the Taiwan Textile Federation"
        for "the federation"): a story names an organisation in full once, then by its kind. The word
        is capitalised there: a phrase the tagger took for a name ("the federal department") is none."""
        return self._last([(e.start_char, (e.start_char, e.end_char)) for e in self.ctx.ents
                           if e.label_ == "ORG" and e[-1].lower_ == word and e[-1].text[0].isupper()], before)

    def _last_entity(self, before: int, labels: set[str]) -> Offsets | None:
        ents = [(e.start_char, (e.start_char, e.end_char)) for e in self.ctx.ents if e.label_ in labels]
        return self._last(ents, before)

    @staticmethod
    def _last(items: list[tuple[int, Offsets]], before: int) -> Offsets | None:
        earlier = [(p, r) for p, r in items if p < before and r[1] <= before]
        return max(earlier)[1] if earlier else None
