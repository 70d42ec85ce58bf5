"""Cross-document identity (links at ingest), their undoing, and merge suggestions, on fictional text."""
from __future__ import annotations

import pytest

from analysis.cli import main
from analysis.model import RawDocument
from analysis.workspace import curation, identity, queries, suggestions
from analysis.workspace.identity import PersonName, group_links, legal_form_links, person_clusters, person_links
from analysis.workspace.ingest import ingest
from analysis.workspace.store import Workspace


def links(keys: dict[str, int]) -> dict[str, str]:
    return {key: target for key, (target, _) in person_links(person_clusters(keys)).items()}


def test_middle_initials_and_names_join_the_person() -> None:
    assert links({"darius m quill": 9, "darius quill": 20}) == {"darius m quill": "darius quill"}
    assert links({"marta oyelaran quill": 2, "marta quill": 5}) == {"marta oyelaran quill": "marta quill"}
    assert links({"darius marcus quill": 2, "darius m quill": 5}) == {"darius marcus quill": "darius m quill"}


def test_short_forms_of_given_names_join_from_the_data_table() -> None:
    assert links({"doug ferrand": 3, "douglas ferrand": 8}) == {"doug ferrand": "douglas ferrand"}
    assert links({"tim ostrowe": 1, "timothy ostrowe": 4}) == {"tim ostrowe": "timothy ostrowe"}
    # "Sam" is short for both: Samuel and Samantha stay two people, and the short form joins neither
    assert links({"samuel ostrowe": 3, "samantha ostrowe": 4, "sam ostrowe": 1}) == {}


@pytest.mark.parametrize("keys", [
    {"hilda quill": 10, "bram quill": 10},                        # another given name
    {"darius quill": 10, "darius quill jr": 4},                     # a generational suffix
    {"darius quill": 10, "melisande quill": 4, "darius quill jr": 3},
    {"barnaby oduya": 6, "mireille oduya": 6},
])
def test_different_people_of_one_surname_stay_apart(keys: dict[str, int]) -> None:
    assert all(not k.startswith(("darius quill j", "melisande", "hilda", "bram", "mireille", "barnaby"))
               for k in links(keys))


def test_contradicting_middle_initials_stay_apart() -> None:
    found = links({"grover bexley": 30, "grover h w bexley": 10, "grover w bexley": 12})
    assert found.get("grover w bexley") == "grover bexley"
    assert "grover h w bexley" not in found  # "H. W." contradicts "W."


def test_a_bare_surname_joins_the_dominant_person_only() -> None:
    def target(*groups: tuple[int, dict[str, int]]) -> str | None:
        link = identity.surname_link("quill", list(groups))
        return link and link[0]

    assert target((3, {"darius quill": 40, "hilda quill": 2})) == "darius quill"
    assert target((3, {"darius quill": 10, "hilda quill": 9})) is None  # no dominant one
    assert target((3, {"darius quill": 2})) is None  # too few mentions to tell
    # documents of two periods, each with its own Quill: the key cannot be both
    assert target((3, {"darius quill": 40}), (3, {"hilda quill": 12})) is None
    # one stray document whose related ones name nobody does not stop nine that agree
    assert target((9, {"darius quill": 40}), (1, {})) == "darius quill"
    assert target((2, {"darius quill": 40}), (1, {})) is None


def test_a_bare_surname_is_judged_by_related_documents(tmp_path, nlp) -> None:
    """"Quill" alone in 2016 coverage is the 2016 Quill, though the workspace's most written
    Quill is another one, years earlier; once "Quill" alone appears in both periods it stays
    unlinked, since a key is one entity everywhere."""
    workspace = Workspace(tmp_path / "ws")
    story = "{0} said the plan for pier {1} was sound. {0} told reporters it would pass, and {0} said so again."
    alone = "Mr. Quill said the vote on pier {0} was close. Quill left early, and Quill said so."
    batches = [[RawDocument(story.format("Bram Quill", i), f"old{i}.txt", date=f"1998-03-0{i + 1}") for i in range(4)],
               [RawDocument(story.format("Darius Quill", 9), "new.txt", date="2016-05-02")],
               [RawDocument(alone.format(9), "alone2016.txt", date="2016-05-20")]]
    for batch in batches:
        ingest(workspace, batch)
    assert entity_of(workspace, "quill") == entity_of(workspace, "darius quill")
    ingest(workspace, [RawDocument(alone.format(2), "alone1998.txt", date="1998-03-10")])
    assert entity_of(workspace, "quill") == "quill"


def test_an_undated_document_is_related_by_the_entities_it_shares(tmp_path, nlp) -> None:
    """With no date and no source, only documents sharing two entities with it say who a bare
    surname is: one shared place is not enough (two stories of one city, two Ostrowes)."""
    workspace = Workspace(tmp_path / "ws")
    ingest(workspace, [RawDocument("Tamsin Ostrowe of the Lakeshore Heart Fund said in Port Carrow that the walk "
                                   "raised money. Tamsin Ostrowe said more walks would follow. Tamsin Ostrowe "
                                   "thanked the Lakeshore Heart Fund.", "fund.txt")])
    ingest(workspace, [RawDocument("Mr. Ostrowe said in Port Carrow that the adoption was stalled. Ostrowe said "
                                   "the Borland Ferry Board had not replied.", "adoption.txt")])
    assert entity_of(workspace, "ostrowe") == "ostrowe"
    ingest(workspace, [RawDocument("Mr. Ostrowe said in Port Carrow that the walk for the Lakeshore Heart Fund "
                                   "would return. Ostrowe said so twice.", "walk.txt")])
    assert entity_of(workspace, "ostrowe") == "ostrowe"  # the adoption story's Ostrowe still dissents


def test_group_forms_join_the_plural() -> None:
    found = {k: t for k, (t, _) in group_links({"republican": 3, "republicans": 5, "democrat": 1, "democratic": 4,
                                                "democrats": 2, "moss": 2}).items()}
    assert found == {"republican": "republicans", "democrat": "democrats", "democratic": "democrats"}


def test_names_with_and_without_a_legal_form_join_the_most_written() -> None:
    found = {k: t for k, (t, _) in legal_form_links({"usair group inc": 30, "usair group": 25, "usair": 3,
                                                     "usair inc": 5, "corvane co ltd": 2, "corvane": 2}).items()}
    # "USAir Group" (the holding) and "USAir" (the airline) stay two; on a tie the shorter name leads
    assert found == {"usair group": "usair group inc", "usair": "usair inc", "corvane co ltd": "corvane"}
    assert legal_form_links({"harbourline group": 4, "harbourline holdings": 2}) == {}
    # a generic word or a country alone names no particular company: only the forms with the legal form join
    found = legal_form_links({"news corp": 3, "news": 10, "news corp ltd": 1, "canada": 40, "canada ltd": 2})
    assert {k: t for k, (t, _) in found.items()} == {"news corp ltd": "news corp"}
    # a name another rule links (to its acronym) keeps that link, and its other forms follow it
    found = legal_form_links({"harbour workers federation": 2, "harbour workers federation ltd": 5},
                             {"harbour workers federation": "hwf"})
    assert {k: t for k, (t, _) in found.items()} == {"harbour workers federation ltd": "hwf"}


def test_person_name_parts() -> None:
    name = PersonName.parse("darius m quill jr")
    assert (name.given, name.middle, name.surname, name.suffix) == ("darius", ("m",), "quill", "jr")
    assert PersonName.parse("quill") is None


DOCUMENTS = {
    "a.txt": "Senator Darius M. Quill spoke in Port Carrow on Monday. Quill said the harbour plan was sound.",
    "b.txt": ("Darius Quill met Hilda Quill and Darius Quill Jr. at the harbour in Port Carrow. Darius Quill said the dredging "
              "would start in May. The Harbour Workers Federation (HWF) backed him."),
    "c.txt": ("Mr. Quill said he had not been at the vote in Port Carrow. Quill said he was ill. Quill told aides to wait, and Quill "
              "said so again on Monday. Quill said no more. Quill left. The HWF said on Tuesday that talks had failed; "
              "the HWF will meet again, and the HWF expects a vote. "
              "Republicans cheered."),
    "d.txt": ("Douglas Ferrand, a ferry captain, said the storm was the worst in years. Doug Ferrand later declined "
              "to comment. A Republican councillor disagreed with him."),
    "e.txt": ("Darius Quill said the harbour of Port Carrow would reopen. Darius Quill told reporters the plan was on "
              "schedule. Darius Quill thanked the HWF."),
}


@pytest.fixture
def ws(tmp_path, nlp) -> Workspace:
    workspace = Workspace(tmp_path / "ws")
    for name, text in DOCUMENTS.items():  # one batch each: linking is incremental, document after document
        report = ingest(workspace, [RawDocument(text, name)])
        assert len(report.added) == 1, report.results
    return workspace


def entity_of(ws: Workspace, key: str) -> str:
    rows = ws.query("SELECT DISTINCT entity FROM mention_view WHERE entity_key = ?", [key])
    return rows["entity"].item()


def test_documents_join_across_the_workspace(ws) -> None:
    ingest(ws, [RawDocument("Harbour Workers Federation Ltd said it had hired ten organisers in Port Carrow.", "g.txt")])
    assert entity_of(ws, "darius m quill") == entity_of(ws, "darius quill") == entity_of(ws, "quill")
    assert entity_of(ws, "doug ferrand") == entity_of(ws, "douglas ferrand")
    # the acronym, written more often than the name it stands for, is the entity the name joins
    assert entity_of(ws, "harbour workers federation") == entity_of(ws, "hwf") == "hwf"
    assert entity_of(ws, "harbour workers federation ltd") == "hwf"  # its legal form follows the name's link
    assert entity_of(ws, "republican") == entity_of(ws, "republicans")
    people = {entity_of(ws, k) for k in ("darius quill", "hilda quill", "darius quill jr")}
    assert len(people) == 3  # the family stays three people
    reasons = ws.query("SELECT reason FROM entity_links")["reason"].tolist()
    assert all(reason for reason in reasons)
    table = queries.entity_table(ws, None)
    darius = table[table["entity"] == entity_of(ws, "darius quill")]
    assert len(darius) == 1 and darius["documents"].item() == 4
    assert darius["name"].item() != "Quill"  # a link keeps the name of the entity it joins


def test_a_company_written_with_its_legal_form_in_one_document_and_without_in_another_is_one(tmp_path, nlp) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [RawDocument("Harbourline Group Inc said on Monday it would buy two ferries from a yard in Port Carrow. "
                            "Shares of Harbourline Group Inc rose 3 percent.", "a.txt")])
    ingest(ws, [RawDocument("Harbourline Group said its ferries ran late in March. Harbourline Group expects a busy "
                            "summer, and Harbourline Group thanked the crews.", "b.txt")])
    assert entity_of(ws, "harbourline group inc") == entity_of(ws, "harbourline group") == "harbourline group"
    reason = ws.query("SELECT reason FROM entity_links WHERE entity_key = 'harbourline group inc'")["reason"].item()
    assert reason.startswith("legal form:")


def test_the_analyst_undoes_a_link_for_good(ws, tmp_path) -> None:
    target = entity_of(ws, "quill")
    assert dict(zip(identity.links_into(ws, target)["entity_key"], identity.links_into(ws, target)["reason"]))
    curation.unlink(ws, "quill")
    assert entity_of(ws, "quill") == "quill"
    ingest(ws, [RawDocument("Quill said on Friday that Darius Quill would not run again. Quill left.", "f.txt")])
    assert entity_of(ws, "quill") == "quill"  # a later ingest does not link it back
    assert "unlink" in curation.history(ws)["action"].tolist()


def test_relink_gives_a_workspace_stored_before_the_rules_their_links(ws, capsys) -> None:
    curation.unlink(ws, "quill")
    links = "SELECT entity_key, linked_to FROM entity_links ORDER BY ALL"
    before = ws.query(links).values.tolist()
    assert len(before) >= 4
    with ws.connect() as con:  # as stored by a version without these rules
        con.execute("DELETE FROM entity_links")
    assert entity_of(ws, "doug ferrand") != entity_of(ws, "douglas ferrand")
    assert main(["relink", "--workspace", str(ws.path)]) == 0
    assert ws.query(links).values.tolist() == before
    assert entity_of(ws, "doug ferrand") == entity_of(ws, "douglas ferrand")
    assert entity_of(ws, "quill") == "quill"  # the link the analyst undid stays undone
    assert f"{len(before)} links" in capsys.readouterr().err


def test_a_merge_by_the_analyst_wins_over_a_link(ws) -> None:
    curation.merge(ws, ["quill"], "hilda quill")
    assert entity_of(ws, "quill") == "hilda quill"


def test_merge_suggestions_merge_and_dismiss(tmp_path, nlp) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [RawDocument("Economist Jan Hatzius said rates would fall. Hatzius expects two cuts.", "a.txt"),
                RawDocument("Jan Hatzuis, the bank's economist, said inflation was slowing.", "b.txt"),
                RawDocument("Grover Bexley said the port would grow. Grover W. Bexley and Grover H. W. Bexley "
                            "were both at the dinner.", "c.txt")])
    found = suggestions.suggestions(ws)
    assert list(found.columns) == ["entity", "name", "candidate", "candidate_name", "reason", "score"]
    pairs = {frozenset((e, c)) for e, c in zip(found["entity"], found["candidate"])}
    assert frozenset(("jan hatzius", "jan hatzuis")) in pairs
    row = found[found["candidate"].isin(["jan hatzius", "jan hatzuis"])].iloc[0]
    assert any("Hatz" in passage for passage in suggestions.evidence(ws, row["candidate"]))
    curation.dismiss_suggestion(ws, row["entity"], row["candidate"])
    assert frozenset((row["entity"], row["candidate"])) not in {
        frozenset((e, c)) for e, c in zip(*suggestions.suggestions(ws)[["entity", "candidate"]].T.values)}


def test_export_suggestions_writes_the_columns(tmp_path, nlp, capsysbinary) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [RawDocument("Jan Hatzius said rates would fall.", "a.txt"),
                RawDocument("Jan Hatzuis said inflation was slowing.", "b.txt")])
    assert main(["export", "suggestions", "--workspace", str(ws.path), "-o", "-"]) == 0
    header = capsysbinary.readouterr().out.decode().splitlines()[0]
    assert header.lstrip("\ufeff") == "entity,name,candidate,candidate_name,reason,score"


def test_an_entity_seen_with_no_other_has_an_empty_company_table(tmp_path, nlp) -> None:
    """The profile's "Seen with" table of an entity named alone: no rows, the page's columns (it raised)."""
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [RawDocument("Petra Vandermolen said rates would fall.", "a.txt")])
    company = queries.cooccurring(ws, "petra vandermolen")
    assert company.empty and list(company.columns) == ["name", "type", "count", "pmi", "entity"]


COMPANY = "Mayor Margaret Holloway and Peter Brandt of Norland Bank met in Toronto on Monday. "
STRANGERS = "Susan Okafor and Robert Lindqvist of the Calder Institute met in Chicago on Monday. "


def suggestion_for(ws: Workspace, a: str, b: str) -> dict:
    found = suggestions.suggestions(ws)
    rows = [row for row in found.to_dict("records") if {row["entity"], row["candidate"]} == {a, b}]
    return rows[0] if rows else {}


def company_workspace(path, second_company: str) -> Workspace:
    ws = Workspace(path)
    ingest(ws, [RawDocument(COMPANY + "Jan Hatzius said rates would fall.", "a.txt"),
                RawDocument(second_company + "Jan Hatzuis, the bank's economist, said inflation was slowing.",
                            "b.txt")])
    return ws


def test_shared_company_raises_a_suggestion_and_is_named(tmp_path, nlp) -> None:
    together = suggestion_for(company_workspace(tmp_path / "with", COMPANY), "jan hatzius", "jan hatzuis")
    apart = suggestion_for(company_workspace(tmp_path / "without", STRANGERS), "jan hatzius", "jan hatzuis")
    assert together and apart
    assert together["score"] > apart["score"]
    assert "co-mentioned entities in common:" in together["reason"] and "Margaret Holloway" in together["reason"]
    assert "in common" not in apart["reason"]


def test_given_names_sharing_an_initial_are_proposed_only_in_shared_company(tmp_path, nlp) -> None:
    def workspace(path, second_company: str) -> Workspace:
        ws = Workspace(path)
        ingest(ws, [RawDocument(COMPANY + "Andrew Valcourt said the harbour would reopen.", "a.txt"),
                    RawDocument(second_company + "Alan Valcourt said the harbour would stay shut.", "b.txt")])
        return ws
    together = workspace(tmp_path / "with", COMPANY)
    assert {"andrew valcourt", "alan valcourt"} <= set(together.query("SELECT entity FROM entities")["entity"])
    found = suggestion_for(together, "andrew valcourt", "alan valcourt")
    assert found and "share an initial" in found["reason"] and "Norland Bank" in found["reason"]
    assert not suggestion_for(workspace(tmp_path / "without", STRANGERS), "andrew valcourt", "alan valcourt")
    curation.dismiss_suggestion(together, found["entity"], found["candidate"])
    assert not suggestion_for(together, "andrew valcourt", "alan valcourt")  # dismissed for good


def _links(ws: Workspace) -> dict[str, str]:
    return dict(ws.query("SELECT entity_key, linked_to FROM entity_links").itertuples(index=False, name=None))


def _assert_network_right(ws: Workspace) -> None:
    """The stored network counts (kept by linked key) equal a count from the mentions, and the
    network read from them equals the one counted from the mentions of every document."""
    from tests.test_aggregates import assert_aggregates_match_mentions, assert_network_matches_mentions

    assert_aggregates_match_mentions(ws)
    every_document = queries.Filters(documents=tuple(ws.query("SELECT doc_id FROM documents")["doc_id"]))
    assert_network_matches_mentions(ws, every_document, every_third=False)


def test_the_network_counts_follow_links_made_later_undone_and_merged_over(tmp_path, nlp) -> None:
    """A later batch links (or relinks) keys stored by earlier ones, whose documents are then
    counted again under the new link; the analyst's unlink does the same; merges and hiding on
    top of links are applied at query time. After each step the network is the one counted from
    the mentions."""
    ws = Workspace(tmp_path / "ws")
    relinked = set()  # keys stored by an earlier batch whose link a later one changed
    for name, text in DOCUMENTS.items():
        stored, before = set(ws.query("SELECT entity_key FROM mentions")["entity_key"]), _links(ws)
        ingest(ws, [RawDocument(text, name)])
        after = _links(ws)
        relinked |= {key for key in stored if before.get(key) != after.get(key)}
        _assert_network_right(ws)
    assert {"darius m quill", "quill"} <= relinked
    assert _links(ws)["quill"] == entity_of(ws, "darius quill")
    steps = {
        "unlink": lambda: curation.unlink(ws, "quill"),
        "merge a linked key elsewhere": lambda: curation.merge(ws, ["darius m quill"], "hilda quill"),
        "merge a link's target": lambda: curation.merge(ws, [entity_of(ws, "doug ferrand")], "darius quill jr"),
        "hide a link's target": lambda: curation.hide(ws, entity_of(ws, "harbour workers federation")),
        "a batch after curation": lambda: ingest(ws, [RawDocument(
            "Doug Ferrand and Darius M. Quill met the HWF on Friday. Quill said little. Republicans left.", "g.txt")]),
    }
    for step, act in steps.items():
        act()
        try:
            _assert_network_right(ws)
        except AssertionError as err:
            raise AssertionError(f"after {step}: {err}") from err
    assert "quill" not in _links(ws)  # the analyst's unlink holds: the batch after it did not link it back
