"""Named-entity quality on CoNLL-2003 dev and people on GGT dev: bare spaCy against the product.

    python benchmarks/ner_quality.py               # all 216 CoNLL and 40 GGT dev documents
    python benchmarks/ner_quality.py --limit 50    # the first 50 of each
    python benchmarks/ner_quality.py --errors 15   # also print sample misses / false alarms

Both systems use the same pipeline (`analysis.extract.nlp.load_pipeline`, same components) in the
same run: (a) bare spaCy is `doc.ents`; (b) the product is the mentions of
`analysis.extract.pipeline.Extractor`, i.e. NER plus the document-level fixes and canonicalisation.
Scoring is exact span + type. spaCy labels are mapped as the gold README says (PERSON->PER,
ORG->ORG, GPE/LOC/FAC->LOC, NORP/EVENT/WORK_OF_ART/LAW/LANGUAGE/PRODUCT->MISC, the rest
dropped). PER/ORG/LOC are micro-averaged together; MISC is reported apart because the
OntoNotes and CoNLL notions of it differ. The gold text is read from ../shared at run time
and never stored in the repository. Skips (exit 0) when the gold file is absent.

People on GGT dev (`ggt_dev.jsonl`, 40 Canadian articles whose annotators listed the people
each mentions, bylines and photo credits left out): per article, the distinct PERSON entities
(the product's entity keys; bare spaCy's distinct folded names) are matched to the listed
people by surname, one entity per listed person; precision is matched entities over entities,
recall matched people over people. A second entity with a matched person's surname counts as a
false alarm: it is a split the analyst would see.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, without installing

from analysis.model import RawDocument  # noqa: E402

GOLD = Path(__file__).resolve().parents[2] / "shared" / "gold" / "conll2003_dev.jsonl"
PEOPLE_GOLD = GOLD.with_name("ggt_dev.jsonl")
# Generational suffixes are not surnames: "Martin Luther King Jr." is matched on "king".
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
LABEL_MAP = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    **dict.fromkeys(("NORP", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"), "MISC"),
}
MAIN_CLASSES = ("PER", "ORG", "LOC")
BATCH_SIZE = 32

Span = tuple[int, int, str]  # start, end, CoNLL class


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Score:
    by_class: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in (*MAIN_CLASSES, "MISC")})
    errors: list[tuple[str, str, Span]] = field(default_factory=list)  # (kind, doc id, span)

    def micro(self) -> Counts:
        total = Counts()
        for c in MAIN_CLASSES:
            total.add(self.by_class[c])
        return total


def read_gold(path: Path, limit: int | None) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return records[:limit] if limit is not None else records


def mapped(spans: Iterable[tuple[int, int, str]]) -> set[Span]:
    """spaCy-labelled spans as CoNLL-labelled ones; labels with no CoNLL class are dropped."""
    return {(s, e, LABEL_MAP[label]) for s, e, label in spans if label in LABEL_MAP}


def score(records: list[dict], predictions: list[set[Span]]) -> Score:
    result = Score()
    for record, predicted in zip(records, predictions):
        gold = {(g["start"], g["end"], g["label"]) for g in record["entities"]}
        for span in predicted | gold:
            counts = result.by_class[span[2]]
            if span in predicted and span in gold:
                counts.tp += 1
            else:
                kind = "fp" if span in predicted else "fn"
                setattr(counts, kind, getattr(counts, kind) + 1)
                result.errors.append((kind, record["id"], span))
    return result


def bare_spacy(nlp: Language, texts: list[str]) -> tuple[list[Doc], float]:
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=BATCH_SIZE))
    return docs, time.perf_counter() - started


def fixes_cost(nlp: Language, docs: list[Doc]) -> tuple[float, float, int]:
    """Seconds `fix_mentions` takes over the bare NER output of `docs`, the part of it spent
    re-reading ALL-CAPS lines with the recogniser, and the number of those lines."""
    from analysis.extract.mention_fixes import (
        caps_line_entities,
        fix_mentions,
        ner_pass,
    )

    run = ner_pass(nlp)
    assert run is not None
    caps = {"seconds": 0.0, "lines": 0}

    def timed_ner(lines: list[str]) -> list[list[tuple[int, int, str]]]:
        started = time.perf_counter()
        found = run(lines)
        caps["seconds"] += time.perf_counter() - started
        caps["lines"] += len(lines)
        return found

    started = time.perf_counter()
    texts = [doc.text for doc in docs]
    reread = [entities for i in range(0, len(texts), BATCH_SIZE)
              for entities in caps_line_entities(texts[i : i + BATCH_SIZE], timed_ner)]
    for doc, text, caps_entities in zip(docs, texts, reread):
        fix_mentions(text, [(e.start_char, e.end_char, e.label_) for e in doc.ents], caps_entities)
    return time.perf_counter() - started, caps["seconds"], caps["lines"]


def product(texts: list[str]) -> tuple[list[set[Span]], float]:
    from analysis.extract.pipeline import Extractor
    from analysis.model import Extraction

    extractor = Extractor(batch_size=BATCH_SIZE)
    started = time.perf_counter()
    results = list(extractor.extract(RawDocument(text, "x.txt") for text in texts))
    seconds = time.perf_counter() - started
    failed = [r for r in results if not isinstance(r, Extraction)]
    if failed:
        raise SystemExit(f"the product failed on {len(failed)} documents, e.g. {failed[0]}")
    return [mapped((m.start, m.end, m.label) for m in r.mentions) for r in results], seconds


@dataclass
class PeopleScore:
    matched: int = 0
    entities: int = 0
    people: int = 0
    false_alarms: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)

    def pr(self) -> tuple[float, float]:
        return (self.matched / self.entities if self.entities else 0.0,
                self.matched / self.people if self.people else 0.0)


def surname(name: str) -> str:
    from analysis.extract.entities import fold

    words = [w for w in fold(name).split() if w not in _SUFFIXES]
    return words[-1] if words else ""


def score_people(records: list[dict], predicted: list[list[str]]) -> PeopleScore:
    """Person-level precision/recall: each article's distinct PERSON entities (`predicted`,
    one name per entity) against its `people`, matched by surname, one entity per person."""
    result = PeopleScore()
    for record, names in zip(records, predicted):
        waiting = Counter(surname(p) for p in record["people"])
        result.people += len(record["people"])
        result.entities += len(names)
        for name in names:
            if waiting[surname(name)] > 0:
                waiting[surname(name)] -= 1
                result.matched += 1
            else:
                result.false_alarms[name] += 1
        for person in record["people"]:
            if waiting[surname(person)] > 0:
                waiting[surname(person)] -= 1
                result.missed[person] += 1
    return result


def people_of_product(texts: list[str]) -> list[list[str]]:
    """Each text's PERSON entities (one display name per entity key) as the product stores them."""
    from analysis.extract.pipeline import Extractor
    from analysis.model import Extraction

    extractor = Extractor(batch_size=BATCH_SIZE)
    out = []
    for result in extractor.extract(RawDocument(text, "x.txt") for text in texts):
        assert isinstance(result, Extraction), result
        names = {m.entity_key: m.entity_name for m in result.mentions if m.entity_label == "PERSON"}
        out.append(list(names.values()))
    return out


def people_of_spacy(nlp: Language, texts: list[str]) -> list[list[str]]:
    """Each text's distinct PERSON names as bare spaCy finds them (folded text decides)."""
    from analysis.extract.entities import fold

    out = []
    for doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
        names = {fold(e.text): e.text for e in doc.ents if e.label_ == "PERSON" and fold(e.text)}
        out.append(list(names.values()))
    return out


def report_people(nlp: Language, limit: int | None, errors: int) -> None:
    records = read_gold(PEOPLE_GOLD, limit)
    texts = [r["text"] for r in records]
    scores = {"bare spaCy": score_people(records, people_of_spacy(nlp, texts)),
              "product": score_people(records, people_of_product(texts))}
    n_people = sum(len(r["people"]) for r in records)
    print(f"\nGGT dev people: {len(records)} articles, {n_people} listed people (match by surname)\n")
    print(f"{'':<16}{'entities':>10}{'matched':>9}{'P':>8}{'R':>8}")
    for name, result in scores.items():
        p, r = result.pr()
        print(f"{name:<16}{result.entities:>10}{result.matched:>9}{100 * p:>8.1f}{100 * r:>8.1f}")
    if errors:
        product_score = scores["product"]
        print("\nPERSON false alarms:", ", ".join(f"{n!r}x{c}" for n, c in product_score.false_alarms.most_common(errors)))
        print("PERSON missed:", ", ".join(f"{n!r}x{c}" for n, c in product_score.missed.most_common(errors)))


def print_table(scores: dict[str, Score]) -> None:
    names = list(scores)
    print(f"{'class':<16}" + "".join(f"{n:>26}" for n in names))
    print(f"{'':<16}" + "".join(f"{'P':>8}{'R':>9}{'F1':>9}" for _ in names))
    rows = [("micro PER/ORG/LOC", lambda s: s.micro())]
    rows += [(c, lambda s, c=c: s.by_class[c]) for c in (*MAIN_CLASSES, "MISC")]
    for title, pick in rows:
        cells = "".join("".join(f"{100 * v:>8.1f} " for v in pick(scores[n]).prf()) for n in names)
        print(f"{title:<16}{cells}")
    if len(names) == 2:
        (a, b) = (scores[n] for n in names)
        deltas = "  ".join(
            f"{title} {100 * (pick(b).prf()[2] - pick(a).prf()[2]):+.1f}" for title, pick in rows
        )
        print(f"\nF1 delta ({names[1]} - {names[0]}), points: {deltas}")


def print_errors(records: list[dict], result: Score, per_kind: int) -> None:
    """Most frequent missed and spurious surfaces per class (to the terminal only)."""
    texts = {r["id"]: r["text"] for r in records}
    for cls in (*MAIN_CLASSES, "MISC"):
        for kind in ("fn", "fp"):
            surfaces = Counter(texts[d][s:e] for k, d, (s, e, c) in result.errors if k == kind and c == cls)
            common = ", ".join(f"{t!r}x{n}" for t, n in surfaces.most_common(per_kind))
            print(f"{cls:<4} {kind}: {common}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="score the first N documents only")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="print the N most frequent misses and false alarms per class (product)")
    args = parser.parse_args()
    if not GOLD.exists():
        print(f"skip: gold file {GOLD} not found, nothing measured")
        return 0

    from analysis.extract.nlp import load_pipeline
    from analysis.settings import DEFAULT_MODEL

    records = read_gold(GOLD, args.limit)
    texts = [r["text"] for r in records]
    nlp = load_pipeline(DEFAULT_MODEL)
    list(nlp.pipe(texts[:2]))  # warm up, so neither timing pays for first-call setup
    docs, bare_seconds = bare_spacy(nlp, texts)
    bare_predictions = [mapped((e.start_char, e.end_char, e.label_) for e in doc.ents) for doc in docs]
    product_predictions, product_seconds = product(texts)
    fix_seconds, caps_seconds, caps_lines = fixes_cost(nlp, docs)
    scores = {"bare spaCy": score(records, bare_predictions), "product": score(records, product_predictions)}

    n_gold = sum(len(r["entities"]) for r in records)
    print(f"CoNLL-2003 dev: {len(records)} documents, {n_gold} gold entities, model {DEFAULT_MODEL}\n")
    print_table(scores)
    print(f"\ntime: bare spaCy {bare_seconds:.2f} s; product {product_seconds:.2f} s "
          f"({100 * (product_seconds / bare_seconds - 1):+.0f}%, every extractor: entities, quotes, dates)")
    print(f"      of which the mention fixes {fix_seconds:.2f} s ({100 * fix_seconds / bare_seconds:.1f}% of spaCy), "
          f"including the NER re-read of {caps_lines} ALL-CAPS lines {caps_seconds:.2f} s "
          f"({100 * caps_seconds / bare_seconds:.1f}%)")
    if args.errors:
        print()
        print_errors(records, scores["product"], args.errors)
    if PEOPLE_GOLD.exists():
        report_people(nlp, args.limit, args.errors)
    else:
        print(f"\nskip: people gold {PEOPLE_GOLD} not found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
