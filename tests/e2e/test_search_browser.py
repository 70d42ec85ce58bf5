"""Search and triage in a real browser: a search narrows every page and survives a reload; a tag filters.

Uses the harness of test_browser.py (its own server, with a fresh workspace holding the samples).
"""
from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.test_browser import SLOW, browser, download_csv, go, page, server, settle, shoot  # noqa: F401

QUERY = '"judicial review" OR protest*'
MATCHING = {"Conservation group takes Carrow tidal array to court",
            "Hundreds march through Port Carrow as tidal array row deepens"}
NOTE = 'matching "judicial review" OR protest*'


def count(page: Page, pattern: str) -> int:
    """The number in the first text on the page matching `pattern` (a regex with one group of digits)."""
    text = page.get_by_text(re.compile(pattern)).first.inner_text()
    return int(re.search(pattern, text).group(1).replace(",", ""))


def count_below(page: Page, pattern: str, limit: int) -> int:
    """`count`, once the page's rerun has brought it under `limit` (the rerun draws the page in pieces)."""
    for _ in range(120):
        value = count(page, pattern)
        if value < limit:
            return value
        page.wait_for_timeout(500)
    raise AssertionError(f"{pattern} stayed at {value}, not below {limit}")


def overview_documents(page: Page) -> Locator:
    """Go to the Overview (its heading is the app's name) and give its documents count."""
    page.locator("[data-testid=stSidebarNavLink]", has_text="Overview").click()
    expect(page.get_by_role("heading", name="Newsroom Lens")).to_be_visible()
    settle(page)
    return page.get_by_test_id("stMetricValue").first


def search_for(page: Page, query: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Search")
    box.fill(query)
    box.press("Enter")
    settle(page)


def test_search_narrows_every_page_survives_a_reload_and_a_tag_filters(page: Page) -> None:
    page.get_by_role("button", name="Load sample articles").click()
    expect(page.get_by_text("Last upload:")).to_be_visible(timeout=SLOW)
    settle(page)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("4")
    go(page, "Entities")
    all_entities = count(page, r"^(\d[\d,]*) entit")
    go(page, "Relationships")
    all_links = count(page, r"strongest of ([\d,]+) links")

    search_for(page, QUERY)
    page.wait_for_url(re.compile(r"[?&]q=%22judicial"))
    expect(page.get_by_text(NOTE)).to_be_visible()
    count_below(page, r"strongest of ([\d,]+) links", all_links)
    shoot(page, "search-1-relationships")

    expect(overview_documents(page)).to_have_text("2")
    go(page, "Entities")
    expect(page.get_by_text(NOTE)).to_be_visible()
    count_below(page, r"^(\d[\d,]*) entit", all_entities)
    go(page, "Quotes")
    quotes = download_csv(page, "Download quotes CSV")
    assert quotes and {q["document"] for q in quotes} <= MATCHING
    go(page, "Timeline")
    expect(page.get_by_text(NOTE)).to_be_visible()
    go(page, "Documents")
    expect(page.get_by_text("2 documents")).to_be_visible()
    expect(page.locator("mark", has_text=re.compile("^judicial$", re.I)).first).to_be_visible()
    shoot(page, "search-2-documents")

    page.goto(page.url)  # a reload, or the link sent to a colleague: a new session, the same view
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()
    settle(page)
    expect(page.get_by_test_id("stSidebar").get_by_role("textbox", name="Search")).to_have_value(QUERY)
    expect(page.get_by_text("2 documents")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_be_visible()

    # tag the court story, then filter every page by the tag
    picker = page.get_by_role("combobox", name="Open a document")
    picker.click()
    page.get_by_role("option", name="Conservation group takes Carrow tidal array to court").click()
    settle(page)
    tags = page.get_by_test_id("stMain").get_by_role("combobox", name="Tags")
    tags.click()
    tags.fill("follow-up")
    tags.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stMain").get_by_test_id("stMultiSelect").get_by_text("follow-up")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Save tags and note").click()
    expect(page.get_by_text("Tags and note saved")).to_be_visible()
    settle(page)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Clear filters").click()
    settle(page)
    expect(page.get_by_text("4 documents")).to_be_visible()
    picker.click()
    page.get_by_role("option", name="Hundreds march through Port Carrow as tidal array row deepens").click()
    settle(page)
    sidebar_tags = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Tags")
    sidebar_tags.click()
    page.get_by_role("option", name="follow-up").click()
    page.keyboard.press("Escape")
    settle(page)
    page.wait_for_url(re.compile(r"[?&]tag=follow-up"))
    expect(page.get_by_text("1 document", exact=True)).to_be_visible()
    # the story open before is filtered out: the box names the one the page now shows, not the old one
    expect(picker).to_have_value("Conservation group takes Carrow tidal array to court")
    expect(overview_documents(page)).to_have_text("1")
    shoot(page, "search-3-tagged")
