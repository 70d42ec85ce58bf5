"""Parquet shards: a batch's tables written by the worker that extracted it, for a later load.

A cluster big enough for its client to become the bottleneck (the client stores every row)
has its workers write each batch under a shared folder, any fsspec URL (a local or network
path, `s3://...`, `gs://...`), and `python -m analysis load-shards` stores them afterwards.
A shard is a folder named by a hash of its documents' ids, one Parquet file per table and a
`_DONE` marker written last: a worker killed mid-write leaves no marker (the shard is not
loaded), and the batch redone on another worker writes the same folder again.
"""
from __future__ import annotations

import hashlib

import fsspec
import pyarrow.parquet as pq

from .rows import RowBatch, Tables, batch_columns

DONE = "_DONE"


def write(url: str, batch: RowBatch) -> RowBatch:
    """Write `batch` as a shard under `url`; the batch as the client needs it for its account
    (documents without their text, the failures, where the shard is)."""
    documents = batch.tables["documents"]
    if not documents.num_rows:  # every document failed: nothing to load
        return batch
    fs, root = fsspec.core.url_to_fs(url)
    ids = sorted(documents.column("doc_id").to_pylist())
    folder = f"{root.rstrip('/')}/{hashlib.sha1(chr(10).join(ids).encode()).hexdigest()[:20]}"
    fs.makedirs(folder, exist_ok=True)
    for table, rows in batch.tables.items():
        with fs.open(f"{folder}/{table}.parquet", "wb") as out:
            pq.write_table(rows, out)
    with fs.open(f"{folder}/{DONE}", "wb"):
        pass
    return RowBatch({"documents": documents.drop_columns(["text"])}, batch.failed, shard=folder)


def complete(url: str) -> list[str]:
    """The shards under `url` whose writing finished, in a stable order."""
    fs, root = fsspec.core.url_to_fs(url)
    return sorted(path.rsplit("/", 1)[0] for path in fs.glob(f"{root.rstrip('/')}/*/{DONE}"))


def read(url: str, folder: str) -> Tables:
    """The tables of the shard `folder` (a path that `complete(url)` gave)."""
    fs, _ = fsspec.core.url_to_fs(url)
    tables = {}
    for table, columns in batch_columns().items():
        with fs.open(f"{folder}/{table}.parquet", "rb") as data:
            tables[table] = pq.read_table(data).select(columns)
    return tables
