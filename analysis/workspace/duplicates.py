"""Near-duplicates: later copies of a story already stored (wire copies, corrections, added bylines).

Each document gets a MinHash of its word 3-grams (datasketch); locality-sensitive hashing finds
the stored documents whose estimated Jaccard similarity may pass `THRESHOLD`, and the best of
them at or above it makes the new document a copy: `near_duplicates` holds (doc_id,
duplicate_of, similarity), `duplicate_of` being the story's first stored document (within one write, the first by id), so every copy
of a story points at the same one and "count each story once" keeps exactly that one.

`update` runs in the ingest's write, under the workspace lock, after the documents' commit; it
signs every stored document that has no signature yet, so a crash between the two commits, or a
workspace from before this module, is caught up by the next write (or by `export duplicates`).
"""
from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa

if TYPE_CHECKING:  # datasketch (scipy with it) and pandas load at the first write, not at import:
    # an ingest forks its extraction workers before that, and a forked worker carries every page its
    # parent had (~40 MB of these two, which it never uses)
    import pandas as pd
    from datasketch import LeanMinHash

from analysis.model import strip_accents
from .store import Workspace

NUM_PERM = 64
SHINGLE_WORDS = 3
THRESHOLD = 0.6  # estimated Jaccard of the 3-gram sets: a copy with one word in ten changed scores ~0.75
SEED = 1
SCHEME = "affine32"  # datasketch's hashing scheme: 32-bit hash values, stored as such
_WORD = re.compile(r"[^\W_]+")


def shingles(text: str) -> list[bytes]:
    """The document's word 3-grams, case and accents folded (the whole text when it is shorter)."""
    words = _WORD.findall((text if text.isascii() else strip_accents(text)).lower())
    n = SHINGLE_WORDS
    grams = {" ".join(words[i:i + n]) for i in range(max(len(words) - n + 1, 1))}
    return [g.encode("utf-8") for g in grams]


def _signatures(texts: list[str]) -> list[LeanMinHash]:
    from datasketch import LeanMinHash, MinHash

    return [LeanMinHash(m) for m in MinHash.bulk([shingles(t) for t in texts], num_perm=NUM_PERM, seed=SEED,
                                                      scheme=SCHEME)]


def _blob(m: LeanMinHash) -> bytes:
    return m.hashvalues.astype(np.uint32).tobytes()


def _from_blob(blob: bytes) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(blob, dtype=np.uint32).astype(np.uint64),
                       scheme=SCHEME)


class _Lsh:
    """This process's LSH index of a workspace's signatures, topped up from the database as it grows."""

    def __init__(self) -> None:
        from datasketch import MinHashLSH

        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.signatures: dict[str, LeanMinHash] = {}
        self.roots: dict[str, str] = {}  # copy -> the first document of its story
        self.mutex = threading.Lock()

    def add(self, doc_id: str, m: LeanMinHash) -> None:
        if doc_id not in self.signatures:
            self.signatures[doc_id] = m
            self.lsh.insert(doc_id, m)

    def catch_up(self, con: duckdb.DuckDBPyConnection) -> None:
        """Load the signatures and copies other processes stored since this one last looked."""
        (count,) = con.execute("SELECT count(*) FROM document_minhashes").fetchone()
        if count != len(self.signatures):
            for doc_id, blob in con.execute("SELECT doc_id, signature FROM document_minhashes").fetchall():
                if doc_id not in self.signatures:
                    self.add(doc_id, _from_blob(blob))
            self.roots = dict(con.execute("SELECT doc_id, duplicate_of FROM near_duplicates").fetchall())

    def original(self, doc_id: str, m: LeanMinHash) -> tuple[str, float] | None:
        """The first stored document of the story `m` is a copy of, and their similarity; None if new."""
        best = None
        for other in self.lsh.query(m):
            root = self.roots.get(other, other)
            similarity = m.jaccard(self.signatures[root])
            if similarity >= THRESHOLD and (best is None or (similarity, best[0]) > (best[1], root)):
                best = (root, similarity)
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
            SELECT doc_id, text FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM document_minhashes)
            ORDER BY ingested_at, doc_id""").fetchall()
        if not rows:
            return 0
        signed, copies = [], []
        for (doc_id, _), m in zip(rows, _signatures([text or "" for _, text in rows])):
            found = lsh.original(doc_id, m)
            if found:
                copies.append((doc_id, found[0], round(found[1], 3)))
                lsh.roots[doc_id] = found[0]
            lsh.add(doc_id, m)
            signed.append((doc_id, _blob(m)))
        tables = {  # through Arrow: `executemany` took a millisecond a row
            "document_minhashes": pa.table({"doc_id": [d for d, _ in signed],
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
