"""Progress of an ingest: documents and words done of the total, words per second, time left."""
from __future__ import annotations

from analysis.loaders import load_paths
from analysis.present.progress import duration, progress_text
from analysis.workspace.ingest import Tick, ingest
from analysis.workspace.store import Workspace
from tests.test_concurrency import story, write_stories


def test_time_left_goes_by_words_when_their_total_is_known() -> None:
    tick = Tick(done=10, total=40, words=1_000, total_words=5_000, seconds=2.0)
    assert tick.words_per_second == 500 and tick.eta_seconds == 8.0
    by_documents = Tick(done=3, total=12, words=900, total_words=0, seconds=6.0)  # shards: sizes unknown ahead
    assert by_documents.eta_seconds == 18.0
    assert Tick(0, 40, 0, 5_000, 0.5).eta_seconds is None


def test_a_local_ingest_tells_documents_and_words_up_to_the_total(tmp_path) -> None:
    write_stories(tmp_path / "stories", range(9))
    ticks: list[Tick] = []
    report = ingest(Workspace(tmp_path / "ws"), load_paths([tmp_path / "stories"]), processes=1, batch_size=2,
                    progress=ticks.append)
    assert len(report.added) == 9
    words = sum(len(story(i).split()) for i in range(9))
    assert (ticks[0].done, ticks[0].words, ticks[0].total, ticks[0].total_words) == (0, 0, 9, words)
    assert (ticks[-1].done, ticks[-1].words, ticks[-1].eta_seconds) == (9, words, 0.0)
    assert [t.done for t in ticks] == sorted(t.done for t in ticks)
    assert ticks[-1].name.endswith("story-0008.txt")


def test_the_dashboard_says_done_pace_and_time_left() -> None:
    assert progress_text(Tick(120, 400, 24_000, 104_000, 10.0, "story.txt")) == \
        "Extracting 120 of 400 · 2,400 words/s · about 33 s left: story.txt"
    assert progress_text(Tick(0, 400, 0, 104_000, 0.0)) == "Extracting 0 of 400"
    assert progress_text(Tick(400, 400, 104_000, 104_000, 40.0)) == "Extracting 400 of 400 · 2,600 words/s"
    assert [duration(s) for s in (0.2, 59, 61, 3_599, 7_500)] == ["1 s", "59 s", "1 min", "1 h", "2 h 5 min"]
