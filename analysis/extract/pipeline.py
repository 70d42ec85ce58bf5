"""Extraction: from a loaded document to every row the store keeps for it.

`extract_document` is a pure function of a document and its parsed pieces; `Extractor`
feeds documents through spaCy in small batches; `extract_all` spreads the same work over
worker processes. Because the output is plain records (`Extraction`), the same function
can run on a distributed engine and its output be loaded into the same tables.
"""
from __future__ import annotations

import bisect
import dataclasses
import datetime
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import groupby
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import TypeVar

from spacy.tokens import Doc

from analysis import settings
from analysis.loaders.titles import without_byline
from analysis.model import (
    UNRESOLVED,
    Event,
    Extraction,
    LoadError,
    Mention,
    Quote,
    RawDocument,
    Sentence,
)

from .dates import document_date, masthead
from .entities import alias_mentions, canonicalise
from .events import find_events
from .french_dates import find_french_events, french_document_date
from .languages import detect_language, load_detector, package_hint, product_label
from .mention_fixes import Span, caps_line_entities, common_word_heading, fix_mentions, honorific_people, ner_pass
from .nlp import ModelNotInstalled, load_pipeline
from .paragraphs import paragraph_starts
from .people import filter_people
from .quotes import find_quotes
from .quotes.lexical import find_quotes_by_cues
from .rows import RowBatch, row_batch
from .speaker_names import speaker_name_spans

# Parser memory grows with the text: long documents are parsed in pieces of at most this size.
CHUNK_CHARS = 100_000
# Documents are told apart by language this many spaCy batches at a time, each language's
# share then parsed by its own pipeline (results still come out in input order).
LANGUAGE_GROUP_BATCHES = 4
# A short fictional article touching every lookup table the extractors load on first use
# (`Extractor.warm`).
WARM_UP_TEXT = Path(__file__).parent / "data" / "warmup.txt"

T = TypeVar("T")


def split_text(text: str, max_chars: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering `text`, cut at paragraph or line ends where possible."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut <= 0:
            cut = max(window.rfind(" "), window.rfind("\t"))
        end = start + (cut + 1 if cut > 0 else max_chars)
        pieces.append((start, text[start:end]))
        start = end
    pieces.append((start, text[start:]))
    return pieces


def _shift(record, chars: int, sentences: int):
    """A copy of a Quote/Event with char offsets and sentence index moved into the document."""
    if not chars and not sentences:  # the first piece, which is most documents whole
        return record
    changes = {
        f.name: getattr(record, f.name) + chars
        for f in dataclasses.fields(record)
        if (f.name.endswith("start") or f.name.endswith("end"))
        and isinstance(getattr(record, f.name), int)
    }
    changes["sentence"] = record.sentence + sentences
    return dataclasses.replace(record, **changes)


def extract_document(raw: RawDocument, pieces: list[tuple[int, Doc]],
                     caps_entities: list[Span] | None = None) -> Extraction:
    """All rows for one document from its parsed pieces ((offset, Doc) in text order) and the
    entities of its ALL-CAPS lines read again (`mention_fixes.caps_line_entities`)."""
    text = raw.text
    date, date_source = document_date(raw)
    top = masthead(text)
    sentences: list[Sentence] = []
    spans: list[Span] = []
    quotes: list[Quote] = []
    events: list[Event] = []
    paragraphs = paragraph_starts(text)
    ends = [offset for offset, _ in pieces[1:]] + [len(text)]  # the pieces are contiguous slices of `text`
    for (offset, doc), end in zip(pieces, ends):
        piece = text[offset:end]  # `doc.text`, without rebuilding it from the tokens
        first = len(sentences)
        for sent in doc.sents:
            start = offset + sent.start_char
            sentences.append(Sentence(start, offset + sent.end_char, bisect.bisect_right(paragraphs, start) - 1))
        spans += [(offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents if not common_word_heading(e)]
        quotes += [_shift(q, offset, first) for q in find_quotes(doc, piece)]
        dateline = _within([top.dateline_date] if top.dateline_date else [], offset, end)
        events += [_shift(ev, offset, first) for ev in find_events(
            doc, _as_date(date), piece, _within(top.date_lines, offset, end), dateline[0] if dateline else None)]
    spans += speaker_name_spans(text, quotes, spans)
    spans += alias_mentions(text, [(s, e) for s, e, _ in spans])
    sent_starts = [s.start for s in sentences]
    mentions = canonicalise(text, [
        Mention(s, e, text[s:e], label, max(0, bisect.bisect_right(sent_starts, s) - 1))
        for s, e, label in fix_mentions(text, spans, caps_entities, top.place)
    ])
    mentions, byline = filter_people(text, mentions, _speaker_spans(quotes))
    if byline:  # it names the author the metadata lacked, and is no title
        raw = without_byline(raw if raw.author else dataclasses.replace(raw, author=byline), byline)
    _attach_entities(text, mentions, quotes, events)
    return Extraction(
        doc_id=raw.doc_id,
        raw=raw,
        date=date,
        date_source=date_source,
        n_words=len(text.split()),
        sentences=sentences,
        mentions=mentions,
        quotes=quotes,
        events=events,
    )


def extract_by_cues(raw: RawDocument, pieces: list[tuple[int, Doc]], language: str) -> Extraction:
    """All rows for a document read by a pipeline of another language than English (French).

    Entities keep the pipeline's spans, their labels mapped to the product's types
    (`languages.product_label`); quotes come from marks and the language's cue lexicon
    (`quotes.lexical`), dates from its date words (`french_dates`). The English repairs of
    `mention_fixes` (ALL-CAPS headlines, English name lists) do not apply.
    """
    text = raw.text
    date, date_source = document_date(raw)
    if date is None and (date := french_document_date(text)):
        date_source = "text"
    sentences: list[Sentence] = []
    spans: list[Span] = []
    quotes: list[Quote] = []
    events: list[Event] = []
    paragraphs = paragraph_starts(text)
    ends = [offset for offset, _ in pieces[1:]] + [len(text)]
    for (offset, doc), end in zip(pieces, ends):
        piece = text[offset:end]
        first = len(sentences)
        for sent in doc.sents:
            start = offset + sent.start_char
            sentences.append(Sentence(start, offset + sent.end_char, bisect.bisect_right(paragraphs, start) - 1))
        spans += [(offset + e.start_char, offset + e.end_char, product_label(language, e.label_, e.text))
                  for e in doc.ents]
        quotes += [_shift(q, offset, first) for q in find_quotes_by_cues(doc, language, piece)]
        events += [_shift(ev, offset, first) for ev in find_french_events(doc, _as_date(date), piece)]
    sent_starts = [s.start for s in sentences]
    mentions = canonicalise(text, [Mention(s, e, text[s:e], label, max(0, bisect.bisect_right(sent_starts, s) - 1))
                                   for s, e, label in honorific_people(text, spans)])
    _attach_entities(text, mentions, quotes, events)
    return Extraction(doc_id=raw.doc_id, raw=raw, date=date, date_source=date_source, n_words=len(text.split()),
                      sentences=sentences, mentions=mentions, quotes=quotes, events=events, language=language)


def unread_document(raw: RawDocument, language: str) -> Extraction:
    """A document in a language no installed pipeline reads: stored and searchable, with its date,
    but no entities, quotes or events (the English pipeline would only make junk of it)."""
    date, date_source = document_date(raw)
    return Extraction(doc_id=raw.doc_id, raw=raw, date=date, date_source=date_source, n_words=len(raw.text.split()),
                      sentences=[], mentions=[], quotes=[], events=[], language=language,
                      note=package_hint(language))


def _within(ranges: Iterable[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The `ranges` inside text[start:end], counted from `start` (a piece's own offsets)."""
    return [(s - start, e - start) for s, e in ranges if start <= s and e <= end]


def _as_date(iso: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(iso) if iso else None


def _speaker_spans(quotes: list[Quote]) -> list[tuple[int, int]]:
    """Where the quotes' speakers are named: a name that speaks is a person's."""
    return [(q.speaker_start, q.speaker_end) for q in quotes
            if q.speaker_start is not None and q.speaker_end is not None]


def _attach_entities(text: str, mentions: list[Mention], quotes: list[Quote], events: list[Event]) -> None:
    """Fill the canonical entities of quote speakers, outlets and quoted/dated sentences."""
    def inside(start: int, end: int) -> list[str]:
        return list(dict.fromkeys(m.entity_key for m in mentions if start <= m.start and m.end <= end))

    def covering(start: int | None, end: int | None) -> Mention | None:
        if start is None or end is None:
            return None
        hits = [m for m in mentions if m.start < end and start < m.end]
        return max(hits, key=lambda m: m.end - m.start, default=None)

    people = {m.entity_name.split()[-1].lower(): m for m in mentions if m.entity_label == "PERSON" and m.entity_name}
    for q in quotes:
        # the referent only: a name inside a descriptor ("Norman's lawyers") is not the speaker
        speaker = covering(q.referent_start, q.referent_end)
        if speaker is None and q.speaker_label and q.referent_start is not None:
            speaker = people.get(q.speaker_label.split()[-1].lower())  # "Horvat said", missed by the tagger there
        if speaker is not None:
            q.speaker_key, q.speaker_entity = speaker.entity_key, speaker.entity_name
        referent = text[q.referent_start : q.referent_end] if q.referent_start is not None else None
        q.speaker_label = q.speaker_label or q.speaker_entity or referent or UNRESOLVED
        outlet = covering(q.reported_by_start, q.reported_by_end)
        if outlet is not None:
            q.reported_by_key = outlet.entity_key
        q.mentioned = inside(q.start, q.end)
    for ev in events:
        ev.entities = inside(ev.start, ev.end)


class Extractor:
    """Runs the spaCy pipeline of each document's language over documents in small batches and
    extracts their rows; English (and an undetermined language) is read by `model`."""

    def __init__(self, model: str | None = None, batch_size: int | None = None, chunk_chars: int = CHUNK_CHARS,
                 language_models: dict[str, str] | None = None):
        self.model = model or settings.model_name()
        self.batch_size = batch_size or settings.batch_size()
        self.chunk_chars = chunk_chars
        self.nlp = load_pipeline(self.model)
        self.ner = ner_pass(self.nlp)
        models = language_models if language_models is not None else settings.language_models()
        self.models = {**models, "en": self.model}

    def warm(self) -> None:
        """Load now, by extracting one short article, what the extractors otherwise load on their
        first document: the language detector's model, the given-name counts, the lexicons, the
        date parser (~0.8 CPU seconds with the first two in the cache, `extract.cache`; ~1.8 s
        without). Done before forking workers, so that they inherit it all
        instead of each loading it again while the others wait for their results."""
        load_detector()  # the article is English, which the detector's fast path answers alone
        text = WARM_UP_TEXT.read_text(encoding="utf-8")
        failed = [r for r in self.extract([RawDocument(text=text, file_name=WARM_UP_TEXT.name)])
                  if isinstance(r, LoadError)]
        if failed:  # a bug every document would meet: said once, before any worker starts
            raise RuntimeError(f"the extractors failed on {WARM_UP_TEXT}: {failed[0].reason}")

    def extract(self, raws: Iterable[RawDocument]) -> Iterator[Extraction | LoadError]:
        """Extraction of each document, in order; a document that breaks the extractor is a LoadError."""
        for group in in_batches(raws, LANGUAGE_GROUP_BATCHES * self.batch_size):
            languages = [detect_language(raw.text) for raw in group]
            results: list[Extraction | LoadError | None] = [None] * len(group)
            for language in dict.fromkeys(languages):
                indices = [i for i, found in enumerate(languages) if found == language]
                for i, result in zip(indices, self._extract_language(language, [group[i] for i in indices])):
                    results[i] = result
            yield from results  # type: ignore[misc]  # every index was filled

    def _extract_language(self, language: str | None, raws: list[RawDocument]) -> Iterator[Extraction | LoadError]:
        """Rows of documents in one language: the English path, another pipeline's, or none."""
        model = self.models.get(language or "en")
        if language in (None, "en") or model == self.model:
            for result in self._extract_with(self.nlp, raws):
                if isinstance(result, Extraction):
                    result.language = language
                yield result
            return
        try:
            nlp = load_pipeline(model) if model else None
        except ModelNotInstalled:
            nlp = None
        if nlp is None:
            yield from (unread_document(raw, language) for raw in raws)
            return
        for raw, pieces in self._parsed(nlp, raws):
            try:
                yield extract_by_cues(raw, pieces, language)
            except Exception as err:  # a bug on one document must not sink the batch
                yield LoadError(raw.file_name, f"extraction failed: {type(err).__name__}: {err}")

    def _parsed(self, nlp, raws: Iterable[RawDocument]) -> Iterator[tuple[RawDocument, list[tuple[int, Doc]]]]:
        """Each document with its parsed pieces, fed through `nlp.pipe` in batches."""
        pending: dict[int, RawDocument] = {}

        def pieces() -> Iterator[tuple[str, tuple[int, int]]]:
            for index, raw in enumerate(raws):
                pending[index] = raw
                for offset, piece in split_text(raw.text, self.chunk_chars):
                    yield piece, (index, offset)

        parsed = nlp.pipe(pieces(), as_tuples=True, batch_size=self.batch_size)
        return ((pending.pop(index), [(offset, doc) for doc, (_, offset) in group])
                for index, group in groupby(parsed, key=lambda item: item[1][0]))

    def _extract_with(self, nlp, raws: Iterable[RawDocument]) -> Iterator[Extraction | LoadError]:
        """The English path: the parse, the ALL-CAPS lines read again, then `extract_document`."""
        for batch in in_batches(self._parsed(nlp, raws), self.batch_size):
            try:  # one recogniser call for the ALL-CAPS lines of the whole batch
                caps: list[list[Span] | None] | None = self._caps_entities([raw.text for raw, _ in batch])
            except Exception:  # None: each document is read alone below, so a failure stays with it
                caps = None
            for i, (raw, parsed_pieces) in enumerate(batch):
                try:
                    caps_entities = caps[i] if caps is not None else self._caps_entities([raw.text])[0]
                    yield extract_document(raw, parsed_pieces, caps_entities)
                except Exception as err:  # a bug on one document must not sink the batch
                    yield LoadError(raw.file_name, f"extraction failed: {type(err).__name__}: {err}")

    def _caps_entities(self, texts: list[str]) -> list[list[Span] | None]:
        """Each text's ALL-CAPS lines read again (`mention_fixes`), or None without a recogniser."""
        if self.ner is None:
            return [None] * len(texts)
        return caps_line_entities(texts, self.ner)


_worker: Extractor | None = None


def _init_worker(model: str, batch_size: int, chunk_chars: int) -> None:
    global _worker
    _worker = Extractor(model, batch_size, chunk_chars)


def _extract_batch(raws: list[RawDocument], columns: bool) -> list[Extraction | LoadError] | RowBatch:
    """A worker's rows for a batch: as columns (`rows.RowBatch`), or as records without the
    documents the caller already has (a document the extraction changed, giving it the author its
    byline names, comes back)."""
    assert _worker is not None
    results = list(_worker.extract(raws))
    if columns:
        return row_batch(results)
    for raw, result in zip(raws, results):
        if isinstance(result, Extraction) and result.raw is raw:
            result.raw = None  # type: ignore[assignment]  # put back by `_shared_work`
    return results


def in_batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def extract_all(
    raws: Iterable[RawDocument],
    model: str | None = None,
    processes: int = 1,
    batch_size: int | None = None,
    chunk_chars: int = CHUNK_CHARS,
    columns: bool = False,
) -> Iterator[Extraction | LoadError | RowBatch]:
    """Extract every document, in input order, in this process or in `processes` processes.

    With more than one, this process is one of them: it starts `processes - 1` workers and,
    whenever the next results in order are not ready yet (while the workers start, load the
    model, or are busy), extracts a batch itself; at the end, it takes on the batches still
    waiting for a worker, last first, instead of waiting. Workers get a few batches ahead at a
    time, so documents stream through and memory stays flat whatever the number of documents.

    With `columns`, a worker's batch comes back as one `RowBatch`, built on the worker: for an
    ingest, which stores columns, this process then neither unpickles nor converts the records
    of the documents the workers extracted, work and memory it needs for its own share.
    """
    model = model or settings.model_name()
    batch_size = batch_size or settings.batch_size()
    local = Extractor(model, batch_size, chunk_chars)  # fails fast, in this process, with the install hint
    if processes <= 1:
        yield from local.extract(raws)
        return
    method = _start_method()
    if method == "fork":
        local.warm()
    context = multiprocessing.get_context(method)
    with context.Pool(processes - 1, _init_worker, (model, batch_size, chunk_chars)) as pool:
        yield from _shared_work(local, pool, in_batches(raws, batch_size), ahead=2 * (processes - 1), columns=columns)


def _start_method() -> str:
    """How worker processes start: forked when this process runs a single thread, else spawned.

    A forked worker starts with the model this process has already loaded, in a fraction of a
    second; a spawned one imports spaCy and loads the model again, seconds in which the second
    core does nothing (on these machines ~4.5 s, the largest part of what a second process lost
    over a 1,200-article ingest). But a fork copies only the calling thread: a lock that another
    thread held at that moment stays locked forever in the child. So a process with other threads
    (the dashboard's server) spawns its workers, as Python's documentation advises.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _waiting(result: list | AsyncResult) -> bool:
    """Whether a batch's result is still with a worker (a list is this process's own)."""
    return isinstance(result, AsyncResult) and not result.ready()


def _shared_work(local: Extractor, pool, batches: Iterator[list[RawDocument]], ahead: int,
                 columns: bool = False) -> Iterator[Extraction | LoadError | RowBatch]:
    """Results of every batch in order, from `pool` (as columns with `columns`) or, while it is
    behind, from `local`."""
    queue: deque[tuple[list[RawDocument], list | AsyncResult]] = deque()
    more = True

    def next_batch() -> list[RawDocument] | None:
        nonlocal more
        batch = next(batches, None) if more else None
        more = batch is not None
        return batch

    while True:
        while more and sum(1 for _, r in queue if _waiting(r)) < ahead:
            batch = next_batch()
            if batch is not None:
                queue.append((batch, pool.apply_async(_extract_batch, (batch, columns))))
        if not queue:
            return
        batch, result = queue[0]
        if _waiting(result):
            if more:
                mine = next_batch()  # the workers are behind: do one here meanwhile
                if mine is not None:
                    queue.append((mine, list(local.extract(mine))))
                continue
            # No input left: rather than wait idle for the workers, extract here the batch they
            # will reach last (a worker doing it too only spends a core nothing else needs).
            waiting = [i for i, (_, r) in enumerate(queue) if _waiting(r)]
            if waiting:  # else every batch got ready since the test above
                last = queue[waiting[-1]][0]
                queue[waiting[-1]] = (last, list(local.extract(last)))
            continue
        queue.popleft()
        rows = result.get() if isinstance(result, AsyncResult) else result
        if isinstance(rows, RowBatch):
            yield rows
            continue
        for raw, row in zip(batch, rows):
            if isinstance(row, Extraction) and row.raw is None:
                row.raw = raw
            yield row
