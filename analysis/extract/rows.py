"""Extractions as columns: one Arrow table per store table, built where the extraction ran.

A Dask worker sends its batch back (or writes it to a Parquet shard) in this form, and a local
ingest turns its extractions into it before writing, so every ingest stores the same tables
through the same path (`workspace.ingest`). Arrow, because DuckDB reads it without converting
and Parquet and Dask carry it natively; a batch of columns pickles far smaller than records.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from analysis.model import Extraction, LoadError

from .columns import REPORT_COLUMNS, TABLE_COLUMNS

Tables = dict[str, pa.Table]

_INTEGER_COLUMNS = {"n_words", "sentence", "paragraph", "start", "end", "mention", "quote", "event",
                    "speaker_start", "speaker_end", "ocr_pages"}


@dataclass
class RowBatch:
    """A batch extracted elsewhere: its documents' rows as columns, and the documents that failed.

    When the worker wrote the rows to a shard (`shard` set), `tables` holds only `documents`,
    without its text: enough for the account of each file.
    """

    tables: Tables
    failed: list[LoadError] = field(default_factory=list)
    shard: str | None = None

    @property
    def documents(self) -> int:
        return self.tables["documents"].num_rows + len(self.failed)

    @property
    def words(self) -> int:
        return sum(self.tables["documents"].column("n_words").to_pylist())


def row_batch(results: Iterable[Extraction | LoadError]) -> RowBatch:
    """A worker's extraction results as the batch it sends back: columns and failures."""
    results = list(results)
    return RowBatch(extraction_tables(r for r in results if isinstance(r, Extraction)),
                    [r for r in results if isinstance(r, LoadError)])


def arrow_type(column: str) -> pa.DataType:
    if column in _INTEGER_COLUMNS:
        return pa.int32()
    if column == "ingested_at":
        return pa.timestamp("us")
    if column == "file_name_bytes":
        return pa.binary()
    if column == "title_derived":
        return pa.bool_()
    if column == "load_notes":
        return pa.list_(pa.string())
    return pa.string()  # text, and ISO dates (DuckDB casts them to DATE on insert)


def extraction_tables(extractions: Iterable[Extraction]) -> Tables:
    """The rows of a batch of documents, one Arrow table per table. Rows are built as tuples and
    turned into columns by `zip`, in C."""
    now = datetime.datetime.now()
    xs = list(extractions)
    rows: dict[str, list[tuple]] = {
        "documents": [(x.doc_id, x.raw.record_id, x.raw.title, x.raw.source, x.raw.author, x.raw.url,
                       x.raw.file_name, x.date, x.date_source, x.n_words, x.raw.text, now, x.raw.file_name_bytes,
                       x.language, x.raw.title_derived, x.raw.ocr_pages, x.note, list(x.raw.notes)) for x in xs],
        "sentences": [(x.doc_id, i, s.paragraph, s.start, s.end) for x in xs for i, s in enumerate(x.sentences)],
        "mentions": [(x.doc_id, i, m.sentence, m.start, m.end, m.text, m.label, m.entity_key, m.entity_name,
                      m.entity_label) for x in xs for i, m in enumerate(x.mentions)],
        "quotes": [(x.doc_id, i, q.sentence, q.start, q.end, q.text, q.kind, q.cue, q.speaker, q.speaker_start,
                    q.speaker_end, q.speaker_key, q.reported_by, q.reported_by_key, q.act, q.speaker_label)
                   for x in xs for i, q in enumerate(x.quotes)],
        "quote_entities": [(x.doc_id, i, k) for x in xs for i, q in enumerate(x.quotes) for k in q.mentioned],
        "events": [(x.doc_id, i, e.sentence, e.start, e.end, e.text, e.date_text, e.date_start, e.date_end,
                    e.granularity) for x in xs for i, e in enumerate(x.events)],
        "event_entities": [(x.doc_id, i, k) for x in xs for i, e in enumerate(x.events) for k in e.entities],
    }
    tables = {}
    for table, columns in batch_columns().items():
        values = list(zip(*rows[table])) or [()] * len(columns)
        tables[table] = pa.table({c: pa.array(v, type=arrow_type(c)) for c, v in zip(columns, values)})
    return tables


def batch_columns() -> dict[str, list[str]]:
    """The columns of a batch's tables: the stored ones, and the account's beside `documents`'."""
    return {**TABLE_COLUMNS, "documents": TABLE_COLUMNS["documents"] + REPORT_COLUMNS}


def concat(batches: list[Tables]) -> Tables:
    """Several batches' tables as one batch (one write for all)."""
    if len(batches) == 1:
        return batches[0]
    return {table: pa.concat_tables([b[table] for b in batches]) for table in TABLE_COLUMNS}
