"""An ingest's progress in words for the dashboard's bar: done of total, pace, time left."""
from __future__ import annotations

from analysis.workspace.ingest import Tick


def progress_text(tick: Tick) -> str:
    """ "Extracting 120 of 400 · 2,310 words/s · about 1 min left: story.txt" """
    text = f"Extracting {tick.done:,} of {tick.total:,}"
    if tick.words:
        text += f" · {tick.words_per_second:,.0f} words/s"
    if tick.eta_seconds is not None and tick.done < tick.total:
        text += f" · about {duration(tick.eta_seconds)} left"
    return text + (f": {tick.name}" if tick.name else "")


def duration(seconds: float) -> str:
    """A rough, readable span of time: "40 s", "3 min", "2 h 5 min"."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{minutes} min" if not hours else f"{hours} h" + (f" {minutes} min" if minutes else "")
