"""The dashboard's logic: every page through Streamlit's AppTest, plus the pure pieces it uses.

Pages run against an empty workspace and one filled by the real pipeline from the bundled
fictional samples. Downloads cannot be read through AppTest, so the CSV and zip builders
are tested directly on the frames the pages show.
"""
from __future__ import annotations

import csv
import datetime
import html as html_lib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import plotly.io
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from analysis.present import charts, highlight, urlstate
from analysis.present.choices import fold, narrow_choices
from analysis.present.export import to_csv_bytes, zip_bundle
from analysis.workspace import queries
from analysis.workspace.queries import Filters
from analysis.workspace.store import Workspace

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
PAGES = ["pages/1_Documents.py", "pages/2_Entities.py", "pages/3_Quotes.py", "pages/4_Timeline.py",
         "pages/5_Relationships.py"]
TIMEOUT = 120  # the first run imports the app and may load the spaCy model


# --- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory) -> Path:
    """A workspace holding the fictional samples, extracted by the real pipeline (built once)."""
    from analysis.loaders import load_bytes
    from analysis.workspace.ingest import ingest

    path = tmp_path_factory.mktemp("samples") / "ws"
    items = [item for f in sorted(SAMPLES.iterdir()) for item in load_bytes(f.name, f.read_bytes())]
    report = ingest(Workspace(path), items)
    assert len(report.added) == len(list(SAMPLES.iterdir())), report.results
    return path


@pytest.fixture
def populated(sample_workspace: Path, tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the sample workspace, so a test may curate it."""
    path = tmp_path / "ws"
    shutil.copytree(sample_workspace, path, ignore=shutil.ignore_patterns("*.lock"))
    monkeypatch.setenv("NEWSROOM_LENS_WORKSPACE", str(path))
    return path


@pytest.fixture
def empty(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "empty"
    monkeypatch.setenv("NEWSROOM_LENS_WORKSPACE", str(path))
    return path


def app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def open_page(at: AppTest, page: str) -> AppTest:
    return at.switch_page(page).run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def shown(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page with these columns."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}; tables: {[list(f.value.columns) for f in at.dataframe]}")


# --- pages -------------------------------------------------------------------------------

def test_overview_on_empty_workspace_offers_upload_and_samples(empty: Path) -> None:
    at = ok(app())
    assert at.title[0].value == "Newsroom Lens"
    assert at.metric[0].value == "0"
    assert any(b.label == "Load sample articles" for b in at.button)
    assert not at.dataframe  # no report before an upload
    assert "No articles yet" in at.info[0].value


@pytest.mark.parametrize("page", PAGES)
def test_pages_run_on_empty_workspace(empty: Path, page: str) -> None:
    at = ok(open_page(app(), page))
    assert "no documents yet" in at.info[0].value
    assert at.multiselect(key="flt_entities").value == []  # the page stopped early, the filter is still drawn


def test_sample_button_ingests_and_reports_each_file(empty: Path) -> None:
    at = ok(app())
    next(b for b in at.button if b.label == "Load sample articles").click()
    ok(at.run())
    report = shown(at, "file", "status", "reason")
    assert sorted(report["file"]) == sorted(p.name for p in SAMPLES.iterdir())
    assert set(report["status"]) == {"added"}
    assert at.metric[0].value == str(len(report))
    assert any(c.value.startswith("Extracted by 1 process (") for c in at.caption), "four files make one batch"
    next(b for b in at.button if b.label == "Load sample articles").click()
    report = shown(ok(at.run()), "file", "status", "reason")
    assert set(report["status"]) == {"duplicate"}


def test_upload_reports_added_and_failed_files_with_reasons(empty: Path) -> None:
    at = ok(app())
    at.file_uploader[0].set_value([
        ("note.txt", b"Mayor Ana Ruiz said on Monday that Lisbon would bid for the games.", "text/plain"),
        ("broken.pdf", b"this is not a PDF at all", "application/pdf"),
        ("empty.txt", b"", "text/plain"),
    ]).run()
    next(b for b in at.button if b.label.startswith("Extract and add 3")).click()
    ok(at.run())
    report = shown(at, "file", "status", "reason").set_index("file")
    assert report.loc["note.txt", "status"] == "added"
    assert set(report.loc[["broken.pdf", "empty.txt"], "status"]) == {"failed"}
    assert report.loc["empty.txt", "reason"] == "file is empty"
    assert "Traceback" not in " ".join(report["reason"].fillna(""))
    assert at.file_uploader[0].value in (None, [])  # a fresh uploader: nothing is ingested twice


def test_missing_model_shows_the_install_hint(empty: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSROOM_LENS_MODEL", "xx_no_such_model")
    at = ok(app())
    next(b for b in at.button if b.label == "Load sample articles").click()
    at.run()
    assert not at.exception
    assert "is not installed. Install it with: pip install xx-no-such-model" in at.error[0].value
    assert at.metric[0].value == "0"


def test_overview_on_populated_workspace(populated: Path) -> None:
    at = ok(app())
    assert at.metric[0].value == "4"
    assert len(at.get("plotly_chart")) == 1
    assert any(b.label.startswith("Download everything") for b in at.download_button)


def test_overview_opens_without_pandas_or_spacy(populated: Path) -> None:
    """The first page of a fresh server imports neither spaCy (the model loads on the first ingest)
    nor pandas, numpy or pyarrow (~0.5 s of its start): its answers are rows. In a process of its own,
    as a server's first session is (this one has imported them all)."""
    script = f"""
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(REPO / "dashboard.py")!r}, default_timeout={TIMEOUT}).run()
print(json.dumps({{"exceptions": [e.value for e in at.exception], "documents": at.metric[0].value,
                  "charts": len(at.get("plotly_chart")),
                  "imported": [m for m in ("pandas", "numpy", "pyarrow", "spacy") if m in sys.modules]}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=TIMEOUT)
    first = json.loads(done.stdout.strip().splitlines()[-1])
    assert first == {"exceptions": [], "documents": "4", "charts": 1, "imported": []}, done.stderr[-2000:]


@pytest.mark.parametrize("page, charts_expected", zip(PAGES, [0, 1, 2, 3, 2]))
def test_pages_run_on_populated_workspace(populated: Path, page: str, charts_expected: int) -> None:
    at = ok(open_page(app(), page))
    assert len(at.get("plotly_chart")) == charts_expected
    assert at.dataframe, "every page shows at least one table"
    assert len(at.download_button) >= len(at.dataframe), "every table has a CSV download"


def test_documents_page_shows_highlighted_document_and_sets_its_date(populated: Path) -> None:
    at = ok(open_page(app(), "pages/1_Documents.py"))
    docs = shown(at, "title", "source", "date")
    assert len(docs) == 4
    at.selectbox(key="doc_open").select_index(len(docs) - 1).run()  # the oldest: 4 March 2024
    html = "".join(h.proto.body for h in at.html)
    assert "<mark" in html and "Elena Marsh" in html
    assert "Marsh" in shown(at, "speaker", "quote")["speaker"].str.cat()
    next(d for d in at.date_input if d.label == "Correct date").set_value(datetime.date(2024, 3, 1))
    next(b for b in at.button if b.label == "Save date").click()
    ok(at.run())
    docs = shown(at, "title", "source", "date")
    assert pd.Timestamp("2024-03-01") in set(pd.to_datetime(docs["date"]))
    assert "date_source" in docs and "analyst" in set(docs["date_source"])


def test_search_narrows_documents(populated: Path) -> None:
    at = ok(open_page(app(), "pages/1_Documents.py"))
    at.text_input(key="flt_search").input('"judicial review"').run()
    docs = shown(ok(at), "title", "source", "date")
    assert list(docs["source"]) == ["Northern Ledger"]
    assert urlstate.from_query(at.query_params).search == '"judicial review"'
    assert any("<mark>judicial</mark>" in h.proto.body.lower() for h in at.html)


def test_a_malformed_search_is_explained_and_not_applied(populated: Path) -> None:
    at = ok(open_page(app(), "pages/1_Documents.py"))
    everything = len(shown(at, "title"))
    at.text_input(key="flt_search").input("(judicial").run()
    assert any("never closed" in w.value for w in ok(at).warning)
    assert len(shown(at, "title")) == everything


def test_filter_round_trips_through_query_params_and_pages(populated: Path) -> None:
    at = ok(app({"entity": "elena marsh", "type": ["PERSON", "ORG"], "from": "2024-04-01"}))
    assert at.multiselect(key="flt_entities").value == ["elena marsh"]
    assert at.multiselect(key="flt_types").value == ["PERSON", "ORG"]
    assert at.date_input(key="flt_dates").value == (datetime.date(2024, 4, 1),)
    assert at.metric[0].value == "3"  # the three articles from April on mention her

    at.multiselect(key="flt_entities").select("david okafor").run()
    assert urlstate.from_query(at.query_params).entities == ("elena marsh", "david okafor")

    at = ok(open_page(at, "pages/3_Quotes.py"))  # the filter follows the analyst to another page
    assert at.multiselect(key="flt_entities").value == ["elena marsh", "david okafor"]
    assert urlstate.from_query(at.query_params) == Filters(
        entities=("elena marsh", "david okafor"), types=("PERSON", "ORG"), date_from=datetime.date(2024, 4, 1))

    next(b for b in at.button if b.label == "Clear filters").click()
    at.run()
    assert urlstate.from_query(at.query_params).is_empty()


def test_clear_filters_is_offered_as_soon_as_a_filter_is_set(populated: Path) -> None:
    at = ok(app())
    clear = next(b for b in at.button if b.label == "Clear filters")
    assert clear.disabled
    at.multiselect(key="flt_entities").select("elena marsh").run()
    assert "Filtered: mentioning Elena Marsh" in ok(at).info[0].value  # the page got it in the same run
    assert not next(b for b in at.button if b.label == "Clear filters").disabled


def test_unknown_values_in_the_url_are_dropped(populated: Path) -> None:
    at = ok(app({"entity": ["no such entity", "elena marsh"], "from": "not a date"}))
    assert at.multiselect(key="flt_entities").value == ["elena marsh"]
    assert at.query_params.get("entity") in ("elena marsh", ["elena marsh"])


def test_entity_filter_narrows_quotes_to_the_entity(populated: Path) -> None:
    at = ok(open_page(app({"entity": "elena marsh"}), "pages/3_Quotes.py"))
    quotes = shown(at, "speaker", "quote")
    assert len(quotes) and (quotes["speaker"].eq("Elena Marsh") | quotes["quote"].str.contains("Marsh")).all()
    at.toggle(key="quote_narrow").set_value(False).run()
    assert len(shown(ok(at), "speaker", "quote")) > len(quotes)


def test_reviewing_a_quote_on_the_quotes_page_hides_it_and_updates_the_estimate(populated: Path) -> None:
    at = ok(open_page(app(), "pages/3_Quotes.py"))
    before = shown(at, "speaker", "quote", "act")
    assert set(before["act"]) == {"statement"}
    assert any("no quote reviewed yet" in c.value for c in at.caption)
    at.selectbox(key="review_quote").set_value(at.selectbox(key="review_quote").options[0]).run()
    first = before["quote"].iloc[0]
    at.button(key="review_wrong").click().run()
    after = shown(ok(at), "speaker", "quote")
    assert len(after) == len(before) - 1 and first not in set(after["quote"])
    assert any("all 0 % right (n=1)" in c.value for c in at.caption), [c.value for c in at.caption]
    at.toggle(key="quote_positions").set_value(True).run()
    assert len(shown(ok(at), "speaker", "quote")) >= len(after)


def test_curation_on_entities_page_changes_the_entity_table(populated: Path) -> None:
    at = ok(open_page(app(), "pages/2_Entities.py"))
    table = shown(at, "name", "type", "mentions")
    assert table.set_index("name").loc["Save the Narrows", "type"] == "WORK_OF_ART"  # the small model's guess
    port, town = (int(table.set_index("name").loc[n, "mentions"]) for n in ("Port Carrow", "Carrow"))

    at.selectbox(key="ent_profile").set_value("save the narrows").run()
    at.selectbox(key="ent_type_save the narrows").set_value("ORG")  # a campaign
    at.button(key="ent_type_btn").click().run()
    assert shown(ok(at), "name", "type").set_index("name").loc["Save the Narrows", "type"] == "ORG"

    at.selectbox(key="ent_profile").set_value("port carrow").run()
    at.multiselect(key="ent_merge").select("carrow").run()
    at.button(key="ent_merge_btn").click().run()
    table = shown(ok(at), "name", "type", "mentions").set_index("name")
    assert "Carrow" not in table.index
    assert table.loc["Port Carrow", "mentions"] == port + town

    at.button(key="ent_hide_btn").click().run()
    assert "Port Carrow" not in set(shown(ok(at), "name", "type")["name"])
    at = ok(open_page(at, "pages/5_Relationships.py"))  # everywhere at once
    assert "Port Carrow" not in set(shown(at, "entity", "with")[["entity", "with"]].stack())


def test_charts_follow_the_workspace_after_a_curation(populated: Path) -> None:
    """Figures are cached and shared; one drawn before a change must not be shown after it."""
    def bar_names(at: AppTest) -> set[str]:
        return {name for trace in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] for name in trace["y"]}

    at = ok(app())
    assert "Port Carrow" in bar_names(at)
    at = ok(open_page(at, "pages/2_Entities.py"))
    at.selectbox(key="ent_profile").set_value("port carrow").run()
    ok(at.button(key="ent_hide_btn").click().run())
    assert "Port Carrow" not in bar_names(ok(app()))  # a new session, in the process holding the figures


@pytest.mark.parametrize("option", ["paragraph", "document"])
def test_relationships_units_and_edge_evidence(populated: Path, option: str) -> None:
    at = ok(open_page(app(), "pages/5_Relationships.py"))
    sentence_links = len(shown(at, "entity", "with"))
    at.segmented_control(key="rel_unit").set_value(option).run()
    assert len(shown(ok(at), "entity", "with")) >= sentence_links
    evidence = shown(at, "evidence", "document")
    assert len(evidence) >= 1


def test_relationships_focus_shows_an_ego_network(populated: Path) -> None:
    at = ok(open_page(app({"entity": "tomas birkeland"}), "pages/5_Relationships.py"))
    assert at.selectbox(key="rel_focus").value == "tomas birkeland"
    links = shown(at, "entity", "with")
    assert len(links) >= 1


def test_relationships_minimum_follows_the_network_shown(populated: Path) -> None:
    at = ok(open_page(app(), "pages/5_Relationships.py"))
    at.segmented_control(key="rel_unit").set_value("paragraph").run()
    slider = at.slider(key="rel_min_count")
    slider.set_value(slider.max).run()  # only the most frequent pair(s) left: 4 paragraphs together
    assert set(shown(ok(at), "entity", "with")["together"]) == {slider.max} == {4}
    at.selectbox(key="rel_focus").set_value("priya raman").run()  # her ego network: pairs seen once or twice
    assert at.slider(key="rel_min_count").value == at.slider(key="rel_min_count").max == 2
    assert set(shown(ok(at), "entity", "with")["together"]) == {2}


def test_timeline_plots_chosen_entities(populated: Path) -> None:
    at = ok(open_page(app(), "pages/4_Timeline.py"))
    at.multiselect(key="time_entities").select("priya raman").run()
    fig = json.loads(ok(at).get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in fig["data"]] == ["Priya Raman"]


@pytest.fixture
def short_lists(monkeypatch) -> int:
    """Pickers list at most 3 options, so the sample workspace's lists count as long ones."""
    from ui import widgets

    monkeypatch.setattr(widgets, "PICKER_LIMIT", 3)
    return 3


def test_long_entity_list_is_searched_on_the_server(populated: Path, short_lists: int) -> None:
    at = ok(app())
    box, search = at.multiselect(key="flt_entities"), at.text_input(key="flt_entities_search")
    most_mentioned = list(queries.entity_labels(Workspace(populated)).values())[:short_lists]
    assert box.options == most_mentioned  # not every entity: the most mentioned ones
    assert "Search" in search.placeholder

    search.input("okafor").run()
    assert at.multiselect(key="flt_entities").options == ["David Okafor (PERSON)"]
    at.multiselect(key="flt_entities").select("david okafor").run()
    assert urlstate.from_query(at.query_params).entities == ("david okafor",)
    assert "Filtered: mentioning David Okafor" in ok(at).info[0].value

    at.text_input(key="flt_entities_search").input("MARSH").run()  # the choice stays listed beside the matches
    assert at.multiselect(key="flt_entities").options == ["David Okafor (PERSON)", "Elena Marsh (PERSON)"]
    assert at.multiselect(key="flt_entities").value == ["david okafor"]
    at.text_input(key="flt_entities_search").input("no such name").run()
    assert at.multiselect(key="flt_entities").options == ["David Okafor (PERSON)"]
    assert "No entities match" in at.multiselect(key="flt_entities").placeholder


def test_long_single_choice_is_searched_too(populated: Path, short_lists: int) -> None:
    at = ok(open_page(app(), "pages/2_Entities.py"))
    assert len(at.selectbox(key="ent_profile").options) <= short_lists + 1  # the shown entity, the first three
    at.text_input(key="ent_profile_search").input("birkeland").run()
    at.selectbox(key="ent_profile").set_value("tomas birkeland").run()
    assert "Tomas Birkeland" in ok(at).text_input(key="ent_name_tomas birkeland").value


def test_long_document_list_is_searched_in_the_workspace(populated: Path, short_lists: int) -> None:
    titles = queries.document_titles(Workspace(populated)).titles
    assert len(titles) > short_lists
    at = ok(app())
    box, search = at.multiselect(key="flt_documents"), at.text_input(key="flt_documents_search")
    assert box.options == list(titles.values())[:short_lists]  # the newest ones
    assert f"Search {len(titles)} documents" in search.placeholder

    search.input("PORT carrow").run()
    protest = next(doc for doc, title in titles.items() if "Port Carrow" in title)
    assert at.multiselect(key="flt_documents").options == [titles[protest]]
    at.multiselect(key="flt_documents").set_value([protest]).run()
    assert urlstate.from_query(at.query_params).documents == (protest,)
    at.text_input(key="flt_documents_search").input("no such title").run()  # the choice stays listed
    assert at.multiselect(key="flt_documents").options == [titles[protest]]
    assert "No documents match" in at.multiselect(key="flt_documents").placeholder
    assert "1 chosen document" in ok(at).info[0].value


def test_document_titles_narrow_as_a_picker_does(populated: Path) -> None:
    """Searched in the workspace, the titles come out as `narrow_choices` gives them from the whole list."""
    ws = Workspace(populated)
    titles = queries.document_titles(ws).titles
    ranked = list(titles)
    for search, limit, chosen in (("", 2, ()), ("tidal", 5, ()), ("  TIDAL  array ", 5, ()), ("tidal", 1, (ranked[-1],)),
                                  ("nobody", 3, (ranked[1], "no such id")), ("", None, ())):
        listed, found = narrow_choices(ranked, titles.get, search, limit or len(ranked), [c for c in chosen if c in titles])
        assert queries.document_titles(ws, search, limit, chosen) == (dict((d, titles[d]) for d in listed), found)


# --- CSV and zip builders (what the download buttons hand out) ---------------------------

def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_entities_csv_is_the_table_shown(populated: Path) -> None:
    at = ok(open_page(app(), "pages/2_Entities.py"))
    table = shown(at, "name", "type", "mentions", "documents", "first_seen", "last_seen")
    rows = _rows(to_csv_bytes(table))
    assert list(rows[0]) == list(table.columns)
    assert len(rows) == len(table)
    assert {"name": "Elena Marsh", "type": "PERSON"}.items() <= next(r for r in rows if r["name"] == "Elena Marsh").items()


def test_download_everything_bundle(sample_workspace: Path) -> None:
    from ui.data import bundle_manifest

    ws = Workspace(sample_workspace)
    filters = Filters(entities=("priya raman",))
    bundle = zipfile.ZipFile(io.BytesIO(zip_bundle(queries.export_tables(ws, filters), bundle_manifest(filters))))
    names = set(bundle.namelist())
    assert names == {f"{t}.csv" for t in ("entities", "mentions", "documents", "quotes", "events", "timeline",
                                          "cooccurrence", "speakers")} | {"manifest.json"}
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["filters"] == {"entity": ["priya raman"]}
    assert manifest["model"] and manifest["model_version"] and manifest["exported_at"]
    assert len(_rows(bundle.read("documents.csv"))) == 4  # she is in every sample article


def test_ingest_report_frame() -> None:
    from analysis.workspace.ingest import FileResult
    from ui.data import report_frame

    frame = report_frame([FileResult("a.txt", "added", "A", "1"), FileResult("b.exe", "failed", reason="unsupported")])
    assert frame.fillna("").to_dict("records") == [
        {"file": "a.txt", "status": "added", "title": "A", "reason": ""},
        {"file": "b.exe", "status": "failed", "title": "", "reason": "unsupported"},
    ]


# --- highlight: untrusted text stays text ------------------------------------------------

HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)',
           '" onmouseover="alert(1)', "</mark></span><b>"]


class _Tags(HTMLParser):
    """Every tag and attribute name in a piece of HTML, as a browser would parse it."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}


@pytest.mark.parametrize("payload", HOSTILE)
def test_document_html_escapes_text_title_and_names(payload: str) -> None:
    text = f"Mayor Ana Ruiz said {payload} in Lisbon. \"We will build it,\" Ruiz said."
    lisbon = text.index("Lisbon")
    ents = [highlight.EntitySpan(6, 14, payload, "PERSON"), highlight.EntitySpan(lisbon, lisbon + 6, "Lisbon", payload)]
    q_start = text.index("We will")
    quotes = [highlight.QuoteSpan(q_start, q_start + 15, payload, payload, payload)]
    for markup in (highlight.document_html(text, ents, quotes, title=payload), highlight.legend_html(["PERSON", payload])):
        parsed = _Tags(markup)
        assert parsed.tags <= {"div", "h3", "mark", "span"}
        assert parsed.attributes <= {"style", "title"}
    out = highlight.document_html(text, ents, quotes, title=payload)
    assert html_lib.escape(payload) in out  # shown as the literal text


def test_document_html_keeps_text_and_nests_tags() -> None:
    text = 'Ana Ruiz said "Lisbon will win" today.\nNext line & more.'
    ents = [highlight.EntitySpan(0, 8, "Ana Ruiz", "PERSON"), highlight.EntitySpan(15, 21, "Lisbon", "GPE"),
            highlight.EntitySpan(15, 30, "Lisbon will win", "EVENT")]  # overlaps the GPE: dropped
    quotes = [highlight.QuoteSpan(15, 30, "Ana Ruiz", "direct", "said")]
    out = highlight.document_html(text, ents, quotes)
    assert out.count("<mark") == 2 and out.count("</mark>") == 2
    assert out.count("<span") == out.count("</span>")
    plain = highlight.document_html(text)
    assert "&amp; more" in plain and "\n" in plain
    assert "Ana Ruiz ›" in out  # the speaker is shown before the quote
    assert out.index("Ana Ruiz ›") < out.index("Lisbon will")


def test_document_html_limits_colours_to_chosen_types() -> None:
    text = "Ana Ruiz visited Lisbon."
    ents = [highlight.EntitySpan(0, 8, "Ana Ruiz", "PERSON"), highlight.EntitySpan(17, 23, "Lisbon", "GPE")]
    out = highlight.document_html(text, ents, types=["GPE"])
    assert out.count("<mark") == 1 and "Lisbon · GPE" in out


def test_entity_spans_skip_hidden_entities() -> None:
    frame = pd.DataFrame({"start": [0, 5], "end": [3, 8], "name": ["A", "B"], "type": ["ORG", "ORG"],
                          "hidden": [False, True]})
    assert [s.name for s in highlight.entity_spans(frame)] == ["A"]


@given(st.text(max_size=60), st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=6))
def test_document_html_never_loses_or_leaks_text(text: str, spans: list[tuple[int, int]]) -> None:
    ents = [highlight.EntitySpan(a, b, "<x>", "ORG") for a, b in spans]
    quotes = [highlight.QuoteSpan(b, a, "<q>") for a, b in spans]
    out = highlight.document_html(text, ents, quotes)
    body = re.sub(r"<span style=\"font:600[^>]*>.*?</span>", "", out)  # the speaker badges
    visible = html_lib.unescape(re.sub(r"<[^>]+>", "", body))
    assert visible == text
    assert "<x>" not in out and "<q>" not in out


# --- charts: labels are data, not markup --------------------------------------------------

def test_chart_labels_are_escaped() -> None:
    name = '<img src=x onerror="alert(1)">'
    entities = pd.DataFrame({"name": [name, "Lisbon"], "type": ["PERSON", "GPE"], "mentions": [3, 2],
                             "documents": [1, 1], "entity": ["x", "lisbon"]})
    edges = pd.DataFrame({"source": ["lisbon"], "source_name": ["Lisbon"], "source_type": ["GPE"], "target": ["x"],
                          "target_name": [name], "target_type": ["PERSON"], "count": [2], "pmi": [0.5]})
    links = pd.DataFrame({"speaker": ["x"], "speaker_name": [name], "speaker_type": ["PERSON"], "entity": ["lisbon"],
                          "entity_name": ["Lisbon"], "entity_type": ["GPE"], "quotes": [1], "cues": [name]})
    events = pd.DataFrame({"date_start": [pd.Timestamp("2024-01-02")], "granularity": ["day"], "date_text": [name],
                           "sentence": [name], "document": [name], "entities": [name]})
    series = pd.DataFrame({"period": [pd.Timestamp("2024-01-01")], "name": [name], "entity": ["x"], "mentions": [1]})
    figures = [charts.entity_bars(entities.to_dict("records")), charts.network(edges, entities), charts.speaker_network(links),
               charts.events_scatter(events), charts.mentions_timeline(series),
               charts.speaker_bars(pd.DataFrame({"speaker": [name], "quotes": [1]}))]
    for fig in figures:
        spec = plotly.io.to_json(fig)
        assert "<img" not in spec and "\\u003cimg" not in spec, spec[:300]
        assert "&lt;img" in spec


def _events(dates: list[str], granularity: str = "day") -> pd.DataFrame:
    n = len(dates)
    return pd.DataFrame({"date_start": pd.to_datetime(dates), "granularity": [granularity] * n,
                         "date_text": ["then"] * n, "sentence": [f"Sentence {i}." for i in range(n)],
                         "document": [f"Story {i % 7}" for i in range(n)], "entities": ["Lisbon"] * n})


def test_few_events_are_points_each_with_its_sentence() -> None:
    events = _events(["2024-01-02", "2024-03-05", "2024-03-09"])
    fig = charts.events_chart(events, freq="month")
    assert [t.type for t in fig.data] == ["scatter"]
    assert len(fig.data[0].x) == 3 and "Sentence 1." in fig.data[0].customdata[1][0]


def test_many_events_are_counted_per_period_not_drawn_one_by_one() -> None:
    days = pd.date_range("2024-01-01", periods=charts.EVENT_POINTS + 500, freq="6h").strftime("%Y-%m-%d").tolist()
    events = pd.concat([_events(days[:1000], "day"), _events(days[1000:], "month")], ignore_index=True)
    fig = charts.events_chart(events, freq="month")
    assert {t.type for t in fig.data} == {"bar"} and {t.name for t in fig.data} == {"day", "month"}
    assert sum(sum(t.y) for t in fig.data) == len(events)  # every event counted once
    assert len(fig.data[0].x) <= 12  # months, not 2,000 points
    assert f"{len(events):,} dated sentences" in fig.layout.title.text
    assert len(plotly.io.to_json(fig)) < 20_000


def test_counted_events_use_a_coarser_period_when_they_span_centuries() -> None:
    years = [f"{year}-06-01" for year in range(1800, 2030)] * 8
    fig = charts.events_chart(_events(years, "year"), freq="day")
    assert "per year" in fig.layout.title.text and len(fig.data[0].x) == 230
    assert fig.layout.xaxis.dtick is None  # Plotly spaces the ticks: one a year, 230 of them, froze the browser


def test_timeline_fills_quiet_periods_with_zero() -> None:
    series = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-04-01"]), "name": ["A", "A"],
                           "entity": ["a", "a"], "mentions": [2, 1]})
    fig = charts.mentions_timeline(series, freq="month")
    assert list(fig.data[0].y) == [2, 0, 0, 1]


def test_network_places_every_node_and_sizes_by_mentions() -> None:
    nodes = pd.DataFrame({"entity": list("abcd"), "name": list("ABCD"), "type": ["PERSON"] * 2 + ["ORG"] * 2,
                          "mentions": [10, 1, 5, 2]})
    edges = pd.DataFrame({"source": ["a", "c"], "source_name": ["A", "C"], "target": ["b", "d"],
                          "target_name": ["B", "D"], "count": [3, 1], "pmi": [1.0, 0.2]})
    fig = charts.network(edges, nodes)
    markers = [t for t in fig.data if t.mode == "markers+text"]
    assert sorted(n for t in markers for n in t.text) == list("ABCD")
    person = next(t for t in markers if t.name == "PERSON")
    assert person.marker.size[0] > person.marker.size[1]


def test_speaker_network_draws_one_arrow_per_link() -> None:
    names = [f"P{i}" for i in range(30)]
    links = pd.DataFrame({"speaker": names, "speaker_name": names, "speaker_type": "PERSON",
                          "entity": names[1:] + names[:1], "entity_name": names[1:] + names[:1], "entity_type": "PERSON",
                          "quotes": range(1, 31), "cues": "said"})
    fig = charts.speaker_network(links)
    arrows = [t for t in fig.data if t.mode == "lines+markers"]
    heads = [(x, y) for t in arrows for x, y, size in zip(t.x, t.y, t.marker.size) if size]
    assert len(heads) == len(links)
    assert all(t.marker.symbol == "arrow" and t.marker.angleref == "previous" for t in arrows)
    assert len(arrows) <= 4  # a trace per line width (1 to 2.5 px in half steps), not one per link: fast to draw


def test_network_draws_its_lines_as_a_few_traces() -> None:
    names = [f"E{i}" for i in range(41)]
    nodes = pd.DataFrame({"entity": names, "name": names, "type": "ORG", "mentions": range(1, 42)})
    edges = pd.DataFrame({"source": names[:-1], "source_name": names[:-1], "target": names[1:],
                          "target_name": names[1:], "count": range(1, 41), "pmi": 0.5})
    fig = charts.network(edges, nodes)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert sum(list(t.x).count(None) for t in lines) == len(edges)  # each line once, each ended by a gap
    assert len(lines) <= 17  # widths 1 to 9 px in half steps



def test_readable_labels_print_the_most_mentioned_and_keep_the_rest_apart() -> None:
    xy = [(0.0, 0.0), (0.001, 0.0), (0.0, 0.001), (10.0, 10.0)]
    shown = charts.readable_labels(["Harbour Board", "Port Wenlock", "Tobin Vale", "Mara Quell"], xy,
                                   radii=[6, 6, 6, 6], priority=[1, 9, 3, 2], plot_height=500)
    assert shown == [False, True, False, True]  # of three names on one spot, the most mentioned


def test_a_dense_network_names_its_hub_and_stays_readable() -> None:
    spokes = [f"Spoke Entity Number {i}" for i in range(40)]
    nodes = pd.DataFrame({"entity": ["hub", *spokes], "name": ["Harbour Board", *spokes], "type": "ORG",
                          "mentions": [100, *range(1, 41)]})
    edges = pd.DataFrame({"source": "hub", "source_name": "Harbour Board", "target": spokes, "target_name": spokes,
                          "count": 2, "pmi": 0.5})
    fig = charts.network(edges, nodes)
    markers = [t for t in fig.data if t.mode == "markers+text"]
    printed = [text for t in markers for text in t.text if text]
    assert "Harbour Board" in printed and len(printed) < len(nodes)
    assert sorted(row[0] for t in markers for row in t.customdata) == sorted(nodes["name"])  # every name on hover


def test_a_network_draws_the_same_picture_whatever_the_row_order() -> None:
    names = [f"E{i}" for i in range(12)]
    nodes = pd.DataFrame({"entity": names, "name": names, "type": "ORG", "mentions": range(1, 13)})
    edges = pd.DataFrame({"source": names[:-1], "source_name": names[:-1], "target": names[1:],
                          "target_name": names[1:], "count": 1, "pmi": 0.5})

    def places(fig) -> dict:
        return {row[0]: (x, y) for t in fig.data if t.mode == "markers+text"
                for x, y, row in zip(t.x, t.y, t.customdata)}

    assert places(charts.network(edges, nodes)) == places(charts.network(edges.iloc[::-1], nodes))

# --- choices: what a long picker lists ---------------------------------------------------

def test_narrow_choices_keeps_order_chosen_and_counts_matches() -> None:
    names = {"a": "Recep Tayyip Erdoğan (PERSON)", "b": "Ali Khamenei (PERSON)", "c": "Hamas (ORG)",
             "d": "Ali Akbar Velayati (PERSON)", "e": "Tehran (GPE)"}
    ranked = list(names)
    assert narrow_choices(ranked, names.get, "", 2) == (["a", "b"], 5)
    assert narrow_choices(ranked, names.get, "ali", 5) == (["b", "d"], 2)
    assert narrow_choices(ranked, names.get, "  ALI  velay ", 5) == (["d"], 1)  # every word, any case
    assert narrow_choices(ranked, names.get, "erdogan", 5) == (["a"], 1)  # accents need not be typed
    assert narrow_choices(ranked, names.get, "ali", 1, chosen=["e"]) == (["e", "b"], 2)  # chosen first, not counted
    assert narrow_choices(ranked, names.get, "nobody", 3, chosen=["c"]) == (["c"], 0)
    assert fold("Erdoğan ÇELİK") == fold("erdogan celik")


# --- urlstate ----------------------------------------------------------------------------

def test_urlstate_round_trip_example() -> None:
    filters = Filters(entities=("ali khamenei", "hamas"), types=("PERSON",), date_from=datetime.date(2019, 7, 1),
                      date_to=datetime.date(2019, 7, 31), sources=("The Ledger",), documents=("abc123",))
    query = urlstate.to_query(filters)
    assert query == {"entity": ["ali khamenei", "hamas"], "type": ["PERSON"], "source": ["The Ledger"],
                     "doc": ["abc123"], "from": "2019-07-01", "to": "2019-07-31"}
    assert urlstate.from_query(query) == filters
    assert urlstate.to_query(Filters()) == {}


def test_urlstate_reads_forgivingly() -> None:
    filters = urlstate.from_query({"entity": ["a", " a ", "", "b"], "type": "person", "from": "2024-13-01",
                                   "to": ["junk", "2024-02-01"], "unknown": "x"})
    assert filters == Filters(entities=("a", "b"), types=("PERSON",), date_to=datetime.date(2024, 2, 1))
    swapped = urlstate.from_query({"from": "2024-05-01", "to": "2024-01-01"})
    assert (swapped.date_from, swapped.date_to) == (datetime.date(2024, 1, 1), datetime.date(2024, 5, 1))


_names = st.lists(st.text(min_size=1, max_size=12).map(str.strip).filter(bool), max_size=4, unique=True)


@given(_names, _names, st.one_of(st.none(), st.dates()), _names)
def test_urlstate_round_trips(entities: list[str], sources: list[str], day: datetime.date | None, types: list[str]) -> None:
    filters = Filters(entities=tuple(entities), sources=tuple(sources), date_from=day,
                      types=tuple(dict.fromkeys(t.upper() for t in types if t.upper().strip() == t.upper())))
    assert urlstate.from_query(urlstate.to_query(filters)) == filters
