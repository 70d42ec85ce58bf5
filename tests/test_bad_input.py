"""A batch full of bad files, ingested through the same path as the dashboard's uploader.

Each bad file is reported with its name and reason, every good file of the same batch is
stored, and nothing stored before changes.
"""
from __future__ import annotations

import pytest

from analysis.loaders import Limits, load_bytes
from analysis.model import RawDocument
from analysis.workspace import queries
from analysis.workspace.ingest import ingest
from analysis.workspace.store import Workspace
from tests.fictional import ELECTION, HARBOUR, MINING
from tests.test_loaders import make_pdf, make_zip

KB = 1024

BAD = {
    "empty.txt": (b"", "file is empty"),
    "blank.txt": (b"  \n\t\n", "contains only whitespace"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "binary data"),
    "truncated.pdf": (make_pdf(["The ferry strike ends."])[:300], "PDF"),
    "locked.pdf": (make_pdf(["Secret memo"], password="hunter2"), "encrypted"),
    "scan.pdf": (make_pdf(["x"], draw_only=True), "OCR"),
    "broken.docx": (b"PK\x03\x04 this is not really a docx", "DOCX"),
    "huge.txt": (b"Word " * (60 * KB), "limit"),
    "bomb.zip": (make_zip({f"f{i}.txt": b"0" * (40 * KB) for i in range(10)}), "zip refused"),
    "scripts.html": (b"<html><head><script>alert(1)</script><style>p{}</style></head>"
                     b"<body><script>x()</script></body></html>", "no readable text"),
    "no_text_column.csv": (b"title,body\nA,B\n", "no 'text' column"),
}
GOOD = {
    "cp1252.txt": "Caf\u00e9 owner Jos\u00e9 Pe\u00f1a said \u201cwe stay open\u201d.".encode("cp1252"),
    "latin1.txt": "Jos\u00e9 Pe\u00f1a and Ana L\u00f3pez met in M\u00e1laga.".encode("latin-1"),
    "utf16.txt": ("\ufeff" + ELECTION).encode("utf-16-le"),
    "quiet.txt": b"nothing much happens here, and then it rains.",
}


@pytest.fixture
def workspace(tmp_path, nlp) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [RawDocument(HARBOUR, "harbour.txt", title="Harbour")])
    return ws


def _snapshot(ws: Workspace):
    return ws.query("SELECT d.doc_id, d.title, count(m.mention) AS mentions FROM documents d "
                    "LEFT JOIN mentions m USING (doc_id) GROUP BY ALL ORDER BY 1")


def test_bad_files_are_reported_and_the_rest_of_the_batch_is_stored(workspace) -> None:
    before = _snapshot(workspace)
    limits = Limits(max_file_bytes=200 * KB, max_zip_total_bytes=300 * KB)
    jsonl = b'{"text": "Rowan Pike opened the Elmstead library."}\n{broken\n{"text": "%s"}\n' % \
        MINING.replace("\n", " ").replace('"', "'").encode()
    unsafe_zip = make_zip({"../escape.txt": b"Should never be read", "inner/ok.txt": HARBOUR.encode() + b" Again."})
    files = {**{n: d for n, (d, _) in BAD.items()}, **GOOD, "batch.jsonl": jsonl, "unsafe.zip": unsafe_zip}
    items = [item for name, data in files.items() for item in load_bytes(name, data, limits)]
    report = ingest(workspace, items)

    failed = {r.file_name: r.reason for r in report.failed}
    for name, (_, reason) in BAD.items():
        assert name in failed, f"{name} should fail"
        assert reason.lower() in failed[name].lower(), (name, failed[name])
    assert "line 2" in failed["batch.jsonl"]
    assert any("../escape.txt" in f"{n} {r}" for n, r in failed.items())

    added = {r.file_name for r in report.added}
    assert set(GOOD) <= added
    assert "unsafe.zip/inner/ok.txt" in added
    assert sum(1 for r in report.added if r.file_name == "batch.jsonl") == 2

    after = _snapshot(workspace)
    assert before.merge(after, how="left", indicator=True)["_merge"].eq("both").all(), \
        "what was stored before is unchanged"
    names = set(queries.entity_table(workspace)["name"])
    assert "Dana Whitfield" in names, "the earlier document's entities remain"
    texts = set(workspace.query("SELECT text FROM documents")["text"])
    assert any("Peña" in t for t in texts), "cp1252 decoded"
    assert any("Málaga" in t for t in texts), "latin-1 decoded"
