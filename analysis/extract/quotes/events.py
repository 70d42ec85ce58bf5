"""Reporting events read off the dependency parse: a cue, who it is by, what it reports.

An event is found for every reporting verb outside quote marks and every
"according to"-like phrase. Whether it becomes a quote record is decided later, when the
quote-mark spans are attached to events.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .context import NAME_LABELS, QUOTE_CHARS, DocContext, char_range
from .lexicon import Lexicon

CLAUSE_DEPS = ("ccomp",)
NESTED_REPORT_DEPS = ("advcl", "conj")  # ", noting that ...", "but Chapman says ...": a report of its own
COMPLEMENT_DEPS = ("xcomp", "dobj", "prep", "attr", "oprd", "dative")
CLIMB_DEPS = ("advcl", "conj", "xcomp", "pcomp")  # a participle or conjunct shares its head's subject
NOUN_HEAD_DEPS = ("relcl", "acl")  # "a statement saying ...": the noun speaks
SIGNATURE_DASHES = "―—–"
MAX_LABEL_CHARS = 40  # a speaker label is a short name before the colon
MAX_LABEL_WORDS = 4
OBJECT_PRONOUNS = frozenset({"him", "them", "me", "us"})
EDGE_WORDS = frozenset({"that", "whether", "if"})
REPORTING_POS = frozenset({"VERB", "AUX"})


@dataclass
class Event:
    """One act of attribution in the text.

    `content` is what the event reports, as characters: the clausal complement of a
    verb, else its object ("denied the report"), or the rest of the sentence for an
    "according to" phrase.
    """

    kind: str  # "verb" | "source" | "outlet" | "dash" | "label"
    lemma: str | None  # of a reporting verb
    cue_start: int
    cue_end: int
    segment: int
    speaker: Token | None  # head of the speaker noun phrase
    content: tuple[int, int] | None = None
    outlet: Token | None = None  # head of the reporting-chain outlet, once attached
    anchor: Token | None = None  # the verb, or the first word of a cue phrase, in the parse
    # whether `content` is a reported clause (a clausal complement, the clause around an
    # inserted "she said", the rest of an "according to" sentence) rather than a bare noun or
    # prepositional object ("warned about the consequences"), which states nothing unless quoted
    clausal: bool = True
    negated: bool = False  # "would not say which", "can't tell what": nothing was stated


def _trim(tokens: list[Token]) -> list[Token]:
    """Drop edge punctuation, complementizers and a conjunction left at the end:
    `that the plan failed,` -> `the plan failed`; `called it "false" on Thursday and [in a
    response said ...]` -> `it "false" on Thursday`."""
    toks = sorted(tokens, key=lambda t: t.i)
    while toks and (toks[0].is_punct and toks[0].text not in QUOTE_CHARS or toks[0].lower_ in EDGE_WORDS):
        toks.pop(0)
    while toks and (toks[-1].is_punct and toks[-1].text not in QUOTE_CHARS or toks[-1].is_space
                    or toks[-1].pos_ == "CCONJ"):
        toks.pop()
    return toks


def _subtrees(heads: list[Token], segment: Span) -> list[Token]:
    return [t for h in heads for t in h.subtree if segment.start <= t.i < segment.end]


def _verb_content(verb: Token, segment: Span) -> tuple[list[Token], bool]:
    """Tokens reported by a verb and whether they are only a weak (non-clausal) complement."""
    clauses = [c for c in verb.children if c.dep_ in CLAUSE_DEPS]
    if clauses:
        return _trim(_subtrees(clauses, segment)), False
    if _inserted(verb) and _subject(verb) is not None:
        # "The plan failed, she said" / "The plan, she said, failed": the reported clause
        # is the verb's head, around the inserted attribution
        own = {t.i for t in verb.subtree}
        around = [t for t in verb.head.subtree if t.i not in own and segment.start <= t.i < segment.end]
        return _trim(around), False
    complements = [c for c in verb.children if c.dep_ in COMPLEMENT_DEPS and c.i > verb.i]
    # "said having Karlsson back was a boost": the parser's object holds the reported clause
    holds_clause = any(g.dep_ in CLAUSE_DEPS for c in complements if c.tag_ == "VBG" for g in c.children)
    return _trim(_subtrees(complements, segment)), not (holds_clause or _small_clause(complements))


def _inserted(verb: Token) -> bool:
    """Whether a verb is an attribution inserted in (or after) the clause it reports.

    The parser hangs "she said" in "The plan failed, she said" on "failed", as parataxis or as a
    clausal complement after its head; the clause is set off by punctuation. Without it, a
    complement after its head is the head's own report: in "The government said it would
    respond", "it would respond" is what was said, not an attribution of "The government said".
    """
    if verb.dep_ == "parataxis":
        return True
    if verb.dep_ != "ccomp" or verb.i < verb.head.i:
        return False
    before = verb.left_edge.i - 1
    return before >= 0 and verb.doc[before].is_punct


def _small_clause(complements: list[Token]) -> bool:
    """Whether an object comes with its own predicate, which states something about it.

    "called the plan a disaster", "described her as the mother", "urged people to leave":
    object and predicate are a reported (small) clause, a statement, unlike the bare object
    of "called his former boss" or "warned about the consequences".
    """
    if not any(c.dep_ == "dobj" for c in complements):
        return False
    return any(
        c.dep_ == "oprd"
        or c.dep_ == "xcomp" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)
        or c.dep_ == "prep" and c.lower_ == "as" and any(g.dep_ == "pobj" for g in c.children)
        for c in complements
    )


def _without_nested_reports(content: list[Token], verb: Token, lex: Lexicon) -> list[Token]:
    """The content less the reports it holds: "announced that he will step down, saying the
    party needs to move on" is two statements, and the second is not part of the first."""
    nested = {
        t.i for tok in content
        if tok is not verb and tok.dep_ in NESTED_REPORT_DEPS and tok.lower_ in lex.verb_forms
        and any(c.dep_ in CLAUSE_DEPS for c in tok.children)
        for t in tok.subtree
    }
    return _trim([t for t in content if t.i not in nested]) if nested else content


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "nsubj":
            return child
        if child.dep_ == "agent":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def _adjacent_subject(verb: Token) -> Token | None:
    """A subject the parser hung elsewhere: the noun right before a finite verb
    ("In an interview with X, Deputy Y reaffirmed": Y parsed as X's apposition), or the
    name right after an inverted one (`"…," said Y`)."""
    if verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    doc = verb.doc
    prev = doc[verb.i - 1] if verb.i > 0 else None
    # the fine-grained tag as well: `"…," DeBoer said` can come out tagged NNP yet parsed as an
    # auxiliary of the verb (pos AUX), and the tag is the better guess
    nominal = prev is not None and (prev.pos_ in ("PROPN", "NOUN", "PRON") or prev.tag_ in ("NNP", "NNPS"))
    if nominal and prev.dep_ not in ("compound", "dobj", "pobj"):
        return prev
    nxt = doc[verb.i + 1] if verb.i + 1 < len(doc) else None
    if prev is not None and prev.is_punct and nxt is not None and nxt.pos_ in ("PROPN", "PRON"):
        return nxt if nxt.dep_ != "compound" else nxt.head
    return None


def _document_author_before(participle: Token, lex: Lexicon) -> Token | None:
    """Author of a document named between a verb and its participle clause.

    In "X presented a letter from Y, thanking Iran and asking ..." the parse hangs the
    participles on "presented", but it is the letter, so Y, that thanks and asks.
    """
    head = participle.head
    while head.dep_ == "conj" and head.head.i < head.i:
        head = head.head
    for tok in reversed(participle.doc[head.head.i + 1 : participle.i]):
        if tok.pos_ == "NOUN" and "document_noun" in lex.kind_of_noun(tok.text):
            author = document_author(tok)
            if author is not None:
                return author
    return None


def document_author(noun: Token) -> Token | None:
    """The named author of a document noun: "Y's letter", "the Y study", "a letter from/by Y",
    "a statement e-mailed by Y", and "Y said in a statement" (whoever said it in the document
    wrote it). A name before the noun must be one ("the January report" has no author)."""
    for child in noun.children:
        if child.dep_ == "poss" and child.pos_ == "PROPN":
            return child
        if child.dep_ == "compound" and child.pos_ == "PROPN" and child.ent_type_ in NAME_LABELS:
            return child
        if child.dep_ == "prep" and child.lower_ in ("from", "by"):
            return next((g for g in child.children if g.dep_ == "pobj"), None)
        if child.dep_ == "acl" and (child.tag_ == "VBN" or any(g.dep_ == "agent" for g in child.children)):
            # "by Y" under the participle is its agent (also when "e-mailed" is tagged a past tense)
            agent = _subject(child)
            if agent is not None:
                return agent
    prep = noun.head
    if noun.dep_ == "pobj" and prep.lower_ == "in" and prep.head.pos_ == "VERB" and prep.head.i < noun.i:
        subject = _subject(prep.head)
        if subject is not None and subject.pos_ == "PROPN":
            return subject
    return None


def verb_speaker(verb: Token, lex: Lexicon) -> Token | None:
    """Head of the speaker noun phrase of a reporting verb.

    A participle or conjunct without a subject ("Khamenei praised …, saying …") takes
    the subject of the verb it hangs on; a document speaks for its author.
    """
    current = verb
    for _ in range(4):
        subject = _subject(current)
        if subject is not None and subject.lower_ in OBJECT_PRONOUNS:
            return None  # "help him defend", "let them think": not a statement
        if subject is not None:
            if "document_noun" in lex.kind_of_noun(subject.text):
                return document_author(subject) or subject  # "X's letter said"
            return subject
        if current.dep_ in NOUN_HEAD_DEPS and current.head.pos_ in ("NOUN", "PROPN") and current.tag_ != "VBN":
            return current.head  # "a statement saying"; not "a group called X"
        if current is verb and _adjacent_subject(verb) is not None:
            return _adjacent_subject(verb)
        if current is verb and any(c.dep_ == "auxpass" for c in verb.children):
            return None  # "having been told that ...": whoever climbs in is who heard it
        if current.dep_ not in CLIMB_DEPS or current.head is current:
            return None
        if current.tag_ == "VBG":
            author = _document_author_before(current, lex)
            if author is not None:
                return author
            clause = current.head
            if (current.dep_ == "advcl" and clause.dep_ in CLAUSE_DEPS and clause.head.i < clause.i
                    and clause.head.lower_ in lex.verb_forms and clause.lower_ not in lex.verb_forms):
                # "argued that the move hurt them, noting that ...": the parser hangs the
                # participle on the reported clause, but it goes on the report
                current = current.head
        if current.dep_ == "pcomp" and current.head.dep_ == "prep":
            current = current.head  # "interrupted them by joking that ...": the prepositional phrase's verb
        current = current.head
    return None


def _verb_event(verb: Token, ctx: DocContext, lex: Lexicon) -> Event:
    segment = ctx.segment_of(verb)
    speaker = verb_speaker(verb, lex)
    content, weak = _verb_content(verb, segment)
    content = _without_nested_reports(content, verb, lex)
    if weak and lex.lemma(verb.text) in lex.clausal_verbs:
        content = []  # "a poll found a gap" is no statement; "found that" is
    cue = [verb] + [c for c in verb.children if c.dep_ == "prt"]
    cue_start, cue_end = char_range(cue)
    return Event(
        kind="verb",
        lemma=lex.lemma(verb.text),
        cue_start=cue_start,
        cue_end=cue_end,
        segment=ctx.segment_index(verb.idx),
        speaker=speaker,
        content=char_range(content) if content else None,
        anchor=verb,
        clausal=not weak,
        negated=any(c.dep_ == "neg" for c in verb.children),
    )


def _phrase_at(doc: Doc, i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(t.lower_ for t in doc[i : i + len(phrase)]) == phrase


def _cue_object(last: Token) -> Token | None:
    """The object of a prepositional cue: pobj of its last word, or the next noun."""
    pobj = next((c for c in last.children if c.dep_ == "pobj"), None)
    if pobj is not None:
        return pobj
    for tok in last.doc[last.i + 1 : last.i + 6]:
        if tok.pos_ in ("PROPN", "NOUN"):
            return tok
    return None


def _phrase_events(ctx: DocContext, lex: Lexicon) -> list[Event]:
    """Events for "according to X" (a source) and "in an interview with X" (an outlet)."""
    doc = ctx.doc
    events = []
    for tok in ctx.tokens_where(lower=lex.cue_first_words):
        i = tok.i
        for kind, phrase in lex.cues_by_first_word[tok.lower_]:
            if not _phrase_at(doc, i, phrase):
                continue
            last = doc[i + len(phrase) - 1]
            source = _cue_object(last)
            if source is None or ctx.in_mark(tok.idx):
                continue
            segment_i = ctx.segment_index(tok.idx)
            events.append(
                Event(
                    kind=kind,
                    lemma=None,
                    cue_start=tok.idx,
                    cue_end=last.idx + len(last),
                    segment=segment_i,
                    speaker=source,
                    content=_rest_of_segment(ctx.segments[segment_i], tok, source),
                    anchor=tok,
                )
            )
    return events


def _rest_of_segment(segment: Span, cue: Token, source: Token) -> tuple[int, int] | None:
    """The segment without the cue phrase: "X, according to Y." -> "X"."""
    phrase = set(range(cue.i, source.right_edge.i + 1))
    tokens = _trim([t for t in segment if t.i not in phrase and not t.is_space])
    before = [t for t in tokens if t.i < cue.i]
    after = [t for t in tokens if t.i > source.right_edge.i]
    kept = _trim(before) if len(before) >= len(after) else _trim(after)
    return char_range(kept) if kept else None


def _name_tokens(tokens: list[Token]) -> bool:
    """Whether tokens read as a name: capitalised words, at least one a proper noun."""
    words = [t for t in tokens if not t.is_punct]
    return bool(words) and all(t.text[:1].isupper() for t in words) and any(t.pos_ == "PROPN" for t in words)


def _is_label(tokens: list[Token]) -> bool:
    """Whether the words before a paragraph's colon read as a speaker label.

    The tagger is unreliable on headline words ("Issa" comes out an adjective), so a
    label is judged by shape: a few words, capitalised first, with no verb.
    """
    words = [t for t in tokens if not t.is_punct]
    return (
        0 < len(words) <= MAX_LABEL_WORDS
        and words[0].text[:1].isupper()
        and not any(t.pos_ in ("VERB", "AUX") for t in words)
    )


def _names_someone(label: Span, ctx: DocContext) -> bool:
    """Whether a label names a speaker: a person or organisation recognised in it, or the
    surname of a person the document names ("PENCE:" after "Mike Pence")."""
    if any(e.label_ in ("PERSON", "ORG") and label.start_char <= e.start_char < label.end_char for e in ctx.ents):
        return True
    return any(t.lower_ in ctx.person_last_words for t in label)


def _dash_events(ctx: DocContext) -> list[Event]:
    """`"…" ― Jane Doe`: a quote signed with a dash and a name at the end of its line."""
    doc, text = ctx.doc, ctx.text
    events = []
    for mark in ctx.marks:
        if not mark.closed:
            continue
        rest = text[mark.outer_end :].split("\n", 1)[0]
        dash_at = mark.outer_end + len(rest) - len(rest.lstrip(" \t\u00a0"))
        if dash_at >= len(text) or text[dash_at] not in SIGNATURE_DASHES:
            continue
        line_end = mark.outer_end + len(rest)
        name = doc.char_span(dash_at + 1, line_end, alignment_mode="contract")
        if name is None or not 0 < len(name) <= 6 or not _name_tokens(list(name)):
            continue
        events.append(Event("dash", None, dash_at, dash_at + 1, ctx.segment_index(dash_at), name.root))
    return events


def _label_events(ctx: DocContext, lex: Lexicon) -> list[Event]:
    """`PENCE: Well, look, …` and `Pence: Flowers won't be at debate`: a name, a colon
    and what the named person said, as transcripts and headlines write it."""
    doc, text = ctx.doc, ctx.text
    events = []
    labels: list[Span] = []
    for start, end in ctx.paragraphs:
        colon = text.find(":", start, min(end, start + MAX_LABEL_CHARS))
        if colon < 0 or not text[colon + 1 : colon + 2].isspace() or not text[colon + 1 : end].strip():
            continue  # no label, or a clock time ("10:03 p.m.")
        label = doc.char_span(start, colon, alignment_mode="contract")
        if label is None or not _is_label([t for t in label if t.text not in QUOTE_CHARS]):
            continue
        if any(t.lower_ in lex.words.get("not_speaker_label", ()) for t in label):
            continue
        body = doc.char_span(colon + 1, end, alignment_mode="contract")
        tokens = _trim(list(body)) if body is not None else []
        if tokens:
            labels.append(label)
            events.append(
                Event("label", None, colon, colon + 1, ctx.segment_index(colon), label[-1], char_range(tokens))
            )
    # "ENERGY: Benchmark crude ...", "Email: ...": rubrics, not speakers. A label speaks when it
    # names someone, or when a label recurs, as the turns of a transcript do.
    dialogue = len({label.text.lower() for label in labels}) < len(labels)
    return [e for e, label in zip(events, labels) if dialogue or _names_someone(label, ctx)]


def find_events(ctx: DocContext, lex: Lexicon) -> list[Event]:
    """All reporting events of the document, in text order."""
    verbs = [
        _verb_event(tok, ctx, lex)
        for tok in ctx.tokens_where(pos=REPORTING_POS, lower=lex.verb_forms)  # reporting-verb forms
        if tok.tag_.startswith("VB") and ctx.in_mark(tok.idx) is None
        and not (tok.is_upper and len(tok) > 1)  # "READ MORE:", "WATCH:": a rubric, not a verb
    ]
    others = _phrase_events(ctx, lex) + _dash_events(ctx) + _label_events(ctx, lex)
    links = _rubric_paragraphs(ctx, lex)
    return sorted((e for e in verbs + others if not any(s <= e.cue_start < t for s, t in links)),
                  key=lambda e: e.cue_start)


def _rubric_paragraphs(ctx: DocContext, lex: Lexicon) -> list[tuple[int, int]]:
    """Paragraphs under a rubric ("READ MORE: Minister says ...", "WATCH: Police warn of ..."):
    the headline of another story, linked from this one, whose verbs report nothing here."""
    rubric_words = lex.words.get("link_rubric", frozenset())
    found = []
    for start, end in ctx.paragraphs:
        colon = ctx.text.find(":", start, min(end, start + MAX_LABEL_CHARS))
        words = ctx.text[start:colon].lower().split() if colon > start else []
        if words and all(w in rubric_words for w in words):
            found.append((start, end))
    return found
