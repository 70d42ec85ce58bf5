"""The CLI's error contract: a set-up error is one line on stderr, no traceback, exit 2.

Bad workspaces are real: a file in the folder's place, a read-only folder, a full filesystem,
a file-size limit in the middle of an ingest. A bounded fuzz pass over the arguments checks
that no combination ends in a traceback or an exit code outside {0, 1, 2}.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faults import file_size_limit, fill, tmpfs, unwritable_folder
from tests.fictional import ELECTION, HARBOUR, MINING

REPO = Path(__file__).resolve().parents[1]


def cli(*args: str, preexec_fn=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300, preexec_fn=preexec_fn)


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def article(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("in") / "mining.txt"
    path.write_text(MINING, encoding="utf-8")
    return path


def commands(ws: Path, article: Path, out: Path) -> dict[str, list[str]]:
    return {"ingest": ["ingest", str(article), "--workspace", str(ws)],
            "export": ["export", "entities", "--workspace", str(ws), "-o", str(out)],
            "search": ["search", "copper", "--workspace", str(ws)]}


def test_a_workspace_that_is_a_file(tmp_path, article) -> None:
    ws = tmp_path / "ws"
    ws.write_text("a file")
    for name, args in commands(ws, article, tmp_path / "out.csv").items():
        one_line_error(cli(*args), "it is a file, not a folder")
    one_line_error(cli("ingest", str(article), "--workspace", str(ws / "inner")), "a file is in the way")


def test_an_unwritable_workspace_folder(tmp_path, article) -> None:
    with unwritable_folder(tmp_path / "ro") as folder:
        ingest, export, search = commands(folder / "ws", article, tmp_path / "out.csv").values()
        one_line_error(cli(*ingest), "cannot open the workspace", "Read-only file system" if os.geteuid() == 0
                       else "Permission denied")
        one_line_error(cli(*export), "no workspace")
        one_line_error(cli(*search), "no workspace")


def test_a_workspace_on_a_full_filesystem(tmp_path, article) -> None:
    with tmpfs(tmp_path / "small", 4096) as disk:
        ok = cli("ingest", str(article), "--workspace", str(disk / "ws"))
        assert ok.returncode == 0, ok.stderr
        fill(disk)
        one_line_error(cli("ingest", str(article), "--workspace", str(disk / "new")), "No space left on device")
        more = disk.parent / "more"
        more.mkdir()
        (more / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
        (more / "election.txt").write_text(ELECTION, encoding="utf-8")
        one_line_error(cli("ingest", str(more), "--workspace", str(disk / "ws")), "No space left on device")
        one_line_error(cli("export", "entities", "--workspace", str(disk / "ws"), "-o", str(disk / "out.csv")),
                       "No space left on device")
        shutil.rmtree(disk / "ws" / "search")  # the next search rebuilds a lost index: here it cannot
        one_line_error(cli("search", "copper", "--workspace", str(disk / "ws")), "No space left on device")
        # extract stores nothing: only its output can hit the full disk
        with open(disk / "out.jsonl", "w") as out:
            env = {**os.environ, "PYTHONPATH": str(REPO)}
            result = subprocess.run([sys.executable, "-m", "analysis", "extract", str(article)], stdout=out,
                                    stderr=subprocess.PIPE, text=True, cwd=REPO, env=env, timeout=300)
        one_line_error(result, "No space left on device")


def test_a_file_size_limit_mid_ingest_then_a_run_with_room(tmp_path, article) -> None:
    ws = tmp_path / "ws"
    assert cli("ingest", str(article), "--workspace", str(ws)).returncode == 0
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(30):
        (docs / f"d{i:02d}.txt").write_text("\n".join(
            f"Mayor Ana Ruiz said on Monday that Lisbon would open talks {i}-{j} with Oslo." for j in range(25)))
    limited = cli("ingest", str(docs), "--workspace", str(ws), preexec_fn=file_size_limit(65536))
    one_line_error(limited, "cannot write the workspace", "File too large")
    again = cli("ingest", str(docs), "--workspace", str(ws))
    assert again.returncode == 0, again.stderr
    export = cli("export", "documents", "--workspace", str(ws), "-o", "-")
    assert export.stdout.count("\n") == 1 + 31, "the earlier document and all 30 new ones"


def test_paths_that_do_not_exist(tmp_path, article) -> None:
    ws = tmp_path / "ws"
    one_line_error(cli("ingest", str(tmp_path / "nope.txt"), str(tmp_path / "gone"), "--workspace", str(ws)),
                   "no such file or folder", "nope.txt", "gone")
    one_line_error(cli("extract", str(tmp_path / "nope.txt")), "no such file or folder")
    one_line_error(cli("ingest", str(article), "", "--workspace", str(ws)), "an empty path")
    some = cli("ingest", str(article), str(tmp_path / "nope.txt"), "--workspace", str(ws))
    assert some.returncode == 1 and "1 added" in some.stdout and "nope.txt: no such file or folder" in some.stderr
    one_line_error(cli("export", "entities", "--workspace", str(tmp_path / "typo"), "-o", "-"), "no workspace")


def test_undecodable_names_symlinked_entries_and_nuls_through_the_cli(tmp_path) -> None:
    from tests.test_hostile_input import entry, link, zip_of

    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "wb") as out:
        out.write(MINING.encode())
    (folder / "press.zip").write_bytes(zip_of(link("passwd.txt", "/etc/passwd"), entry("h.txt", HARBOUR.encode())))
    (folder / "nul.txt").write_bytes(b"Ana Ruiz\x00 said Lisbon would bid for the games.")
    result = cli("ingest", str(folder), "--workspace", str(tmp_path / "ws"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "3 added, 0 skipped as duplicates, 1 failed" in result.stdout
    assert "press.zip: zip entry 'passwd.txt' skipped: a symbolic link, not a file" in result.stderr
    assert "nul.txt: 1 NUL character removed" in result.stderr
    extract = cli("extract", os.fsdecode(os.fsencode(folder) + b"/caf\xe9.txt"))
    assert extract.returncode == 0 and '"file_name": "' in extract.stdout and "caf\\\\xe9.txt" in extract.stdout


ARGS = st.lists(st.sampled_from([
    "--workspace", "--model", "--processes", "--batch-size", "--max-file-mb", "-o", "--entity", "--type",
    "--from", "--to", "--source", "0", "-3", "1", "x", "2019-13-45", "2020-01-01", "", "entities", "quotes",
    "xx_no_model", "-", "@FILE", "@MISSING", "@WSFILE", "@WS", "@DIR", "\udce9", "-h",
]), max_size=7)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=st.sampled_from(["ingest", "extract", "export", "search", ""]), args=ARGS)
def test_fuzzed_arguments_never_end_in_a_traceback(tmp_path_factory, capsys, command, args) -> None:
    from analysis.cli import main

    base = tmp_path_factory.getbasetemp() / "fuzz"
    base.mkdir(exist_ok=True)
    (base / "a.txt").write_text("Ana Ruiz met Tomas Berg in Oslo.", encoding="utf-8")
    (base / "wsfile").write_text("a file")
    (base / "dir").mkdir(exist_ok=True)
    swap = {"@FILE": str(base / "a.txt"), "@MISSING": str(base / "missing.txt"), "@WSFILE": str(base / "wsfile"),
            "@WS": str(base / "ws"), "@DIR": str(base / "dir")}
    argv = [a for a in [command, *(swap.get(a, a) for a in args)] if a or args]
    try:
        code = main(argv)
    except SystemExit as end:  # argparse's usage errors and -h
        code = end.code
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
