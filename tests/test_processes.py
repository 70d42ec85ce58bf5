"""Every usable core by default, within the memory budget, and the summary saying so."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import settings
from tests.test_concurrency import write_stories

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_settings(monkeypatch) -> None:
    monkeypatch.delenv("NEWSROOM_LENS_PROCESSES", raising=False)
    monkeypatch.delenv("NEWSROOM_LENS_MEMORY_MB", raising=False)


def test_default_is_one_process_per_usable_core(monkeypatch) -> None:
    monkeypatch.setenv("NEWSROOM_LENS_MEMORY_MB", str(64 * settings.PROCESS_MB))
    plan = settings.process_plan()
    assert plan.count == len(os.sched_getaffinity(0))
    assert "usable core" in plan.why


def test_memory_budget_caps_the_processes(monkeypatch) -> None:
    monkeypatch.setenv("NEWSROOM_LENS_MEMORY_MB", str(settings.PROCESS_MB + 10))
    plan = settings.process_plan()
    assert plan.count == 1
    assert f"{settings.PROCESS_MB + 10:,} MB memory budget" in plan.why and "NEWSROOM_LENS_MEMORY_MB" in plan.why


def test_flag_then_variable_override_the_default(monkeypatch) -> None:
    assert str(settings.process_plan(3)) == "3 processes (--processes)"
    monkeypatch.setenv("NEWSROOM_LENS_PROCESSES", "5")
    assert settings.process_plan() == settings.ProcessPlan(5, "NEWSROOM_LENS_PROCESSES")
    assert settings.process_plan(2).count == 2


def _pin(cores: set[int]):
    return lambda: os.sched_setaffinity(0, cores)


def test_cli_ingest_uses_the_cores_it_may_run_on_and_says_so(tmp_path) -> None:
    """Pinned to one core (as `taskset` or a container would), the CLI uses one process; with
    every core it may use, one per core (on a single-core machine both are 1)."""
    stories = tmp_path / "stories"
    write_stories(stories, range(12))
    env = {**os.environ, "PYTHONPATH": str(REPO), "NEWSROOM_LENS_BATCH_SIZE": "2"}
    env.pop("NEWSROOM_LENS_PROCESSES", None)
    env["NEWSROOM_LENS_MEMORY_MB"] = str(64 * settings.PROCESS_MB)
    cores = sorted(os.sched_getaffinity(0))
    for pinned, workspace, expect in (({cores[0]}, "one", "1 process (the 1 usable core)"),
                                      (set(cores), "all", f"{len(cores)} process")):
        result = subprocess.run([sys.executable, "-m", "analysis", "ingest", str(stories), "--workspace",
                                 str(tmp_path / workspace)], capture_output=True, text=True, env=env, cwd=REPO,
                                timeout=300, preexec_fn=_pin(pinned))
        assert result.returncode == 0, result.stderr
        assert "12 added, 0 skipped as duplicates, 0 failed" in result.stdout
        assert f"extracted by {expect}" in result.stdout


def test_a_small_ingest_starts_no_more_processes_than_batches(tmp_path, monkeypatch) -> None:
    from analysis.loaders import load_paths
    from analysis.workspace.ingest import ingest
    from analysis.workspace.store import Workspace

    write_stories(tmp_path / "two", range(2))
    report = ingest(Workspace(tmp_path / "ws"), load_paths([tmp_path / "two"]), processes=4, batch_size=8)
    assert len(report.added) == 2
    assert report.engine == "extracted by 1 process (--processes; 2 new documents make 1 batch)"
