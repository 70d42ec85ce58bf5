"""HTML pages: the article text without the site's furniture, and the page's metadata."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.dammit import EncodingDetector

from analysis.loaders._common import Budget, Result, clean, document, iso_date
from analysis.loaders.text import decode_text

# Never article text. A <header> inside <article>/<main> is kept: it holds the headline.
_FURNITURE = {
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form",
    "button", "select", "textarea", "iframe", "svg", "canvas", "dialog",
}
_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog"}
# Elements that start a block of their own; text in any other tag flows into its block.
_BLOCKS = {
    "address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li",
    "main", "ol", "p", "pre", "section", "summary", "table", "tr", "ul",
}
_SPACED = {"br", "td", "th"}  # separate their neighbours with a space, not a new block
_SPACE = re.compile(r"\s+")
_DATE_KEYS = (
    "article:published_time", "og:published_time", "date", "pubdate", "datepublished",
)


@dataclass(frozen=True)
class Page:
    """What an HTML page yields; an email's HTML body uses only the text."""

    text: str
    title: str | None
    author: str | None
    date: str | None
    source: str | None
    url: str | None


def load_html(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    page = parse_html(decode_text(data, declared))
    yield document(
        page.text, file_name, "HTML page has no readable text",
        title=page.title, author=page.author, url=page.url, source=page.source,
        date=page.date, date_source="html-meta" if page.date else None,
    )


def html_to_text(markup: str) -> str:
    """The readable text of an HTML fragment or page (an email's HTML body, for instance)."""
    return parse_html(markup).text


def parse_html(markup: str) -> Page:
    soup = BeautifulSoup(markup, "lxml")
    # One walk collects the tags; bs4's find_all is slow enough to matter on big pages.
    tags = _tags(soup)
    ld_date = _json_ld_date(tags)  # before the scripts that hold it are removed
    tags = _remove_furniture(tags)
    root = _main_content(soup, tags)
    inside = tags if root is soup else _tags(root)
    meta = _meta_values(tags)
    time_tag = next((tag for tag in inside if tag.name == "time" and tag.get("datetime")), None)
    canonical = next((tag for tag in tags if _is_canonical_link(tag)), None)
    dates = [meta.get(key) for key in _DATE_KEYS]
    dates += [ld_date, _attr(time_tag, "datetime") if time_tag else None]
    return Page(
        text="\n\n".join(_blocks(root)),
        title=_first(
            meta.get("og:title"), _text(_named(tags, "title")),
            _text(_named(inside, "h1") or _named(tags, "h1")),
        ),
        author=_first(meta.get("author"), _not_url(meta.get("article:author"))),
        date=next(filter(None, map(iso_date, dates)), None),
        source=_first(meta.get("og:site_name"), meta.get("publisher")),
        url=_first(_attr(canonical, "href") if canonical else None, meta.get("og:url")),
    )


def _tags(root: Tag) -> list[Tag]:
    return [node for node in root.descendants if isinstance(node, Tag)]


def _named(tags: list[Tag], name: str) -> Tag | None:
    return next((tag for tag in tags if tag.name == name), None)


def _remove_furniture(tags: list[Tag]) -> list[Tag]:
    """Detach furniture from the tree; returns the tags that remain, still in document order.

    Membership is decided on the intact tree, by id, because bs4's `decomposed` check
    searches the subtree for a tag of that name: quadratic on deeply nested pages.
    """
    removed: set[int] = set()
    for tag in tags:  # document order: a parent is judged before its children
        if id(tag.parent) in removed or _is_furniture(tag):
            removed.add(id(tag))
    for tag in tags:
        if id(tag) in removed and id(tag.parent) not in removed:
            tag.extract()
    return [tag for tag in tags if id(tag) not in removed]


def _is_furniture(tag: Tag) -> bool:
    """Menus, scripts, forms, asides, hidden elements, and a <header> outside the article."""
    if tag.name in _FURNITURE:
        return True
    if tag.name == "header" and not tag.find_parent(["article", "main"]):
        return True
    if not tag.attrs:  # most tags: skip the attribute checks
        return False
    if _attr(tag, "role").lower() in _FURNITURE_ROLES:
        return True
    style = _attr(tag, "style").replace(" ", "").lower()
    return tag.has_attr("hidden") or _attr(tag, "aria-hidden") == "true" or "display:none" in style


def _main_content(soup: BeautifulSoup, tags: list[Tag]) -> Tag:
    """The longest <article>, else <main>, else <body>: where the story is, not the page."""
    articles = [tag for tag in tags if tag.name == "article"]
    if articles:
        return max(articles, key=lambda tag: len(tag.get_text()))
    main = next((tag for tag in tags if tag.name == "main" or _attr(tag, "role") == "main"), None)
    return main or _named(tags, "body") or soup


def _is_canonical_link(tag: Tag) -> bool:
    return tag.name == "link" and "canonical" in _attr(tag, "rel").lower().split() and bool(
        tag.get("href")
    )


def _blocks(root: Tag) -> list[str]:
    """Text of each block, whitespace collapsed; one pass, no recursion (pages nest deeply)."""
    block_of: dict[int, Tag] = {id(root): root}
    blocks: list[str] = []
    parts: list[str] = []
    current: Tag = root

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(parts)).strip()
        if text:
            blocks.append(text)
        parts.clear()

    for node in root.descendants:
        if isinstance(node, Tag):
            block_of[id(node)] = node if node.name in _BLOCKS else block_of[id(node.parent)]
            if node.name in _SPACED:
                parts.append(" ")
        elif type(node) is NavigableString:  # not a doctype, CDATA or processing instruction
            block = block_of[id(node.parent)]
            if block is not current:
                flush()
                current = block
            parts.append(str(node))
    flush()
    return blocks


def _meta_values(tags: list[Tag]) -> dict[str, str]:
    """<meta> contents by lower-cased name, property or itemprop; the first of each wins."""
    values: dict[str, str] = {}
    for tag in tags:
        content = clean(tag.get("content")) if tag.name == "meta" else None
        for attr in ("property", "name", "itemprop") if content else ():
            key = _attr(tag, attr).lower()
            if key:
                values.setdefault(key, content)
    return values


def _json_ld_date(tags: list[Tag]) -> str | None:
    """datePublished from schema.org JSON-LD, where most news sites put it."""
    for tag in tags:
        if tag.name != "script" or _attr(tag, "type").lower() != "application/ld+json":
            continue
        try:
            pending = [json.loads(tag.string or "")]
        except (ValueError, RecursionError):
            continue
        while pending:  # depth-first, in document order
            item = pending.pop()
            if isinstance(item, dict):
                if isinstance(item.get("datePublished"), str):
                    return item["datePublished"]
                item = list(item.values())
            if isinstance(item, list):
                pending.extend(reversed(item))
    return None


def _attr(tag: Tag, name: str) -> str:
    """An attribute as one string (bs4 gives lists for multi-valued ones such as rel)."""
    value = tag.get(name)
    return " ".join(value) if isinstance(value, list) else (value or "")


def _text(tag: Tag | None) -> str | None:
    return clean(tag.get_text(" ")) if tag else None


def _not_url(value: str | None) -> str | None:
    """article:author is often a profile URL, which is no author name."""
    return None if value and value.startswith(("http://", "https://", "/")) else value


def _first(*values: str | None) -> str | None:
    return next(filter(None, map(clean, values)), None)
