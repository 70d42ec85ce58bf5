"""Shared fixtures: the real spaCy pipeline (loaded once) and the reference article."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = SHARED / "samples" / "hamas-tehran-visit.txt"


@pytest.fixture(scope="session")
def nlp():
    from analysis.extract.nlp import load_pipeline
    from analysis.settings import DEFAULT_MODEL

    return load_pipeline(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def sample_text() -> str:
    if not SAMPLE.exists():
        pytest.skip(f"reference article not present at {SAMPLE}")
    return SAMPLE.read_text(encoding="utf-8")
