"""Cross-document identity: stored entity keys that name the same person or group, linked.

Within a document `extract.entities.canonicalise` already joins "Khamenei" to "Ali Khamenei".
Across documents the key alone decided, so "Donald J. Trump", "Donald Trump" and "Trump" were
three entities. After each ingest batch `update_links` links, for the keys that batch touched:
- people of one surname whose given names agree ("Doug" / "Douglas", from the `nicknames`
  table) and whose middle names or initials do not contradict ("Donald J. Trump" and "Donald
  Trump"; not "George H. W. Bush" and "George W. Bush"); a generational suffix ("Jr.") and a
  different given name ("Melania", "Hillary") keep people apart;
- a bare surname ("Quill", in documents that never give the full name: within a document the
  extraction already joined it to the full one) to the person of that surname who holds at
  least `DOMINANT` of the surname's mentions in the documents related to those that write it
  alone (published within `RELATED_DAYS` of one of them; an undated one's related documents are
  its source's, and with no source either those sharing `RELATED_SHARED` entities), when at least `DOMINANT` of
  the documents that write it alone agree on that person. "Clinton" in 1998 and in 2016 coverage
  are two people, and a key is one entity everywhere, so such a surname stays unlinked;
- a group's singular, plural and adjective ("Republican", "Republicans"; "Democrat",
  "Democratic", "Democrats"), to the plural;
- an acronym and the name it was defined for in brackets, in any document of the workspace (the
  less written of the two joins the other);
- an organisation's name with and without its legal form ("USAir Group Inc", "USAir Group"; the
  forms are `extract/data/legal_forms.txt`), to the most written of them: within a document the
  extraction already joins them, but a document that writes only one of them keyed it alone.
  A key another rule links (an acronym's name) keeps that link, and the other forms follow it.

A link is a row of `entity_links` (`entity_key` -> `linked_to`, with its `reason`); the views
that apply the analyst's merges apply links the same way (`store.SCHEMA`), so anything keyed by
the stored `entity_key` still works, and a merge by the analyst wins over a link. `unlink`
undoes one for good (`entity_link_rejections`). The work is incremental: only the surnames,
groups and acronyms of the new batch are looked at again.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from analysis.extract.entities import country_aliases, entity_key, generic_name_words, legal_forms
from analysis.extract.given_names import same_given_name

from .store import Workspace, changing_links

if TYPE_CHECKING:  # not imported before an ingest forks its workers (see `duplicates`)
    import pandas as pd

# A bare surname joins a person who has at least this share of the surname's mentions
# (people of the surname with a given name), and at least `MIN_MENTIONS` of them, in the
# documents related to those that write it alone: published within `RELATED_DAYS`.
DOMINANT = 0.8
MIN_MENTIONS = 3
RELATED_DAYS = 30
# A document with no date and no source is related to those that share this many entities with it.
RELATED_SHARED = 2
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Documents per transaction when `relink` runs the rules again over a whole workspace.
RELINK_BATCH = 1000
# Groups of people ("Republicans"); an organisation's "Post" and "Posts" are not one.
_GROUP_LABELS = ("NORP",)
_ACRONYM_GAP = re.compile(r"^[ \t]*\([ \t]*$")


@dataclass(frozen=True)
class PersonName:
    """A person's key split into given name, middle names or initials, surname and suffix."""
    key: str
    given: str
    middle: tuple[str, ...]
    surname: str
    suffix: str

    @classmethod
    def parse(cls, key: str) -> PersonName | None:
        words = key.split()
        suffix = words.pop() if len(words) > 2 and words[-1] in _SUFFIXES else ""
        if len(words) < 2:
            return None
        return cls(key, words[0], tuple(words[1:-1]), words[-1], suffix)

    def compatible(self, other: PersonName) -> bool:
        """Whether the two can be one person: same surname and suffix, given names that agree,
        middles that agree where both have them (an initial agrees with a name it begins)."""
        if (self.surname, self.suffix) != (other.surname, other.suffix):
            return False
        if not same_given_name(self.given, other.given):
            return False
        if self.middle and other.middle:
            if len(self.middle) != len(other.middle):
                return False
            return all(a[0] == b[0] and (len(a) == 1 or len(b) == 1 or a == b)
                       for a, b in zip(self.middle, other.middle))
        return True


# Per surname, its PERSON keys grouped into people, each person's keys most mentioned first.
Clusters = dict[str, list[list[tuple[PersonName, int]]]]

def _person_clusters(names: list[tuple[PersonName, int]]) -> list[list[tuple[PersonName, int]]]:
    """Keys of one surname grouped into people, most mentioned first; a key joins a person only
    when it agrees with every key already in it and with no other person."""
    clusters: list[list[tuple[PersonName, int]]] = []
    for name, n in sorted(names, key=lambda t: (-t[1], t[0].key)):
        fits = [c for c in clusters if all(name.compatible(other) for other, _ in c)]
        if len(fits) == 1:
            fits[0].append((name, n))
        else:
            clusters.append([(name, n)])
    return clusters


def _keys_by_label(con: duckdb.DuckDBPyConnection, labels: tuple[str, ...], where: str, params: list) -> dict[str, int]:
    rows = con.execute(
        f"SELECT k.entity_key, sum(c.n) FROM entity_key_names k JOIN entity_name_counts c USING (entity_key) "
        f"WHERE k.label IN (SELECT unnest(?)) AND ({where}) GROUP BY 1", [list(labels), *params]).fetchall()
    return dict(rows)


def person_links(clusters: Clusters) -> dict[str, tuple[str, str]]:
    """Links among PERSON keys of the same surnames (`person_clusters`), by given and middle
    names: key -> (target, reason). Bare surnames are `surname_link`'s to decide."""
    links: dict[str, tuple[str, str]] = {}
    for found in clusters.values():
        for cluster in found:
            head = cluster[0][0]
            for name, _ in cluster[1:]:
                links[name.key] = (head.key, _person_reason(name, head))
    return links


def person_clusters(keys: dict[str, int]) -> Clusters:
    """The PERSON keys with a given name (key -> mentions) grouped into people, per surname."""
    by_surname: dict[str, list[tuple[PersonName, int]]] = defaultdict(list)
    for key, n in keys.items():
        name = PersonName.parse(key)
        if name is not None:
            by_surname[name.surname].append((name, n))
    return {surname: _person_clusters(names) for surname, names in by_surname.items()}


def dominant_person(mentions: dict[str, int]) -> str | None:
    """The person (key -> mentions of the surname's people) holding at least `DOMINANT` of the
    mentions and at least `MIN_MENTIONS`, if one does."""
    if not mentions:
        return None
    person, n = max(mentions.items(), key=lambda t: (t[1], t[0]))
    return person if n >= MIN_MENTIONS and n >= DOMINANT * sum(mentions.values()) else None


def surname_link(surname: str, groups: list[tuple[int, dict[str, int]]]) -> tuple[str, str] | None:
    """Where a bare surname goes, from `groups` of the documents that write it alone: (how many
    such documents, mentions per person of the surname in their related documents). The
    surname joins a person only when that person dominates the related documents of at least
    `DOMINANT` of them; documents whose related ones have no dominant person count against."""
    votes: dict[str, int] = defaultdict(int)
    for documents, mentions in groups:
        person = dominant_person(mentions)
        if person is not None:
            votes[person] += documents
    if not votes:
        return None
    everyone = sum(documents for documents, _ in groups)
    person, agree = max(votes.items(), key=lambda t: (t[1], t[0]))
    if agree < DOMINANT * everyone:
        return None
    return person, (f"surname: {surname} alone in {everyone} document{'s' if everyone > 1 else ''}; in the "
                    f"documents related to {agree} of them (within {RELATED_DAYS} days, the same source or "
                    f"{RELATED_SHARED} entities in common), "
                    f"the person named {surname} is this one")


def _person_reason(name: PersonName, head: PersonName) -> str:
    if name.given != head.given:
        return f"given name: {name.given} is a short form of {head.given}" if len(name.given) < len(head.given) \
            else f"given name: {head.given} is a short form of {name.given}"
    return "middle name or initial"


def group_links(keys: dict[str, int]) -> dict[str, tuple[str, str]]:
    """Singular, plural and adjective of a one-word group name, to the plural when it is used,
    else the most used form: "republican" -> "republicans", "democratic" -> "democrats"."""
    families: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        if " " not in key:
            families[_group_stem(key)].append(key)
    links: dict[str, tuple[str, str]] = {}
    for stem, members in families.items():
        if len(members) < 2:
            continue
        plural = stem + "s"
        target = plural if plural in members else max(members, key=lambda k: (keys[k], k))
        for key in members:
            if key != target:
                links[key] = (target, f"group: {key} is a form of {target}")
    return links


def legal_form_links(keys: dict[str, int], linked: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """ORG keys that are one name with and without legal forms (key -> mentions), to the most
    mentioned of them (on a tie, the shortest): "usair group inc" -> "usair group". A key another
    rule links (`linked`: key -> its target; an acronym's name) keeps its link, and the others of
    its name join its target. A generic name alone ("news" beside "news corp") joins none."""
    linked = linked or {}
    families: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        stem = legal_form_stem(key)
        if stem and not (key == stem and _generic(stem)):
            families[stem].append(key)
    links: dict[str, tuple[str, str]] = {}
    for stem, members in families.items():
        held = [k for k in members if k in linked]
        lead = max(held or members, key=lambda k: (keys[k], -len(k), k))
        target = linked.get(lead, lead)
        for key in members:
            if key != lead and key not in linked:
                links[key] = (target, f"legal form: {key} and {lead} are {stem} with or without its legal form")
    return links


def _generic(name: str) -> bool:
    """Whether a name alone names no particular company: one generic word ("news", "southern",
    `extract/data/generic_name_words.txt`) or a country ("canada")."""
    return name in generic_name_words() or name in country_aliases()


def legal_form_stem(key: str) -> str:
    """The key without the legal forms that end it ("usair group inc" -> "usair group"); "" when
    nothing else is left ("co", "ltd")."""
    words = key.split()
    while words and words[-1] in legal_forms():
        words.pop()
    return " ".join(words)


def _group_stem(key: str) -> str:
    """"republicans", "republican" -> "republican"; "democratic", "democrats" -> "democrat"."""
    if key.endswith("ic") and len(key) > 5:
        return key[:-2]
    if key.endswith("s") and not key.endswith("ss") and len(key) > 3:
        return key[:-1]
    return key


@dataclass(frozen=True)
class StoredMention:
    """A mention of the batch as `update_links` reads it back from the store, where local and
    Dask ingests alike have put it."""

    doc_id: str
    start: int
    end: int
    text: str
    entity_key: str
    entity_label: str


def _stored_mentions(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> list[StoredMention]:
    """The mentions of the documents `doc_ids`, in document order."""
    return [StoredMention(*row) for row in con.execute(
        'SELECT doc_id, start, "end", text, entity_key, entity_label FROM mentions '
        "WHERE doc_id IN (SELECT unnest(?)) ORDER BY doc_id, mention", [doc_ids]).fetchall()]


def acronym_definitions(con: duckdb.DuckDBPyConnection, mentions: list[StoredMention]) -> list[tuple[str, str, str]]:
    """(doc_id, acronym key, name key) for each "Name (ACRONYM)" the documents write; the text
    between the two is read back only for the few documents with such a pair of mentions. The
    acronym's key is its own spelling's: within the defining document the extraction already gave
    its mentions the name's key (`entities.canonicalise`), and other documents write it alone."""
    pairs = []
    for a, b in zip(mentions, mentions[1:]):
        acronym = entity_key(b.text)[0]
        if (a.doc_id == b.doc_id and b.text.isupper() and len(b.text) >= 2 and " " in a.entity_key
                and a.entity_key != acronym and set(acronym.replace(" ", "")) <= {w[0] for w in a.entity_key.split()}):
            pairs.append((a, b, acronym))
    if not pairs:
        return []
    texts = dict(con.execute("SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT unnest(?))",
                             [sorted({a.doc_id for a, _, _ in pairs})]).fetchall())
    return [(a.doc_id, acronym, a.entity_key) for a, b, acronym in pairs
            if _ACRONYM_GAP.match(texts[a.doc_id][a.end:b.start])]


def update_links(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> int:
    """Link the keys the batch of newly stored documents `doc_ids` touched (see the module's
    docstring); the number of links written. Runs in the connection the batch was stored with;
    the links and the network's counts kept by linked key (`store.changing_links`) change in one
    transaction."""
    if not doc_ids:
        return 0
    mentions = _stored_mentions(con, doc_ids)
    surnames, groups, organisations = set(), set(), set()
    for m in mentions:
        if m.entity_label == "ORG":
            organisations.add(legal_form_stem(m.entity_key))
        elif m.entity_label == "PERSON":
            words = [w for w in m.entity_key.split() if w not in _SUFFIXES]
            if words:
                surnames.add(words[-1])
        elif m.entity_label in _GROUP_LABELS and " " not in m.entity_key:
            groups.add(_group_stem(m.entity_key))
    definitions = acronym_definitions(con, mentions)
    if definitions:
        _insert(con, "INSERT OR IGNORE INTO acronym_definitions", sorted(set(definitions)))
    links: dict[str, tuple[str, str]] = {}
    examined: set[str] = set()
    if surnames:
        people = _keys_by_label(con, ("PERSON",), "regexp_extract(k.entity_key, '(\\S+)( (jr|sr|ii|iii|iv))?$', 1) "
                                "IN (SELECT unnest(?))", [sorted(surnames)])
        clusters = person_clusters(people)
        links |= person_links(clusters)
        links |= _surname_links(con, people, clusters)
        examined |= people.keys()
    if groups:
        found = _keys_by_label(con, _GROUP_LABELS, "k.entity_key NOT LIKE '% %' AND regexp_replace("
                               "regexp_replace(k.entity_key, '^(.{4,})ic$', '\\1'), '^(.{2,}[^s])s$', '\\1') "
                               "IN (SELECT unnest(?))", [sorted(groups)])
        links |= group_links(found)
        examined |= found.keys()
    organisations.discard("")
    if organisations:
        found, linked = _legal_form_family(con, sorted(organisations))
        links |= legal_form_links(found, linked)
        examined |= found.keys() - linked.keys()
    acronyms = sorted({a for _, a, _ in definitions} | _acronyms_in(mentions))
    if acronyms:
        found_links = _acronym_links(con, acronyms)
        links |= found_links
        examined |= set(acronyms) | found_links.keys()
    with changing_links(con):
        return _store(con, links, examined)


def relink(ws: Workspace, progress: Callable[[int, int], None] | None = None) -> int:
    """Run the rules again over every stored document, `RELINK_BATCH` at a time (each its own
    transaction; `progress(done, total)` after each): an ingest links only the keys its batch
    touches, so a workspace stored before a rule existed gets that rule's links this way. Links the
    analyst undid stay undone. The number of links the workspace then holds."""
    with ws.connect() as con:
        doc_ids = [row[0] for row in con.execute("SELECT doc_id FROM documents ORDER BY doc_id").fetchall()]
    for start in range(0, len(doc_ids), RELINK_BATCH):
        with ws.connect() as con:
            update_links(con, doc_ids[start:start + RELINK_BATCH])
        if progress is not None:
            progress(min(start + RELINK_BATCH, len(doc_ids)), len(doc_ids))
    with ws.connect() as con:
        return con.execute("SELECT count(*) FROM entity_links").fetchone()[0]


def _surname_links(con: duckdb.DuckDBPyConnection, people: dict[str, int],
                   clusters: Clusters) -> dict[str, tuple[str, str]]:
    """`surname_link` for each bare surname among the PERSON keys `people` (grouped into people as
    `clusters`, `person_clusters` of them), with the mentions of
    the surname's people (each person under its most mentioned key; no "Jr.") counted over the
    documents related to each group of the documents that write the surname alone: those of one
    date (related: within `RELATED_DAYS`), of one source when undated (related: that source's),
    and each document with neither on its own (related: those sharing `RELATED_SHARED` entities)."""
    bare = sorted(key for key in people if " " not in key and key in clusters)
    if not bare:
        return {}
    heads = [(name.key, surname, cluster[0][0].key) for surname, found in clusters.items() if surname in bare
             for cluster in found if not cluster[0][0].suffix for name, _ in cluster]
    rows = con.execute(f"""
        WITH people AS (SELECT unnest(?) AS entity_key, unnest(?) AS surname, unnest(?) AS person),
        alone AS (SELECT c.entity_key AS surname, d.date, d.source,
                         CASE WHEN d.date IS NULL AND d.source IS NULL THEN d.doc_id END AS doc_id, count(*) AS documents
                  FROM doc_entity_counts c JOIN doc_view d USING (doc_id)
                  WHERE c.entity_key IN (SELECT unnest(?)) GROUP BY ALL),
        named AS (SELECT p.surname, p.person, c.doc_id, d.date, d.source, c.n
                  FROM doc_entity_counts c JOIN people p USING (entity_key) JOIN doc_view d USING (doc_id)),
        shared AS (SELECT a.doc_id, b.doc_id AS other FROM doc_entity_counts a JOIN doc_entity_counts b USING (entity_key)
                   WHERE a.doc_id IN (SELECT doc_id FROM alone) AND b.doc_id IN (SELECT doc_id FROM named)
                     AND a.doc_id <> b.doc_id GROUP BY ALL HAVING count(*) >= {RELATED_SHARED})
        SELECT a.surname, a.date, a.source, a.doc_id, any_value(a.documents), n.person, sum(n.n)
        FROM alone a LEFT JOIN named n ON n.surname = a.surname AND CASE
            WHEN a.date IS NOT NULL THEN n.date BETWEEN a.date - {RELATED_DAYS} AND a.date + {RELATED_DAYS}
            WHEN a.source IS NOT NULL THEN n.source = a.source
            ELSE (a.doc_id, n.doc_id) IN (SELECT (doc_id, other) FROM shared) END
        GROUP BY a.surname, a.date, a.source, a.doc_id, n.person""",
        [[k for k, _, _ in heads], [s for _, s, _ in heads], [p for _, _, p in heads], bare]).fetchall()
    groups: dict[str, dict[tuple, tuple[int, dict[str, int]]]] = defaultdict(dict)
    for surname, date, source, doc_id, documents, person, n in rows:
        _, mentions = groups[surname].setdefault((date, source, doc_id), (documents, {}))
        if person is not None:
            mentions[person] = int(n)
    links = {}
    for surname, found in groups.items():
        link = surname_link(surname, list(found.values()))
        if link is not None:
            links[surname] = link
    return links


def _legal_form_family(con: duckdb.DuckDBPyConnection, stems: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """The ORG keys (-> mentions) that are one of `stems` followed by none or more legal forms,
    and those of them another rule links (-> target)."""
    forms = "|".join(sorted(legal_forms()))
    found = _keys_by_label(con, ("ORG",), f"regexp_replace(k.entity_key, '( ({forms}))+$', '') IN (SELECT unnest(?))",
                           [stems])
    linked = dict(con.execute("SELECT entity_key, linked_to FROM entity_links WHERE entity_key IN (SELECT unnest(?)) "
                              "AND reason NOT LIKE 'legal form:%'", [sorted(found)]).fetchall()) if found else {}
    return found, linked


def _acronyms_in(mentions: list[StoredMention]) -> set[str]:
    return {m.entity_key for m in mentions
            if m.text.isupper() and " " not in m.entity_key and 2 <= len(m.entity_key) <= 8}


def _acronym_links(con: duckdb.DuckDBPyConnection, acronyms: list[str]) -> dict[str, tuple[str, str]]:
    """An acronym and the name most documents define it as, when at least `DOMINANT` of them do:
    the less mentioned of the two joins the other, so the entity is shown as it is mostly written
    ("OPEC", not a once-written "Organisation of Petroleum Exporting Countries")."""
    rows = con.execute("""
        WITH defined AS (
            SELECT acronym, entity_key, count(*) AS n, sum(count(*)) OVER (PARTITION BY acronym) AS total
            FROM acronym_definitions WHERE acronym IN (SELECT unnest(?)) GROUP BY 1, 2
            QUALIFY row_number() OVER (PARTITION BY acronym ORDER BY n DESC, entity_key) = 1),
        used AS (SELECT entity_key, sum(n) AS n FROM entity_name_counts
                 WHERE entity_key IN (SELECT acronym FROM defined UNION SELECT entity_key FROM defined) GROUP BY 1)
        SELECT d.acronym, d.entity_key, d.n, d.total, coalesce(a.n, 0), coalesce(e.n, 0)
        FROM defined d LEFT JOIN used a ON a.entity_key = d.acronym LEFT JOIN used e ON e.entity_key = d.entity_key
        """, [acronyms]).fetchall()
    links: dict[str, tuple[str, str]] = {}
    for acronym, name, n, total, acronym_used, name_used in rows:
        if n < DOMINANT * total:
            continue
        reason = f"acronym: {acronym} defined as {name} in {n} of {total} documents that define it"
        if acronym_used > name_used:
            links[name] = (acronym, reason)
        else:
            links[acronym] = (name, reason)
    return links


def _store(con: duckdb.DuckDBPyConnection, links: dict[str, tuple[str, str]], examined: set[str]) -> int:
    """Make `links` the links of the `examined` keys, leaving out rejected ones and keeping
    links one level deep (a key that others join is never linked itself)."""
    if examined:
        con.execute("DELETE FROM entity_links WHERE entity_key IN (SELECT unnest(?))", [sorted(examined)])
    if not links:
        return 0
    rejected = set(con.execute("SELECT entity_key, linked_to FROM entity_link_rejections "
                               "WHERE entity_key IN (SELECT unnest(?))", [list(links)]).fetchall())
    wanted = {k: v for k, v in links.items() if (k, v[0]) not in rejected and k != v[0]}
    for key, (target, _) in list(wanted.items()):
        seen = {key}
        while target in wanted and target not in seen:  # a target linked on: to its own target
            seen.add(target)
            target = wanted[target][0]
        wanted[key] = (target, wanted[key][1])
    wanted = {k: v for k, v in wanted.items() if k != v[0]}
    _insert(con, "INSERT OR REPLACE INTO entity_links", [(k, t, reason) for k, (t, reason) in wanted.items()])
    if wanted:  # keys that now lead a person stop pointing elsewhere; links into a linked key move on
        con.execute("DELETE FROM entity_links WHERE entity_key IN (SELECT unnest(?))",
                    [sorted({t for t, _ in wanted.values()})])
        con.execute("UPDATE entity_links SET linked_to = l2.linked_to FROM entity_links l2 "
                    "WHERE entity_links.linked_to = l2.entity_key")
    return len(wanted)


def _insert(con: duckdb.DuckDBPyConnection, insert: str, rows: list[tuple[str, str, str]]) -> None:
    """`insert` (an "INSERT ... INTO table" of three columns) of `rows` as one statement: DuckDB's
    `executemany` runs one statement a row (~1 ms each)."""
    if rows:
        con.execute(f"{insert} SELECT unnest(?), unnest(?), unnest(?)", [list(column) for column in zip(*rows)])


def links_into(ws: Workspace, entity: str) -> pd.DataFrame:
    """The keys linked automatically into `entity`, with how they are written and why."""
    return ws.query("""
        SELECT l.entity_key, coalesce(k.name, l.entity_key) AS name, l.reason
        FROM entity_links l LEFT JOIN entity_key_names k USING (entity_key)
        WHERE l.linked_to = ? ORDER BY l.entity_key""", [entity])
