"""Quotes found by marks and a lexicon of cues, for languages the English rules do not read (French).

The English extractor (`events`, `attribution`) walks an English parse; French attribution is
mostly written in fixed shapes that its cue words identify without one:
- an incise after or inside a quote: « … », a déclaré X / « … », a-t-il affirmé / « …, dit-elle, … »
- a cue before the quote: X a déclaré : « … » / Selon X, « … »
- a partial quote inside an attributed sentence: X a affirmé que la grève continuerait « … »
- indirect speech: X a déclaré que … / Selon X, …
The words are data (`data/reporting_verbs.fr.txt`, `attribution_cues.fr.txt`, `speaker_words.fr.txt`).
A pronoun speaker ("a-t-il") is the last person named before it.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from analysis.model import Quote

from ..mention_fixes import after_honorific
from .lexicon import DATA_DIR

_AUX = r"(?:a|ont|avait|avaient|aurait|auraient|va|vont)"
_PRONOUNS_RE = r"(?:il|elle|ils|elles|on)"
_QUOTE = re.compile(r"«\s*(?P<body>[^«»]+?)\s*»|“\s*(?P<body2>[^“”]+?)\s*”")
SPEAKER_LABELS = ("PER", "ORG", "PERSON")
MAX_SPEAKER_GAP = 60  # characters between a cue and the name it introduces


@dataclass(frozen=True)
class Cues:
    """The compiled cue patterns of one language's lexicon."""

    inverted: re.Pattern[str]  # "a-t-il affirmé", "déclare-t-elle", "dit-il"
    verb: re.Pattern[str]  # "a déclaré", "explique", "ont affirmé"
    source: re.Pattern[str]  # "selon", "d'après"
    pronouns: frozenset[str]


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=4)
def load_cues(language: str) -> Cues:
    forms = sorted({form for line in _lines(f"reporting_verbs.{language}.txt") for form in line.split()[1:]},
                   key=len, reverse=True)
    verbs = "|".join(map(re.escape, forms))
    sources = [" ".join(line.split()[1:]) for line in _lines(f"attribution_cues.{language}.txt")
               if line.split()[0] == "source"]
    pronouns = frozenset(line.lower() for line in _lines(f"speaker_words.{language}.txt") if not line.startswith("["))
    flags = re.IGNORECASE
    return Cues(
        inverted=re.compile(rf"\b(?:{_AUX}(?:-t)?-(?P<p1>{_PRONOUNS_RE})\s+(?:{verbs})|(?:{verbs})(?:-t)?-(?P<p2>{_PRONOUNS_RE}))\b", flags),
        verb=re.compile(rf"\b(?:{_AUX}\s+)?(?:{verbs})\b", flags),
        source=re.compile(r"\b(?:" + "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in sources) + r")\b", flags),
        pronouns=pronouns,
    )


# "M.", "Dr.", "J.": a capital and at most two letters before a full stop abbreviate a title or a
# given name, which ends no sentence and parts no speaker from the cue ("a déclaré M. Dubreuil").
_ABBREVIATION = r"\b[A-ZÀ-ÖØ-Ý][a-z]{0,2}\."
_SENTENCE_END = re.compile(r"(?<=[.!?…])(?<!\b[A-ZÀ-ÖØ-Ý]\.)(?<!\b[A-ZÀ-ÖØ-Ý][a-z]\.)(?<!\b[A-ZÀ-ÖØ-Ý][a-z]{2}\.)\s+"
                           r"(?=[«\"“A-ZÀ-ÖØ-Ý])|\n\s*\n|(?<=[.!?]\s»)\s+")


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, cut after final punctuation before a capital or a quote mark,
    and at paragraph breaks."""
    cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


class _Finder:
    def __init__(self, doc: Doc, text: str, cues: Cues):
        self.doc, self.text, self.cues = doc, text, cues
        self.parsed_starts = [s.start_char for s in doc.sents]  # what `Quote.sentence` counts
        # The small French parser cuts sentences at numbers and in the middle of clauses, so
        # attribution looks within sentences found by punctuation instead.
        self.sentences = _sentences(text)
        self.starts = [s for s, _ in self.sentences]
        self.names = [(e.start_char, e.end_char, "PER" if after_honorific(text, e.start_char) else e.label_)
                      for e in doc.ents if e.label_ in SPEAKER_LABELS or after_honorific(text, e.start_char)]

    def sentence_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def name_after(self, offset: int) -> tuple[int, int] | None:
        """The name starting within `MAX_SPEAKER_GAP` characters after `offset`, before any stop."""
        for start, end, _ in self.names:
            gap = re.sub(_ABBREVIATION, "", self.text[offset:start])
            if offset <= start <= offset + MAX_SPEAKER_GAP and not re.search(r"[.;:!?«»]", gap):
                return start, end
        return None

    def name_before(self, offset: int, sentence_start: int) -> tuple[int, int] | None:
        """The last name ending before `offset` in the same sentence (the subject of "X a déclaré")."""
        hits = [(s, e) for s, e, _ in self.names if sentence_start <= s and e <= offset]
        return hits[-1] if hits else None

    def person_before(self, offset: int) -> tuple[int, int] | None:
        """The last person named before `offset`: who a pronoun in an incise stands for."""
        hits = [(s, e) for s, e, label in self.names if e <= offset and label in ("PER", "PERSON")]
        return hits[-1] if hits else None

    def attribution(self, window_start: int, window_end: int, anchor: int) -> dict | None:
        """Cue and speaker of an incise or cue found in text[window_start:window_end]."""
        window = self.text[window_start:window_end]
        if m := self.cues.inverted.search(window):
            start, end = window_start + m.start(), window_start + m.end()
            pronoun = m.group("p1") or m.group("p2")
            p_start = window_start + (m.start("p1") if m.group("p1") else m.start("p2"))
            referent = self.person_before(start)
            return dict(cue=(start, end), speaker=(p_start, p_start + len(pronoun)), referent=referent)
        for pattern in (self.cues.verb, self.cues.source):
            if m := pattern.search(window):
                start, end = window_start + m.start(), window_start + m.end()
                speaker = self.name_after(end) or (
                    self.name_before(start, self.sentences[self.sentence_of(anchor)][0])
                    if pattern is self.cues.verb else None)
                if speaker is not None:
                    return dict(cue=(start, end), speaker=speaker, referent=speaker)
        return None

    def quote(self, start: int, end: int, kind: str, found: dict) -> Quote:
        text = self.text
        (c_start, c_end), (s_start, s_end) = found["cue"], found["speaker"]
        referent = found["referent"]
        return Quote(
            start=start, end=end, text=text[start:end], kind=kind,
            cue=text[c_start:c_end], cue_start=c_start, cue_end=c_end,
            speaker=text[s_start:s_end], speaker_start=s_start, speaker_end=s_end,
            sentence=max(0, bisect.bisect_right(self.parsed_starts, start) - 1),
            referent_start=referent[0] if referent else None, referent_end=referent[1] if referent else None,
        )

    def marked(self) -> tuple[list[Quote], list[tuple[int, int]]]:
        """Direct and partial quotes, and the sentences they are attributed in."""
        quotes, used = [], []
        for m in _QUOTE.finditer(self.text):
            body = "body" if m.group("body") is not None else "body2"
            start, end = m.start(body), m.end(body)
            s_start, s_end = self.sentences[self.sentence_of(m.start())]
            s_end = max(s_end, self.sentences[self.sentence_of(m.end() - 1)][1])
            inside = self.attribution(start, end, start)  # « …, a-t-il affirmé, … »
            if inside is not None and not self.text[start:inside["cue"][0]].rstrip().endswith(","):
                inside = None  # an incise is set off by a comma: "qu'il a dit" inside a quote is not one
            after_text = self.text[m.end():s_end]
            after = self.attribution(m.end(), s_end, m.end()) if re.match(r"\s*[,—–-]", after_text) else None
            before = self.attribution(s_start, m.start(), m.start())
            found = inside or after or before
            if found is None:
                continue  # a title, a scare quote or a name in marks
            direct = (inside is not None or after is not None
                      or re.search(r"[:,]\s*$", self.text[s_start:m.start()]) is not None)
            quotes.append(self.quote(start, end, "direct" if direct else "partial", found))
            used.append((s_start, s_end))
        return quotes, used

    def clause_start(self, start: int, end: int) -> int | None:
        """Where the statement of "Selon X, économiste, le conflit coûte …" starts: after the last
        comma before the sentence's first verb (the source and its apposition come first)."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        verb = next((t for t in span or () if t.pos_ in ("VERB", "AUX")), None)
        if verb is None:
            return None
        commas = [t for t in span if t.text == "," and t.i < verb.i]
        return commas[-1].idx + 1 + (self.text[commas[-1].idx + 1] == " ") if commas else None

    def indirect(self, used: list[tuple[int, int]]) -> list[Quote]:
        """Reported speech without marks: "X a déclaré que …", "Selon X, …"."""
        quotes = []
        for s_start, s_end in self.sentences:
            if any(u_start <= s_start < u_end for u_start, u_end in used):
                continue
            s_start += len(self.text[s_start:s_end]) - len(self.text[s_start:s_end].lstrip())
            sentence = self.text[s_start:s_end]
            if m := re.search(rf"(?:{self.cues.verb.pattern})\s+(?:qu'|que\s)", sentence, re.IGNORECASE):
                found = self.attribution(s_start + m.start(), s_start + m.end(), s_start + m.start())
                if found is not None:
                    quotes.append(self.quote(s_start + m.end(), s_start + len(sentence.rstrip(" .!?\n")), "indirect", found))
            elif (m := self.cues.source.match(sentence)) and (comma := self.clause_start(s_start, s_end)) is not None:
                found = self.attribution(s_start, comma, s_start)
                if found is not None:
                    quotes.append(self.quote(comma, s_start + len(sentence.rstrip(" .!?\n")), "indirect", found))
        return quotes


def find_quotes_by_cues(doc: Doc, language: str, text: str | None = None) -> list[Quote]:
    """Every attributed statement of a parsed document in `language`, in text order."""
    finder = _Finder(doc, text if text is not None else doc.text, load_cues(language))
    marked, used = finder.marked()
    return sorted(marked + finder.indirect(used), key=lambda q: (q.start, q.end))
