"""Hostile archives, undecodable names, NULs, line-broken text and full disks, through the
dashboard's upload path (`load_bytes` then `ingest`, as dashboard.py calls them) and the
dashboard itself. Every file is made here: real zip entries of each type, a real file whose
name is not UTF-8, a real filesystem that fills up.
"""
from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.extract.paragraphs import paragraph_starts, short_line_starts
from analysis.extract.pipeline import Extractor
from analysis.loaders import load_bytes, load_paths
from analysis.model import LoadError, RawDocument
from analysis.workspace.ingest import ingest
from analysis.workspace.store import Workspace, WorkspaceError
from tests.conftest import SHARED
from tests.faults import fill, tmpfs
from tests.fictional import ELECTION, HARBOUR, MINING
from tests.test_loaders import make_pdf

REPO = Path(__file__).resolve().parents[1]
CAFE = b"caf\xe9 report.txt"  # Latin-1 bytes, as an old Windows archive or disk has them


def entry(name: str, data: bytes, mode: int = stat.S_IFREG | 0o644) -> tuple[zipfile.ZipInfo, bytes]:
    """A zip entry with a Unix file type and mode, as Info-ZIP's `zip --symlinks` writes them."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5))
    info.create_system = 3  # Unix: the top 16 bits of external_attr are st_mode
    info.external_attr = mode << 16
    return info, data


def zip_of(*entries: tuple[zipfile.ZipInfo, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return out.getvalue()


def link(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    return entry(name, target.encode(), stat.S_IFLNK | 0o777)


@pytest.fixture
def workspace(tmp_path, nlp) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [RawDocument(HARBOUR, "harbour.txt", title="Harbour")])
    return ws


def upload(ws: Workspace, files: dict[str, bytes]):
    """What the dashboard does with uploaded files."""
    return ingest(ws, [item for name, data in files.items() for item in load_bytes(name, data)])


def stored(ws: Workspace):
    return ws.query("SELECT file_name, file_name_bytes, text FROM documents ORDER BY file_name")


# --- archive entries that are not files ----------------------------------------------------

def test_links_devices_and_folders_with_data_in_a_zip_are_skipped_and_reported(workspace) -> None:
    archive = zip_of(
        link("press/passwd.txt", "/etc/passwd"),
        link("press/host.txt", "../../../etc/hostname"),
        entry("press/tty.txt", b"", stat.S_IFCHR | 0o600),
        entry("press/disk.txt", b"", stat.S_IFBLK | 0o600),
        entry("press/pipe.txt", b"", stat.S_IFIFO | 0o600),
        entry("press/hidden/", b"Text smuggled in a folder entry.", stat.S_IFDIR | 0o755),
        entry("press/story.txt", MINING.encode()),
    )
    # the entries are what an unzip tool would see: a symlink is a symlink
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert stat.S_ISLNK(z.getinfo("press/passwd.txt").external_attr >> 16)
    report = upload(workspace, {"hostile.zip": archive, "election.txt": ELECTION.encode()})

    reasons = [r.reason for r in report.failed]
    assert all(r.file_name == "hostile.zip" for r in report.failed)
    assert "zip entry 'press/passwd.txt' skipped: a symbolic link, not a file" in reasons
    assert "zip entry 'press/host.txt' skipped: a symbolic link, not a file" in reasons
    assert "zip entry 'press/tty.txt' skipped: a character device, not a file" in reasons
    assert "zip entry 'press/disk.txt' skipped: a block device, not a file" in reasons
    assert "zip entry 'press/pipe.txt' skipped: a named pipe, not a file" in reasons
    assert "zip entry 'press/hidden/' skipped: a folder entry holding data" in reasons
    assert {r.file_name for r in report.added} == {"hostile.zip/press/story.txt", "election.txt"}
    texts = list(stored(workspace)["text"])
    assert not any("/etc/" in t or "smuggled" in t for t in texts)
    assert any("Harbour" in t or "harbour" in t for t in texts), "the earlier document is still there"


def test_a_zip_whose_entry_name_is_marked_utf8_but_is_not(workspace) -> None:
    archive = zip_of(entry("café.txt", HARBOUR.encode() + b" Once more."))
    broken = archive.replace("café".encode(), b"caf\xe9\xe9")  # same length, the UTF-8 flag kept
    report = upload(workspace, {"old.zip": broken, "mining.txt": MINING.encode()})
    assert [(r.file_name, r.reason) for r in report.failed] == [
        ("old.zip", "corrupt zip: an entry's name is marked UTF-8 but is not")]
    assert [r.file_name for r in report.added] == ["mining.txt"]


# --- names that are not UTF-8 --------------------------------------------------------------

def test_an_undecodable_upload_name_is_stored_exact_and_shown_escaped(workspace) -> None:
    name = os.fsdecode(CAFE)  # how Python hands such a name over: with lone surrogates
    report = upload(workspace, {name: MINING.encode(), "election.txt": ELECTION.encode(), "empty.txt": b""})
    assert report.summary() == "2 added, 0 skipped as duplicates, 1 failed"
    assert {r.file_name for r in report.added} == {"caf\\xe9 report.txt", "election.txt"}
    rows = stored(workspace).set_index("file_name")
    assert bytes(rows.loc["caf\\xe9 report.txt", "file_name_bytes"]) == CAFE
    assert pd.isna(rows.loc["election.txt", "file_name_bytes"])  # exact already


def test_an_undecodable_name_in_a_failure_and_in_a_zip_is_shown_escaped(workspace) -> None:
    name = os.fsdecode(b"r\xe9sum\xe9.zip")
    items = list(load_bytes(name, b"not a zip at all"))
    assert items == [LoadError("r\\xe9sum\\xe9.zip", "corrupt zip: File is not a zip file")]
    str(items[0]).encode("utf-8")  # printable anywhere


def test_real_files_with_undecodable_names_load_from_a_folder_and_by_name(tmp_path, workspace) -> None:
    folder = tmp_path / "disk"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/" + CAFE, "wb") as out:
        out.write(MINING.encode())
    with open(os.fsencode(folder) + b"/bad\xff.txt", "wb") as out:
        out.write(b"")
    named = os.fsdecode(os.fsencode(folder) + b"/" + CAFE)
    for items in (list(load_paths([folder])), list(load_paths([named]))):
        docs = [i for i in items if isinstance(i, RawDocument)]
        assert [d.file_name for d in docs] == [f"{folder}/caf\\xe9 report.txt"]
        assert docs[0].file_name_bytes == os.fsencode(folder) + b"/" + CAFE
    report = ingest(workspace, load_paths([folder]))
    assert report.summary() == "1 added, 0 skipped as duplicates, 1 failed"
    assert report.failed[0].file_name == f"{folder}/bad\\xff.txt"


# --- NULs and broken characters inside texts -----------------------------------------------

def test_nul_characters_are_removed_and_said_so_in_text_and_batch_files(workspace) -> None:
    from ui.data import report_frame

    records = [{"id": "r1", "text": "Mayor Ana Ruiz\u0000 said Lisbon would bid.\u0000"},
               {"id": "r2", "text": "Rowan Pike opened the Elmstead library \ud800today."},
               {"id": "r3", "text": "\u0000\u0000"}]
    files = {
        "nul.txt": b"Union leader Petra\x00 Novakova said\x00 the strike goes on.\x00\n" + MINING.encode(),
        "batch.jsonl": "\n".join(json.dumps(r) for r in records).encode(),
        "zeros.txt": b"\x00" * 400 + b"a few words",  # mostly NUL: binary, refused as before
    }
    report = upload(workspace, files)
    notes = {(r.file_name, r.notes) for r in report.added}
    assert ("nul.txt", ("3 NUL characters removed",)) in notes
    assert ("batch.jsonl", ("2 NUL characters removed",)) in notes
    assert ("batch.jsonl", ("1 invalid character (unpaired UTF-16 surrogates) replaced with U+FFFD",)) in notes
    failed = {(r.file_name, r.reason) for r in report.failed}
    assert failed == {("batch.jsonl", "no text besides NUL characters"),
                      ("zeros.txt", "not a text file: looks like binary data")}
    texts = list(stored(workspace)["text"])
    assert "Mayor Ana Ruiz said Lisbon would bid." in texts
    assert "Rowan Pike opened the Elmstead library \ufffdtoday." in texts
    assert not any("\x00" in t for t in texts)
    frame = report_frame(report.results).set_index("file")
    assert frame.loc["nul.txt", "reason"] == "3 NUL characters removed"  # the uploader's table says so


def test_an_encrypted_pdf_says_a_password_is_needed(workspace) -> None:
    report = upload(workspace, {"locked.pdf": make_pdf(["Secret memo"], password="hunter2")})
    assert report.failed[0].reason == "PDF is encrypted: a password is needed to open it (save an unprotected copy)"


# --- line-broken text ----------------------------------------------------------------------

def test_one_word_per_line_gets_a_sentence_per_line(nlp) -> None:
    words = HARBOUR.split() * 20
    text = "\n".join(words)
    extraction = next(Extractor().extract([RawDocument(text, "lines.txt")]))
    assert len(extraction.sentences) >= len(words) > 1000
    assert not any("\n" in text[s.start:s.end].strip() for s in extraction.sentences), "no sentence spans lines"


def test_short_line_runs_at_scale_and_wrapped_prose_untouched() -> None:
    lines = "\n".join(f"word{i % 97}" for i in range(100_000))
    assert len(short_line_starts(lines)) == 99_999
    wrapped = ("The harbour authority said on Monday that the strike by dock workers\n"
               "would end once the new contract was signed by both sides, it said.\n"
               "    Shr 16 cts vs 13 cts\n    Pay April 15\n    Record March 31\n Reuter\n")
    assert short_line_starts(wrapped) == []  # a dividend table is 4 short lines: under the run of 5


def test_no_reuters_story_gets_a_short_line_break() -> None:
    corpus = SHARED / "corpus" / "reuters21578.jsonl"
    if not corpus.exists():
        pytest.skip(f"Reuters corpus not present at {corpus}")
    with corpus.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for _, line in zip(range(3000), lines)]
    new = sum(len(set(short_line_starts(t)) - set(paragraph_starts(t))) for t in texts)
    assert new == 0


# --- a full disk while writing -------------------------------------------------------------

def test_a_full_disk_during_an_upload_is_one_clear_error_and_nothing_is_lost(tmp_path, nlp) -> None:
    with tmpfs(tmp_path / "small", 8192) as disk:
        ws = Workspace(disk / "ws")
        assert upload(ws, {"harbour.txt": HARBOUR.encode()}).summary().startswith("1 added")
        filler = fill(disk)
        with pytest.raises(WorkspaceError) as raised:
            upload(ws, {"mining.txt": MINING.encode(), "election.txt": ELECTION.encode()})
        message = str(raised.value)
        assert message.startswith(f"cannot write the workspace {disk / 'ws'}: No space left on device")
        assert "\n" not in message and "rollback" not in message
        filler.unlink()
        (disk / "filler-tail").unlink(missing_ok=True)
        again = upload(ws, {"mining.txt": MINING.encode(), "election.txt": ELECTION.encode()})
        assert again.summary() == "2 added, 0 skipped as duplicates, 0 failed"
        assert len(stored(ws)) == 3
        ws.release()


def _dashboard() -> AppTest:
    return AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120).run()


def test_the_dashboard_reports_a_symlinked_entry_and_a_full_disk(tmp_path, monkeypatch, nlp) -> None:
    with tmpfs(tmp_path / "small", 8192) as disk:
        monkeypatch.setenv("NEWSROOM_LENS_WORKSPACE", str(disk / "ws"))
        at = _dashboard()
        assert not at.exception and not at.error
        archive = zip_of(link("passwd.txt", "/etc/passwd"), entry("story.txt", MINING.encode()))
        at.file_uploader[0].set_value([("press.zip", archive, "application/zip")]).run()
        next(b for b in at.button if b.label.startswith("Extract and add 1")).click()
        at.run()
        assert not at.exception and not at.error
        report = next(f.value for f in at.dataframe if "status" in f.value.columns).set_index("file")
        assert report.loc["press.zip/story.txt", "status"] == "added"
        assert report.loc["press.zip", "reason"] == "zip entry 'passwd.txt' skipped: a symbolic link, not a file"

        filler = fill(disk)
        at.file_uploader[0].set_value([("harbour.txt", HARBOUR.encode(), "text/plain")]).run()
        next(b for b in at.button if b.label.startswith("Extract and add 1")).click()
        at.run()
        assert not at.exception
        assert "No space left on device" in at.error[0].value
        filler.unlink()
        (disk / "filler-tail").unlink(missing_ok=True)
        from analysis.workspace.store import release_all
        release_all()


def test_the_dashboard_says_when_its_workspace_is_a_file(tmp_path, monkeypatch) -> None:
    (tmp_path / "ws").write_text("not a folder")
    monkeypatch.setenv("NEWSROOM_LENS_WORKSPACE", str(tmp_path / "ws"))
    at = _dashboard()
    assert not at.exception
    assert "it is a file, not a folder" in at.error[0].value
