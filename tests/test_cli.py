"""The command line contract: exit codes, summaries, the JSON of `extract`, CSV exports."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fictional import ALL, HARBOUR, MINING

REPO = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for name, text in ALL.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, corpus) -> Path:
    ws = tmp_path_factory.mktemp("ws")
    result = cli("ingest", str(corpus), "--workspace", str(ws))
    assert result.returncode == 0, result.stderr
    assert "3 added, 0 skipped as duplicates, 0 failed" in result.stdout
    return ws


def test_reingest_skips_duplicates(workspace, corpus) -> None:
    result = cli("ingest", str(corpus), "--workspace", str(workspace))
    assert result.returncode == 0
    assert "0 added, 3 skipped as duplicates, 0 failed" in result.stdout


def test_some_files_failing_exits_1_and_stores_the_others(tmp_path) -> None:
    (tmp_path / "good.txt").write_text(MINING, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 8)
    ws = tmp_path / "ws"
    result = cli("ingest", str(tmp_path / "good.txt"), str(tmp_path / "empty.txt"), str(tmp_path / "blob.txt"),
                 "--workspace", str(ws))
    assert result.returncode == 1
    assert "1 added, 0 skipped as duplicates, 2 failed" in result.stdout
    assert "empty.txt" in result.stderr and "blob.txt" in result.stderr
    export = cli("export", "documents", "--workspace", str(ws), "-o", "-")
    assert "Miners strike at Ostrava Copper" in export.stdout


def test_usage_errors_exit_2(workspace) -> None:
    assert cli().returncode == 2
    assert cli("ingest").returncode == 2
    assert cli("export", "no-such-table", "-o", "x.csv").returncode == 2
    unknown = cli("export", "entities", "--workspace", str(workspace), "--entity", "Nobody At All", "-o", "-")
    assert unknown.returncode == 2 and "Nobody At All" in unknown.stderr


def test_missing_model_says_what_to_install(tmp_path) -> None:
    (tmp_path / "a.txt").write_text(HARBOUR, encoding="utf-8")
    result = cli("extract", str(tmp_path / "a.txt"), "--model", "en_core_web_zz")
    assert result.returncode == 2
    assert "pip install en-core-web-zz" in result.stderr
    assert "Traceback" not in result.stderr


def test_extract_prints_one_json_object_per_document_with_offsets_into_the_text(tmp_path) -> None:
    records = [{"id": "rec-1", "title": "Harbour", "text": HARBOUR, "date": "2024-03-04"},
               {"text": MINING, "source": "Fiction Wire"}]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    result = cli("extract", str(batch))
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 2
    first, second = objects
    assert first["id"] == "rec-1" and first["title"] == "Harbour" and first["date"] == "2024-03-04"
    assert len(second["id"]) == 16  # no record id: the content hash
    for obj, record in zip(objects, records):
        text = record["text"]
        assert obj["entities"], "entities found"
        for e in obj["entities"]:
            assert text[e["start"]:e["end"]] == e["text"]
            assert e["entity"] and e["label"]
        for q in obj["quotes"]:
            assert text[q["start"]:q["end"]] == q["text"]
            assert set(q) >= {"kind", "cue", "speaker", "speaker_start", "speaker_end", "speaker_entity", "reported_by"}
        for ev in obj["events"]:
            assert text[ev["start"]:ev["end"]] == ev["text"]
            assert set(ev) >= {"date", "granularity", "entities"}
    whitfield = [e for e in first["entities"] if e["text"] == "Whitfield"]
    assert whitfield and whitfield[0]["entity"] == "Dana Whitfield"
    assert any(q["speaker_entity"] == "Dana Whitfield" for q in first["quotes"])


@pytest.mark.parametrize("table", ["entities", "mentions", "documents", "quotes", "timeline", "events",
                                   "cooccurrence", "speakers", "documents_per_month"])
def test_every_table_exports_as_csv(workspace, tmp_path, table) -> None:
    out = tmp_path / f"{table}.csv"
    result = cli("export", table, "--workspace", str(workspace), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0], "a header row"
    assert len(rows) > 1, f"{table} export has rows"


def test_export_filters_by_entity_name(workspace) -> None:
    result = cli("export", "documents", "--workspace", str(workspace), "--entity", "petra novakova", "-o", "-")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert [r["title"] for r in rows] == ["Miners strike at Ostrava Copper"]
