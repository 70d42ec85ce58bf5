"""Extraction over whole documents: long texts in pieces, empty results, offsets that hold."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator

import pytest

from analysis.extract import dates, given_names, languages
from analysis.extract.nlp import load_pipeline
from analysis.extract.pipeline import (
    CHUNK_CHARS,
    Extractor,
    in_batches,
    _init_worker,
    _shared_work,
    _start_method,
    extract_all,
    split_text,
)
from analysis.extract.quotes.gender import first_names
from analysis.extract.quotes.lexicon import load_lexicon
from analysis.loaders.titles import with_title
from analysis.model import LoadError, RawDocument
from analysis.settings import DEFAULT_MODEL
from analysis.workspace.store import Workspace, release_all
from tests.fictional import ALL, ELECTION, HARBOUR, MINING


def test_split_text_covers_the_text_in_pieces_under_the_limit() -> None:
    text = ("A line of words that goes on.\n" * 90_000) + "x" * 250_000  # 2.95M chars, past max_length
    pieces = split_text(text)
    assert "".join(p for _, p in pieces) == text
    assert all(text[o:o + len(p)] == p for o, p in pieces)
    assert max(len(p) for _, p in pieces) <= CHUNK_CHARS < load_pipeline(DEFAULT_MODEL).max_length
    assert all(p.endswith("\n") for _, p in pieces[:-3]), "cut at line ends where there are lines"


def test_a_document_in_pieces_keeps_offsets_and_finds_what_one_pass_finds() -> None:
    text = "\n\n".join([HARBOUR, MINING, ELECTION] * 3)
    whole = next(iter(Extractor().extract([RawDocument(text, "long.txt")])))
    pieces = next(iter(Extractor(chunk_chars=700).extract([RawDocument(text, "long.txt")])))
    assert len(split_text(text, 700)) > 3
    for m in pieces.mentions:
        assert text[m.start:m.end] == m.text
    for q in pieces.quotes:
        assert text[q.start:q.end] == q.text
        assert q.speaker is None or text[q.speaker_start:q.speaker_end] == q.speaker
    for e in pieces.events:
        assert text[e.start:e.end] == e.text
    assert [s.start for s in pieces.sentences] == sorted(s.start for s in pieces.sentences)
    assert all(pieces.sentences[m.sentence].start <= m.start < pieces.sentences[m.sentence].end
               for m in pieces.mentions)
    found = {(m.start, m.entity_name) for m in pieces.mentions}
    assert found >= {(m.start, m.entity_name) for m in whole.mentions if m.label == "PERSON"}
    assert len(pieces.quotes) == len(whole.quotes)


def test_a_dateline_in_capitals_names_its_place_and_dates_no_event_of_its_own() -> None:
    text = ("Harbour protest\n\nBy Ana Reyes, June 2, 2024\n\nPORT CARROW, June 2, 2024 — Several hundred people "
            "marched along the harbour front on Saturday.\n\nPolice in Port Carrow said the march was peaceful. "
            "The council meets again on June 12.\n")
    found = next(iter(Extractor().extract([RawDocument(text, "protest.txt")])))
    places = {(m.text, m.entity_key) for m in found.mentions if "carrow" in m.text.lower()}
    assert places == {("PORT CARROW", "port carrow"), ("Port Carrow", "port carrow")}
    assert [(e.date_text, e.date_start) for e in found.events] == [("Saturday", "2024-06-01"), ("June 12", "2024-06-12")]


@pytest.mark.parametrize("text, short, full", [
    ("Storms cut power across the valley on Friday. Norland Hydro said crews were out. Later, Hydro said "
     "4,000 homes were still dark.", "Hydro", "Norland Hydro"),
    ("The Office of the Coastal Safety Commissioner released its review on Monday. The OCSC said the ferry "
     "was overloaded.", "OCSC", "Office of the Coastal Safety Commissioner"),
    # the tagger finds only the acronym: its spelled-out name is found in the text
    ("The Budget Oversight Officer released a review of the port on Monday. The BOO said the fees were too high.",
     "BOO", "Budget Oversight Officer"),
])
def test_a_speaker_under_a_short_form_is_the_full_name_the_document_gives(text: str, short: str, full: str) -> None:
    found = next(iter(Extractor().extract([RawDocument(text, "short.txt")])))
    (quote,) = [q for q in found.quotes if q.speaker == short]
    assert quote.speaker_entity == full
    assert {m.entity_key for m in found.mentions if m.text in (short, full)} == {quote.speaker_key}, "one entity"


def test_a_document_with_no_entities_quotes_or_dates_is_still_stored_data() -> None:
    text = "nothing much happens here.\nit rains, and then it stops.\n"
    (x,) = Extractor().extract([RawDocument(text, "quiet.txt")])
    assert (x.mentions, x.quotes, x.events) == ([], [], [])
    assert x.n_words == 10 and len(x.sentences) == 2


@pytest.fixture(params=["fork", "spawn"])
def start_method(request) -> Iterator[str]:
    """Each way workers start: from this process alone (fork), or beside another thread (spawn)."""
    release_all()  # earlier tests' workspaces: their closer threads end
    if request.param == "fork" and threading.active_count() > 1:
        pytest.fail(f"threads left running by earlier tests: {threading.enumerate()}")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    if request.param == "spawn":
        other.start()
    yield request.param
    stop.set()
    if other.is_alive():
        other.join()


def test_documents_come_back_in_order_with_two_processes(start_method: str) -> None:
    assert _start_method() == start_method
    raws = [RawDocument(t, n) for n, t in ALL.items()] * 1
    raws += [with_title(RawDocument(f"Mirela Tosk, The Canadian Press\n\nNadia Brook visited Lisbon on day {i}.",
                                    f"n{i}.txt")) for i in range(6)]
    results = list(extract_all(raws, processes=2, batch_size=2))
    assert not [r for r in results if isinstance(r, LoadError)]
    assert [r.raw.file_name for r in results] == [r.file_name for r in raws]
    serial = list(extract_all(raws, processes=1, batch_size=2))
    assert [[(m.start, m.entity_key) for m in r.mentions] for r in results] == \
           [[(m.start, m.entity_key) for m in r.mentions] for r in serial]
    # what the extraction found of each document (a byline's author, the title after it), wherever it ran
    assert [(r.raw.author, r.raw.title) for r in results][-6:] == [(r.raw.author, r.raw.title) for r in serial][-6:] \
           == [("Mirela Tosk", f"Nadia Brook visited Lisbon on day {i}.") for i in range(6)]


def test_a_stalled_worker_does_not_hold_the_extraction_back() -> None:
    """With no input left, this process extracts the batches still waiting for a worker itself:
    here the only worker is stopped, and every document still comes back, in order."""
    release_all()
    raws = [RawDocument(f"Nadia Brook visited Lisbon on day {i}.", f"n{i}.txt") for i in range(7)]
    local = Extractor(batch_size=2)
    with multiprocessing.get_context("fork").Pool(1, _init_worker, (local.model, 2, CHUNK_CHARS)) as pool:
        workers = multiprocessing.active_children()
        for worker in workers:
            os.kill(worker.pid, signal.SIGSTOP)

        def stalled(*_) -> None:
            raise TimeoutError("the extraction waited for a stopped worker")

        previous = signal.signal(signal.SIGALRM, stalled)
        signal.alarm(120)
        try:
            results = list(_shared_work(local, pool, in_batches(raws, 2), ahead=2))
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
            for worker in workers:
                os.kill(worker.pid, signal.SIGCONT)
    assert [r.raw.file_name for r in results] == [r.file_name for r in raws]
    assert all(r.mentions for r in results)


def test_a_workspace_released_leaves_this_process_free_to_fork(tmp_path) -> None:
    """An ingest reads the store, then releases it before starting workers: no thread is left."""
    release_all()
    ws = Workspace(tmp_path / "ws")
    assert ws.existing_ids(["nothing"]) == set()
    assert threading.active_count() == 2, "the workspace's closer thread runs while the database is open"
    ws.release()
    assert threading.active_count() == 1 and _start_method() == "fork"
    assert ws.existing_ids(["nothing"]) == set()  # and opens again on the next use


# The tables the extractors load on first use, which `Extractor.warm` loads before workers fork.
_FIRST_USE_TABLES = (languages._identifier, given_names.given_names, dates._dateparser, first_names, load_lexicon)


def _tables_loaded() -> list[bool]:
    return [table.cache_info().currsize > 0 for table in _FIRST_USE_TABLES]


def test_warming_loads_what_forked_workers_then_inherit() -> None:
    """After `warm`, a forked worker finds the language model, given names, date parser, first
    names and lexicon loaded: it does not spend its first batch loading them again."""
    release_all()
    local = Extractor(batch_size=2)
    for table in _FIRST_USE_TABLES:
        table.cache_clear()
    dates._normalise_clean.cache_clear()  # dates that earlier tests read would not reach the parser
    assert not any(_tables_loaded())
    local.warm()
    assert all(_tables_loaded())
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_tables_loaded) == [True] * len(_FIRST_USE_TABLES)


def test_a_name_wrapped_over_two_lines_of_wire_copy_is_one_name() -> None:
    """In hard-wrapped wire copy the tagger's span runs over the line break: "Federal\\nReserve
    Board" is the Federal Reserve Board, not an organisation called "Federal"; in web copy a line
    is a paragraph, and a span over two lines is cut at the first."""
    wire = ("The dollar firmed against most currencies after the Federal\nReserve Board said it would hold "
            "rates,\nand the lenders' group said growth in West\nGermany would slow this year.\n"
            "    Dealers in New\nYork said the rise was modest and short-lived.\n")
    found = next(iter(Extractor().extract([RawDocument(wire, "wire.txt")])))
    names = {m.entity_name for m in found.mentions}
    assert {"Federal Reserve Board", "West Germany", "New York"} <= names
    assert not names & {"Federal", "West", "New"}
    assert all(wire[m.start:m.end] == m.text for m in found.mentions)
