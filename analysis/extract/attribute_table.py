"""spaCy's attribute ruler run as a table lookup: the same rules and the same annotations, for a
fraction of the CPU.

Why: the English pipeline's `attribute_ruler` (fine tag -> part of speech and morphology, 179
rules) sends every token through spaCy's general `Matcher`, which costs 10-15 % of the whole
pipeline on news text. Almost every rule looks at one token's own attributes (its tag, its lower
case form, its dependency), so which rules match a token depends only on those values: this
component works that out once per distinct combination and remembers it. A rule over a few
tokens is matched from what each of its tokens passes; a rule with an operator ("OP") or a test
this table does not read stays in a `Matcher` of its own. Rules are applied in the ruler's order (a later rule wins) with spaCy's own setter, so every
token ends with the attributes the ruler would give it (`tests/test_attribute_table.py` compares
them on real text).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from spacy.attrs import IDS as ATTR_IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.tokens._retokenize import normalize_token_attrs, set_token_attrs
from spacy.vocab import Vocab

# Token attributes a rule may test here: each read in bulk with `Doc.to_array`.
_STRING_ATTRS = {"ORTH", "LOWER", "NORM", "TAG", "DEP", "SHAPE", "PREFIX", "SUFFIX", "LEMMA"}
_ALIASES = {"TEXT": "ORTH"}
_PREDICATES = {"IN", "NOT_IN", "REGEX"}

Test = tuple[str, str, Any]  # (attribute, "==" | "IN" | "NOT_IN" | "REGEX", value as Doc.to_array holds it)
# Tokens' values remembered as read, at most this many (then forgotten and learnt again): a
# lower-case form is part of them, so their number grows with the vocabulary (19,000 for 600
# Reuters stories). What the rules make of them is remembered apart, by the values the rules can
# tell apart (a form no rule names is any other form): a few thousand, however large the corpus.
MEMO_ROWS = 50_000
_OTHER = -1  # a value no test names (Doc.to_array's values are unsigned)


class _Row(NamedTuple):
    """What the rules make of a token with given values: the one-token rules it matches, in
    order; their attributes merged as applying them in that order leaves them; and the tokens of
    longer rules it passes (alternative number, position)."""
    numbers: tuple[int, ...]
    merged: dict[int, Any]
    steps: frozenset[tuple[int, int]]


def _array_value(attr: str, value: Any) -> int:
    """`value` of a rule as `Doc.to_array` gives `attr`: a string's hash, a part of speech's id,
    a flag's 0 or 1."""
    if attr == "POS":
        return int(POS_IDS[value])
    if attr.startswith("IS_"):
        return int(bool(value))
    return get_string_id(value)


def _token_tests(token: dict[str, Any]) -> list[Test] | None:
    """A pattern token's tests, or None when it needs the Matcher (an operator, a number, ...)."""
    tests: list[Test] = []
    for name, value in token.items():
        attr = _ALIASES.get(name.upper(), name.upper())
        if not (attr in _STRING_ATTRS or attr == "POS" or (attr.startswith("IS_") and attr in ATTR_IDS)):
            return None
        if isinstance(value, dict):
            if not value or set(value) - _PREDICATES or ("REGEX" in value and attr not in _STRING_ATTRS):
                return None
            for op, want in value.items():
                tests.append((attr, op, re.compile(want) if op == "REGEX"
                              else frozenset(_array_value(attr, v) for v in want)))
        elif isinstance(value, (str, bool)):
            tests.append((attr, "==", _array_value(attr, value)))
        else:
            return None
    return tests


class AttributeTable:
    """A drop-in for spaCy's `AttributeRuler` once its rules are given (`add_rules`)."""

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler"):
        self.vocab, self.name = vocab, name
        self.attrs: list[dict[int, Any]] = []  # rule number -> attributes to set (normalised)
        self.indices: list[int] = []  # rule number -> the token of the match it sets
        self.alternatives: list[tuple[int, int]] = []  # alternative -> (rule number, tokens)
        # each token of each alternative (alternative, position, tests), filed under a value one of
        # its tests requires (attribute, value), or tried for every token when none does
        self.by_value: dict[tuple[str, int], list[tuple[int, int, list[Test]]]] = {}
        self.always: list[tuple[int, int, list[Test]]] = []
        self.columns: list[str] = []  # the attributes the rules test, as read per token
        self.matcher = Matcher(vocab, validate=False)  # rules with operators, under their rule number
        self._named: dict[str, set[int]] = {}  # attribute -> the values its tests name
        self._regexes: dict[str, list[re.Pattern[str]]] = {}  # attribute -> its tests' expressions
        self._memo: dict[tuple[int, ...], _Row] = {}  # a token's values as read -> _Row
        self._rows: dict[tuple[Any, ...], _Row] = {}  # the same, as the rules tell them apart -> _Row

    def add_rules(self, rules: Iterable[dict[str, Any]]) -> None:
        """Add rules as `AttributeRuler.patterns` lists them (patterns, attrs, index)."""
        for rule in rules:
            number = len(self.attrs)
            self.attrs.append(normalize_token_attrs(self.vocab, rule["attrs"]))
            self.indices.append(rule.get("index", 0))
            patterns = [[_token_tests(token) for token in pattern] for pattern in rule["patterns"]]
            if any(tests is None for pattern in patterns for tests in pattern):
                self.matcher.add(str(number), rule["patterns"])
                continue
            for pattern in patterns:
                self.alternatives.append((number, len(pattern)))
                for position, tests in enumerate(pattern):
                    self._file(len(self.alternatives) - 1, position, tests)  # type: ignore[arg-type]
        tests = [test for filed in [*self.by_value.values(), self.always] for _, _, tests in filed for test in tests]
        self.columns = sorted({attr for attr, _, _ in tests})
        self._named = {attr: set() for attr in self.columns}
        self._regexes = {attr: [] for attr in self.columns}
        for attr, op, want in tests:
            if op == "REGEX":
                self._regexes[attr].append(want)
            else:
                self._named[attr] |= {want} if op == "==" else want
        self._memo.clear()
        self._rows.clear()

    def _file(self, alternative: int, position: int, tests: list[Test]) -> None:
        """File a pattern token under a value it requires: a token without that value is never
        tested against it."""
        required = next((t for t in tests if t[1] == "=="), None) or next((t for t in tests if t[1] == "IN"), None)
        entry = (alternative, position, tests)
        if required is None:
            self.always.append(entry)
            return
        attr, op, want = required
        for value in (want,) if op == "==" else want:
            self.by_value.setdefault((attr, value), []).append(entry)

    def __call__(self, doc: Doc) -> Doc:
        if not self.attrs or not len(doc):
            return doc
        rows = [self._row(tuple(values)) for values in doc.to_array(self.columns).reshape(len(doc), -1).tolist()]
        longer: dict[int, list[int]] = {}  # token -> rules of more than one token that set it
        for match_id, start, end in self.matcher(doc, allow_missing=True) if len(self.matcher) else ():
            number = int(self.vocab.strings[match_id])
            longer.setdefault(doc[start:end][self.indices[number]].i, []).append(number)
        for i, row in enumerate(rows):
            for alternative, position in row.steps:
                number, length = self.alternatives[alternative]
                if position == 0 and i + length <= len(doc) and all(
                        (alternative, k) in rows[i + k].steps for k in range(1, length)):
                    index = self.indices[number]
                    longer.setdefault(i + (index if index >= 0 else length + index), []).append(number)
        for i, row in enumerate(rows):
            if i in longer:
                for number in sorted([*row.numbers, *longer[i]]):
                    set_token_attrs(doc[i], self.attrs[number])
            elif row.merged:
                set_token_attrs(doc[i], row.merged)
        return doc

    def _row(self, row: tuple[int, ...]) -> _Row:
        found = self._memo.get(row)
        if found is None:
            if len(self._memo) >= MEMO_ROWS:
                self._memo.clear()
            told = tuple(self._told(attr, value) for attr, value in zip(self.columns, row))
            found = self._rows.get(told)
            if found is None:
                found = self._rows[told] = self._work_out(dict(zip(self.columns, row)))
            self._memo[row] = found
        return found

    def _told(self, attr: str, value: int) -> Any:
        """`value` as the rules tell it apart: itself if a test names it, else what the attribute's
        expressions say of it."""
        if value in self._named[attr]:
            return value
        return (_OTHER, *(rx.search(self.vocab.strings[value]) is not None for rx in self._regexes[attr]))

    def _work_out(self, values: dict[str, int]) -> _Row:
        candidates = [*self.always]
        for attr, value in values.items():
            candidates += self.by_value.get((attr, value), ())
        passed = {(alternative, position) for alternative, position, tests in candidates
                  if all(self._passes(test, values[test[0]]) for test in tests)}
        numbers = tuple(sorted({self.alternatives[a][0] for a, _ in passed if self.alternatives[a][1] == 1}))
        merged: dict[int, Any] = {}
        for number in numbers:
            merged.update(self.attrs[number])
        steps = frozenset(step for step in passed if self.alternatives[step[0]][1] > 1)
        return _Row(numbers, merged, steps)

    def _passes(self, test: Test, got: int) -> bool:
        _, op, want = test
        if op == "==":
            return got == want
        if op == "REGEX":
            return want.search(self.vocab.strings[got]) is not None
        return (got in want) == (op == "IN")


@Language.factory("attribute_table")
def make_attribute_table(nlp: Language, name: str) -> AttributeTable:
    return AttributeTable(nlp.vocab, name)


def use_attribute_table(nlp: Language, names: Sequence[str] = ("attribute_ruler",)) -> None:
    """Put an `AttributeTable` with the same rules in place of each attribute ruler of `nlp`."""
    for name in names:
        if name in nlp.pipe_names and isinstance(ruler := nlp.get_pipe(name), AttributeRuler):
            rules = ruler.patterns
            table = nlp.replace_pipe(name, "attribute_table")
            table.add_rules(rules)
