"""Plain records that flow through the pipeline: load -> extract -> store.

They are deliberately free of spaCy and database types so that extraction can run in
worker processes (or on Dask/Ray) and its output be pickled, shipped and stored anywhere.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")


def document_id(text: str) -> str:
    """Stable id of a document: a hash of its normalised text.

    Normalising (Unicode NFC, folded whitespace) makes the same article loaded from a
    .txt and from an .html page, or with CRLF line ends, one document.
    """
    norm = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def strip_accents(text: str) -> str:
    """`text` without diacritics ("Erdoğan" -> "Erdogan"), compatibility forms decomposed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The `date_source` of a PDF whose every page is an image: its creation date is the day of the scan,
# so the document date prefers a date the text gives (extract.dates.document_date).
SCAN_DATE = "pdf-scan-date"


@dataclass(frozen=True)
class RawDocument:
    """A document as a loader produced it, before any NLP."""

    text: str
    file_name: str
    title: str | None = None
    source: str | None = None
    author: str | None = None
    url: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd from metadata, when the format carries one
    date_source: str | None = None  # where `date` came from, e.g. "html-meta"
    record_id: str | None = None  # the `id` a batch row or record gave
    # the name's exact bytes when `file_name` had to show some as escapes (b"caf\xe9.txt" is
    # shown as "caf\\xe9.txt"); None when `file_name` is exact
    file_name_bytes: bytes | None = None
    notes: tuple[str, ...] = ()  # what loading changed and the analyst should know ("NUL removed")
    title_derived: bool = False  # the title was taken from the text (`loaders.titles`), not given
    ocr_pages: int = 0  # pages (or images) whose text Tesseract read

    @functools.cached_property
    def doc_id(self) -> str:
        """`document_id` of the text, hashed once: ingest asks for it several times."""
        return document_id(self.text)


@dataclass(frozen=True)
class LoadError:
    """A file (or a batch row) that could not be read, and why, in words for the analyst."""

    file_name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file_name}: {self.reason}"


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int


@dataclass
class Mention:
    """One occurrence of a named entity, with its canonical entity."""

    start: int
    end: int
    text: str
    label: str
    sentence: int
    entity_key: str = ""  # same key = same entity, across documents
    entity_name: str = ""  # canonical display name
    entity_label: str = ""  # the entity's type ("Iranian" is a NORP mention of the GPE Iran)


UNRESOLVED = "unresolved"  # the speaker label of a pronoun or relative no name was found for


@dataclass
class Quote:
    """An attributed statement: what was said, by whom, through whom."""

    start: int
    end: int
    text: str
    kind: str  # "direct" | "partial" | "indirect"
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    sentence: int
    # the named mention a pronoun or descriptor speaker ("he", "the adviser") refers to;
    # equal to the speaker span when the speaker is itself a name
    referent_start: int | None = None
    referent_end: int | None = None
    reported_by: str | None = None  # the outlet in a reporting chain ("according to Al-Akhbar")
    reported_by_start: int | None = None
    reported_by_end: int | None = None
    # filled by the pipeline from the document's canonical entities
    speaker_key: str | None = None
    speaker_entity: str | None = None
    reported_by_key: str | None = None
    # canonical keys of the entities mentioned inside the quote ("who talks about whom")
    mentioned: list[str] = field(default_factory=list)
    # "statement" (a speech or writing act: said, wrote, warned that, a quote in marks) or
    # "position" (a belief, intention or stance: thinks, hopes, plans, backs)
    act: str = "statement"
    # what the speaker is called: a descriptor nobody is named for ("some critics") or that
    # names whom it speaks for ("a BankAmerica spokesman"), else the speaker entity's name (or
    # the name as written), else "unresolved" (a pronoun nobody could be found for: never shown
    # as "he" or "who"); completed by the pipeline
    speaker_label: str | None = None


@dataclass
class Event:
    """A sentence that carries a normalised date."""

    start: int  # the sentence
    end: int
    text: str
    date_text: str
    date_start: str  # ISO date
    date_end: str  # ISO date, inclusive
    granularity: str  # "day" | "week" | "month" | "year" | "decade"
    sentence: int
    entities: list[str] = field(default_factory=list)  # canonical keys in the sentence


@dataclass
class Extraction:
    """Everything extracted from one document: the rows the store keeps for it."""

    doc_id: str
    raw: RawDocument
    date: str | None
    date_source: str | None
    n_words: int
    sentences: list[Sentence]
    mentions: list[Mention]
    quotes: list[Quote]
    events: list[Event]
    language: str | None = None  # ISO 639-1 code detected from the text ("en", "fr")
    note: str | None = None  # why a document has no entities (a language without a pipeline)
