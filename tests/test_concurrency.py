"""Real processes sharing one workspace: simultaneous ingests, a reader, and a kill -9 mid-ingest."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from analysis.workspace import curation, queries
from analysis.workspace.store import Workspace

REPO = Path(__file__).resolve().parents[1]
FIRST = ["Ada", "Bruno", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Marsh", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Varga", "Quinn", "Sato", "Brandt", "Ilic"]


def story(i: int) -> str:
    """A small, unique fictional story."""
    who = f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}"
    return (f"Council vote number {i}\n\n"
            f"{who} of the Ravenmoor Council said on Monday that budget line {i} would pass. "
            f'"We counted {i} votes," {who.split()[1]} told the Ravenmoor Gazette.\n')


def write_stories(folder: Path, numbers: range) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in numbers:
        path = folder / f"story-{i:04d}.txt"
        path.write_text(story(i), encoding="utf-8")
        paths.append(path)
    return paths


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


UPLOAD_SCRIPT = textwrap.dedent("""
    # what the dashboard's uploader does with the files a browser sends
    import sys
    from pathlib import Path
    from analysis.workspace.ingest import ingest
    from analysis.loaders import load_bytes
    from analysis.workspace.store import Workspace
    ws = Workspace(sys.argv[1])
    items = [item for p in sys.argv[2:] for item in load_bytes(Path(p).name, Path(p).read_bytes())]
    report = ingest(ws, items, batch_size=4)
    print(report.summary())
    sys.exit(1 if report.failed else 0)
""")


def integrity(ws: Workspace) -> dict[str, int]:
    """Rows that would betray a half-stored document."""
    return ws.query("""
        SELECT (SELECT count(*) FROM mentions WHERE doc_id NOT IN (SELECT doc_id FROM documents)) AS orphan_mentions,
               (SELECT count(*) FROM sentences WHERE doc_id NOT IN (SELECT doc_id FROM documents)) AS orphan_sentences,
               (SELECT count(*) FROM quotes WHERE doc_id NOT IN (SELECT doc_id FROM documents)) AS orphan_quotes,
               (SELECT count(*) FROM events WHERE doc_id NOT IN (SELECT doc_id FROM documents)) AS orphan_events,
               (SELECT count(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM sentences)) AS docs_without_sentences,
               (SELECT count(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM mentions)) AS docs_without_mentions,
               (SELECT count(*) - count(DISTINCT doc_id) FROM documents) AS duplicate_docs
    """).iloc[0].to_dict()


def test_two_uploads_and_a_cli_ingest_at_once_store_every_document_once(tmp_path) -> None:
    ws_dir = tmp_path / "ws"
    ws = Workspace(ws_dir)
    upload_a = write_stories(tmp_path / "a", range(0, 24))
    upload_b = write_stories(tmp_path / "b", range(16, 40))  # overlaps a on 16..23
    cli_files = write_stories(tmp_path / "c", range(32, 56))  # overlaps b on 32..39
    script = tmp_path / "upload.py"
    script.write_text(UPLOAD_SCRIPT)
    procs = [
        subprocess.Popen([sys.executable, str(script), str(ws_dir), *map(str, upload_a)], env=env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        subprocess.Popen([sys.executable, str(script), str(ws_dir), *map(str, upload_b)], env=env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        subprocess.Popen([sys.executable, "-m", "analysis", "ingest", str(tmp_path / "c"), "--workspace",
                          str(ws_dir), "--batch-size", "4"], env=env(), cwd=REPO,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
    ]
    # meanwhile the dashboard reads and the analyst curates
    reads, errors = [0], []

    def dashboard() -> None:
        while any(p.poll() is None for p in procs):
            try:
                queries.entity_table(ws)
                queries.overview(ws)
                reads[0] += 1
            except Exception as err:  # any lock error would land here
                errors.append(err)
            time.sleep(0.05)

    reader = threading.Thread(target=dashboard)
    reader.start()
    time.sleep(2)
    curation.rename(ws, "ravenmoor council", "Ravenmoor Town Council")
    outputs = [p.communicate(timeout=600) for p in procs]
    reader.join()
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        assert "lock" not in err.lower(), err
    assert not errors, errors
    assert reads[0] > 0
    docs = queries.documents_table(ws)
    assert sorted(docs["title"]) == sorted(f"Council vote number {i}" for i in range(56))
    assert all(v == 0 for v in integrity(ws).values()), integrity(ws)
    names = set(queries.entity_table(ws)["name"])
    assert "Ravenmoor Town Council" in names, "curation made during the ingest is kept"


def test_kill_9_mid_ingest_leaves_no_half_document_and_reingest_completes(tmp_path) -> None:
    ws_dir = tmp_path / "ws"
    folder = tmp_path / "stories"
    total = 600  # enough that the ingest is still extracting when its second write lands (150 were done by then)
    write_stories(folder, range(total))
    ws = Workspace(ws_dir)
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "ingest", str(folder), "--workspace", str(ws_dir),
                             "--batch-size", "2"], env=env(), cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        stored = int(ws.query("SELECT count(*) AS n FROM documents")["n"][0])
        if stored >= 4:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "ingest finished before it could be killed: give it more documents"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored_after_kill = int(ws.query("SELECT count(*) AS n FROM documents")["n"][0])
    assert 4 <= stored_after_kill < total
    assert all(v == 0 for v in integrity(ws).values()), integrity(ws)

    result = subprocess.run([sys.executable, "-m", "analysis", "ingest", str(folder), "--workspace", str(ws_dir)],
                            env=env(), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"{total - stored_after_kill} added, {stored_after_kill} skipped as duplicates, 0 failed" in result.stdout
    assert int(ws.query("SELECT count(*) AS n FROM documents")["n"][0]) == total
    assert all(v == 0 for v in integrity(ws).values()), integrity(ws)
