"""Near-duplicates: later copies of a story already stored (wire copies, corrections, added bylines).

Each document gets a MinHash of its word 3-grams; locality-sensitive hashing (bands of the
signature) finds the stored documents whose estimated Jaccard similarity may pass `THRESHOLD`, and
the best of them at or above it makes the new document a copy: `near_duplicates` holds (doc_id,
duplicate_of, similarity), `duplicate_of` being the story's first stored document (within one write, the first by id), so every copy
of a story points at the same one and "count each story once" keeps exactly that one.

MinHash and the bands are the textbook ones, a few lines of numpy here rather than datasketch's:
datasketch's LSH module imports scipy (for one integral that picks the bands, fixed here), which
cost 47 MB and 0.56 CPU s in every process that writes a workspace, the ingest's main process
among them (measured: benchmarks/README.md).

`update` runs in the ingest's write, under the workspace lock, after the documents' commit; it
signs every stored document that has no signature yet, so a crash between the two commits, or a
workspace from before this module, is caught up by the next write (or by `export duplicates`).
"""
from __future__ import annotations

import re
import threading
import zlib
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa

if TYPE_CHECKING:  # pandas loads at the first write, not at import: an ingest forks its extraction
    # workers before that, and a forked worker carries every page its parent had
    import pandas as pd

from analysis.model import strip_accents
from .store import Workspace

NUM_PERM = 64
# The signature is cut into BANDS bands of ROWS values; two documents become candidates when one
# band is equal, with probability 1 - (1 - s**ROWS)**BANDS at Jaccard s: 0.38 at 0.6, 0.86 at 0.75,
# 0.99 at 0.9 (the split that weighs false positives and false negatives alike for THRESHOLD).
BANDS, ROWS = 10, 6
SHINGLE_WORDS = 3
THRESHOLD = 0.6  # estimated Jaccard of the 3-gram sets: a copy with one word in ten changed scores ~0.75
SEED = 1
_PRIME = (1 << 61) - 1  # the permutations are (a * hash + b) mod this prime, cut to 32 bits
# numpy's legacy RandomState never changes its stream: signatures stored today stay comparable
_A, _B = np.random.RandomState(SEED).randint(1, 1 << 32, size=(2, NUM_PERM), dtype=np.uint64)
_CHUNK = 4096  # shingles hashed at a time: a long report's (n x NUM_PERM) matrix stays a few MB
_WORD = re.compile(r"[^\W_]+")


def shingles(text: str) -> list[bytes]:
    """The document's word 3-grams, case and accents folded (the whole text when it is shorter)."""
    words = _WORD.findall((text if text.isascii() else strip_accents(text)).lower())
    n = SHINGLE_WORDS
    grams = {" ".join(words[i:i + n]) for i in range(max(len(words) - n + 1, 1))}
    return [g.encode("utf-8") for g in grams]


def signature(text: str) -> np.ndarray:
    """The MinHash of the text's shingles: per permutation, the least permuted hash (NUM_PERM uint32)."""
    # crc32: one C call a shingle; any fixed 32-bit hash serves, the permutations are the random part
    hashes = np.fromiter((zlib.crc32(g) for g in shingles(text)), dtype=np.uint64)
    least = np.full(NUM_PERM, _PRIME, dtype=np.uint64)
    for i in range(0, len(hashes), _CHUNK):  # a < 2**32 and hash < 2**32: a * hash + b fits 64 bits
        permuted = (np.outer(hashes[i:i + _CHUNK], _A) + _B) % _PRIME & np.uint64(0xFFFFFFFF)
        least = np.minimum(least, permuted.min(axis=0))
    return least.astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two documents' shingles: the share of equal signature values."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


class _Lsh:
    """This process's LSH index of a workspace's signatures, topped up from the database as it grows."""

    def __init__(self) -> None:
        self.mutex = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.bands: list[defaultdict[bytes, list[str]]] = [defaultdict(list) for _ in range(BANDS)]
        self.signatures: dict[str, np.ndarray] = {}
        self.roots: dict[str, str] = {}  # copy -> the first document of its story

    @staticmethod
    def _band_keys(m: np.ndarray) -> list[bytes]:
        return [m[i * ROWS:(i + 1) * ROWS].tobytes() for i in range(BANDS)]

    def add(self, doc_id: str, m: np.ndarray) -> None:
        if doc_id not in self.signatures:
            self.signatures[doc_id] = m
            for band, key in zip(self.bands, self._band_keys(m)):
                band[key].append(doc_id)

    def catch_up(self, con: duckdb.DuckDBPyConnection) -> None:
        """Load the signatures and copies other processes stored since this one last looked."""
        (count,) = con.execute("SELECT count(*) FROM document_signatures").fetchone()
        if count < len(self.signatures):  # some this process added were not kept (a write rolled back,
            self._clear()  # or signatures of an earlier hashing were dropped): load the stored ones afresh
        if count != len(self.signatures):
            for doc_id, blob in con.execute("SELECT doc_id, signature FROM document_signatures").fetchall():
                if doc_id not in self.signatures:
                    self.add(doc_id, np.frombuffer(blob, dtype=np.uint32))
            self.roots = dict(con.execute("SELECT doc_id, duplicate_of FROM near_duplicates").fetchall())

    def original(self, doc_id: str, m: np.ndarray) -> tuple[str, float] | None:
        """The first stored document of the story `m` is a copy of, and their similarity; None if new."""
        best = None
        candidates = {other for band, key in zip(self.bands, self._band_keys(m)) for other in band.get(key, ())}
        for other in candidates:
            root = self.roots.get(other, other)
            if doc_id in (other, root):  # itself, signed again after a write that was not kept
                continue
            found = similarity(m, self.signatures[root])
            if found >= THRESHOLD and (best is None or (found, best[0]) > (best[1], root)):
                best = (root, found)
        return best


_lshs: dict[Path, _Lsh] = {}
_lshs_mutex = threading.Lock()


def _lsh_of(ws: Workspace) -> _Lsh:
    key = ws.path.resolve()
    with _lshs_mutex:
        return _lshs.setdefault(key, _Lsh())


def update(ws: Workspace) -> int:
    """Sign the stored documents that have no signature yet, in storing order, and record the copies; how many signed."""
    lsh = _lsh_of(ws)
    with lsh.mutex, ws.connect() as con:
        lsh.catch_up(con)
        rows = con.execute("""
            SELECT doc_id, text FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM document_signatures)
            ORDER BY ingested_at, doc_id""").fetchall()
        if not rows:
            return 0
        signed, copies = [], []
        for doc_id, text in rows:
            m = signature(text or "")
            found = lsh.original(doc_id, m)
            if found:
                copies.append((doc_id, found[0], round(found[1], 3)))
                lsh.roots[doc_id] = found[0]
            lsh.add(doc_id, m)
            signed.append((doc_id, m.tobytes()))
        tables = {  # through Arrow: `executemany` took a millisecond a row
            "document_signatures": pa.table({"doc_id": [d for d, _ in signed],
                                            "signature": pa.array([b for _, b in signed], pa.binary())}),
            "near_duplicates": pa.table({name: [c[i] for c in copies] for i, name in
                                         enumerate(("doc_id", "duplicate_of", "similarity"))}) if copies else None,
        }
        con.execute("BEGIN TRANSACTION")
        try:
            for table, rows in tables.items():
                if rows is not None:
                    con.register("new_rows", rows)
                    con.execute(f"INSERT OR IGNORE INTO {table} SELECT * FROM new_rows")
                    con.unregister("new_rows")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return len(signed)


def duplicates_table(ws: Workspace) -> pd.DataFrame:
    """Every later copy of a story: doc_id, duplicate_of, similarity, with both titles (`export duplicates`)."""
    update(ws)
    return ws.query("""
        SELECT n.doc_id, n.duplicate_of, n.similarity, d.title, o.title AS duplicate_of_title
        FROM near_duplicates n JOIN documents d USING (doc_id) JOIN documents o ON o.doc_id = n.duplicate_of
        ORDER BY n.duplicate_of, n.similarity DESC, n.doc_id""")


def copies_of(ws: Workspace, doc_id: str) -> pd.DataFrame:
    """The other documents of this document's story (its original and the copies), for its view."""
    return ws.query("""
        WITH story AS (SELECT coalesce((SELECT duplicate_of FROM near_duplicates WHERE doc_id = ?), ?) AS root)
        SELECT d.doc_id, d.title, d.date, coalesce(n.similarity, 1.0) AS similarity,
               CASE WHEN n.doc_id IS NULL THEN 'original' ELSE 'copy' END AS role
        FROM doc_view d LEFT JOIN near_duplicates n USING (doc_id), story
        WHERE (d.doc_id = story.root OR n.duplicate_of = story.root) AND d.doc_id <> ?
        ORDER BY role DESC, d.date, d.doc_id""", [doc_id, doc_id, doc_id])
