"""The search box's query language, parsed into a small tree that `search` turns into tantivy queries.

tantivy's own parser does not do what analysts type (`oil AND NOT opec` finds nothing, `pric*` is
the word "pric", `tehran~` a phrase slop), so the language is parsed here, Lucene-style:

    oil price            both words (words next to each other must all match)
    "oil price"          the exact phrase
    oil OR wheat         either
    oil AND NOT opec     `NOT` (or a leading `-`) excludes; `AND` is optional
    (oil OR gas) -opec   brackets group
    pric*                any word starting with "pric"
    tehran~  tehran~2    words within 1 (or 2) edits of "tehran"

Operators are upper case; lower-case "and", "or", "not" are words. A word is split into the
index's terms the way the text was ("U.S." is the phrase "u s").
"""
from __future__ import annotations

import re
from dataclasses import dataclass


class QueryError(ValueError):
    """A query that cannot be read; the message says where and why, in one line."""


@dataclass(frozen=True)
class Word:
    text: str
    prefix: bool = False  # word*
    fuzzy: int = 0  # word~N: edit distance


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Not:
    part: "Node"


@dataclass(frozen=True)
class And:
    parts: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    parts: tuple["Node", ...]


Node = Word | Phrase | Not | And | Or

_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|"(?P<phrase>[^"]*)(?P<closed>"?)|(?P<word>[^\s()"]+))')
_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<distance>\d?)$")
MAX_FUZZY = 2


def parse(query: str) -> Node:
    """The tree of `query`; `QueryError` when it cannot be read (unbalanced brackets, a dangling operator...)."""
    tokens = _tokens(query)
    if not tokens:
        raise QueryError("the query is empty")
    parser = _Parser(tokens)
    node = parser.or_expr()
    if parser.pos < len(tokens):
        raise QueryError(f"unexpected {tokens[parser.pos][1]!r}: a closing bracket without an opening one")
    return node


def _tokens(query: str) -> list[tuple[str, str]]:
    tokens = []
    for m in _TOKEN.finditer(query.strip()):
        if m.group("open"):
            tokens.append(("(", "("))
        elif m.group("close"):
            tokens.append((")", ")"))
        elif m.group("phrase") is not None:
            if not m.group("closed"):
                raise QueryError(f'unterminated phrase: "{m.group("phrase")} needs a closing quote')
            tokens.append(("phrase", m.group("phrase")))
        elif m.group("word") in ("AND", "OR", "NOT"):
            tokens.append((m.group("word"), m.group("word")))
        else:
            tokens.append(("word", m.group("word")))
    return tokens


class _Parser:
    """Recursive descent: or_expr := and_expr (OR and_expr)*; and_expr := unary ([AND] unary)*;
    unary := (NOT | -) unary | ( or_expr ) | phrase | word."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        kind = self.peek()
        if kind is None:
            previous = self.tokens[self.pos - 1][1] if self.pos else ""
            raise QueryError(f"the query ends after {previous!r}: something to search for must follow")
        kind, value = self.take()
        if kind == "NOT":
            return Not(self.unary())
        if kind == "(":
            inner = self.or_expr()
            if self.peek() != ")":
                raise QueryError("an opening bracket is never closed")
            self.take()
            return inner
        if kind == "phrase":
            if not value.strip():
                raise QueryError('an empty phrase ""')
            return Phrase(value)
        if kind == "word":
            return Not(self.unary()) if value == "-" else _word(value)
        raise QueryError(f"{value!r} cannot stand here: put a word or a phrase before it")


def _word(value: str) -> Node:
    """A word with its operators: a leading - (NOT) or +, a trailing * (prefix) or ~N (fuzzy)."""
    if value.startswith("-") and len(value) > 1:
        return Not(_word(value[1:]))
    if value.startswith("+") and len(value) > 1:
        return _word(value[1:])
    fuzzy = _FUZZY.match(value)
    if fuzzy:
        distance = int(fuzzy.group("distance") or 1)
        if distance > MAX_FUZZY:
            raise QueryError(f"{value!r}: at most {MAX_FUZZY} edits (word~1 or word~2)")
        return Word(fuzzy.group("word"), fuzzy=distance)
    if value.endswith("*") and value.rstrip("*"):
        return Word(value.rstrip("*"), prefix=True)
    if value.strip("*~") == "":
        raise QueryError(f"{value!r} alone is not something to search for")
    return Word(value)
