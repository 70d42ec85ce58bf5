"""Quote extraction quality on PolNeAR, for the product and for textacy's quote finder.

    python benchmarks/quote_quality.py [--split dev|train] [--limit N] [--cache DIR]

A gold attribution is matched by the prediction that covers the largest share of its
content (overlapping characters / gold content characters; the content may be
discontinuous), one prediction to one gold at most, counted when the share exceeds 0.3
(the statement was found) and 0.8 (its extent too). Speaker accuracy is over matched
gold attributions that name a speaker: the predicted speaker span must overlap it.
Figures are given for all attributions and for direct ones (quote marks) apart.
The gold is news under copyright kept outside the repo; without it the script says so
and exits 0.
"""
from __future__ import annotations

import argparse
import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO.parent / "shared" / "gold"
THRESHOLDS = (0.3, 0.8)
TEXTACY_REFUSED: list = []  # documents textacy bailed out on (they score as no predictions)

Span = tuple[int, int]


@dataclass(frozen=True)
class Item:
    """One attribution, gold or predicted, reduced to what is scored."""

    content: tuple[Span, ...]
    speaker: tuple[Span, ...]  # empty when there is no speaker
    direct: bool


@dataclass
class Score:
    n_gold: int = 0
    n_pred: int = 0
    matched: int = 0
    speaker_known: int = 0  # matched gold items that name a speaker
    speaker_right: int = 0

    def add(self, other: "Score") -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float:
        return self.matched / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.speaker_known if self.speaker_known else 0.0


def overlap(a: tuple[Span, ...], b: tuple[Span, ...]) -> int:
    """Characters shared by two sets of spans (each set non-overlapping)."""
    return sum(max(0, min(x[1], y[1]) - max(x[0], y[0])) for x in a for y in b)


def share(gold: Item, pred: Item) -> float:
    """Part of the gold content that the prediction covers."""
    size = sum(e - s for s, e in gold.content)
    return overlap(gold.content, pred.content) / size if size else 0.0


def match(gold: list[Item], pred: list[Item], threshold: float) -> list[tuple[int, int]]:
    """One-to-one (gold, prediction) index pairs, the largest shares first, above threshold."""
    pairs = sorted(
        ((share(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    found = []
    for value, gi, pi in pairs:
        if value <= threshold:
            break
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        found.append((gi, pi))
    return found


def score(gold: list[Item], pred: list[Item], threshold: float) -> Score:
    pairs = match(gold, pred, threshold)
    result = Score(n_gold=len(gold), n_pred=len(pred), matched=len(pairs))
    for gi, pi in pairs:
        if gold[gi].speaker:
            result.speaker_known += 1
            result.speaker_right += overlap(gold[gi].speaker, pred[pi].speaker) > 0
    return result


def gold_items(record: dict) -> list[Item]:
    return [
        Item(
            content=tuple(tuple(s) for s in q["quote_spans"]),
            speaker=tuple(tuple(s) for s in q.get("speaker_spans") or []),
            direct=bool(q["has_quote_marks"]),
        )
        for q in record["quotes"]
    ]


def by_cue(parts: list[tuple[Span, tuple[Span, ...], Span, bool]]) -> list[Item]:
    """One item per attribution: quote parts that share a cue are one statement.

    `"A," she said. "B."` gives two quotes with one cue; the gold annotates such a
    statement once, with discontinuous content, and so is it scored.
    """
    grouped: dict[Span, list] = {}
    for content, speaker, cue, direct in parts:
        grouped.setdefault(cue, []).append((content, speaker, direct))
    return [
        Item(tuple(sorted(c for c, _, _ in group)), group[0][1], any(d for _, _, d in group))
        for group in grouped.values()
    ]


def product_items(doc) -> list[Item]:
    from analysis.extract.quotes import find_quotes

    parts = []
    for q in find_quotes(doc):
        speaker = ((q.speaker_start, q.speaker_end),) if q.speaker_start is not None else ()
        parts.append(((q.start, q.end), speaker, (q.cue_start, q.cue_end), q.kind in ("direct", "partial")))
    return by_cue(parts)


def _token_range(tokens) -> Span:
    return min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)


@functools.lru_cache(maxsize=1)
def _lemmatizer():
    """The stock pipeline's lemmatizer. textacy finds reporting verbs by their lemma, and the
    product's pipeline leaves the lemmatizer out (it matches verb forms): without lemmas textacy
    finds nothing at all. Its documents get lemmas here, on the very parse the product reads."""
    import spacy

    from analysis.settings import DEFAULT_MODEL

    return spacy.load(DEFAULT_MODEL).get_pipe("lemmatizer")


def textacy_items(doc) -> list[Item]:
    """textacy's direct quotations: content span, speaker and cue tokens (direct ones only)."""
    from textacy.extract.triples import direct_quotations

    doc = _lemmatizer()(doc.copy())
    try:
        triples = list(direct_quotations(doc))
    except ValueError:  # textacy refuses documents with an odd number of quote marks
        TEXTACY_REFUSED.append(doc)
        return []
    parts = []
    for triple in triples:
        speaker = (_token_range(triple.speaker),) if triple.speaker else ()
        cue = _token_range(triple.cue) if triple.cue else (triple.content.start_char, triple.content.start_char)
        parts.append(((triple.content.start_char, triple.content.end_char), speaker, cue, True))
    return by_cue(parts)


def load_records(split: str, limit: int | None) -> list[dict] | None:
    path = GOLD_DIR / f"polnear_{split}.jsonl"
    if not path.exists():
        return None
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            records.append(json.loads(line))
            if limit is not None and len(records) >= limit:
                break
    return records


def parse(records: list[dict], cache: Path | None, name: str) -> list:
    """Parse the texts with the product's model, reusing a DocBin cache when asked."""
    from spacy.tokens import DocBin

    from analysis.extract.nlp import load_pipeline
    from analysis.settings import DEFAULT_MODEL

    nlp = load_pipeline(DEFAULT_MODEL)  # the product's own loader, components as in production
    cached = cache / f"{name}_{DEFAULT_MODEL}.spacy" if cache else None
    if cached is not None and cached.exists():
        docs = list(DocBin().from_disk(cached).get_docs(nlp.vocab))
        if [d.text for d in docs] == [r["text"] for r in records]:
            return docs
    docs = list(nlp.pipe((r["text"] for r in records), batch_size=32))
    if cached is not None:
        cache.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs, store_user_data=False).to_disk(cached)
    return docs


def evaluate(records: list[dict], docs: list, systems: dict) -> dict:
    """Scores by (system, subset, threshold), summed over documents."""
    totals: dict = {}
    for record, doc in zip(records, docs):
        gold = gold_items(record)
        for system, extract in systems.items():
            pred = extract(doc)
            for subset in ("all", "direct"):
                g = gold if subset == "all" else [x for x in gold if x.direct]
                p = pred if subset == "all" else [x for x in pred if x.direct]
                for threshold in THRESHOLDS:
                    totals.setdefault((system, subset, threshold), Score()).add(score(g, p, threshold))
    return totals


def report(totals: dict) -> str:
    head = f"{'system':<9} {'subset':<7} {'gold':>5} {'pred':>5} " + " ".join(
        f"{'P@' + str(t):>7} {'R@' + str(t):>7} {'F1@' + str(t):>7}" for t in THRESHOLDS
    ) + "".join(f" {'spk@' + str(t):>8}" for t in THRESHOLDS)
    lines = [head, "-" * len(head)]
    for system, subset in sorted({(s, sub) for s, sub, _ in totals}, key=lambda k: (k[0] != "product", k)):
        by_t = [totals[(system, subset, t)] for t in THRESHOLDS]
        cells = " ".join(f"{100 * s.precision:7.1f} {100 * s.recall:7.1f} {100 * s.f1:7.1f}" for s in by_t)
        speakers = "".join(f" {100 * s.speaker_accuracy:8.1f}" for s in by_t)
        lines.append(f"{system:<9} {subset:<7} {by_t[0].n_gold:5d} {by_t[0].n_pred:5d} {cells}{speakers}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    parser.add_argument("--cache", type=Path, default=None, help="folder for parsed-document caches")
    args = parser.parse_args(argv)
    records = load_records(args.split, args.limit)
    if records is None:
        print(f"PolNeAR {args.split} gold not found in {GOLD_DIR}: nothing to measure.")
        return 0
    sys.path.insert(0, str(REPO))
    docs = parse(records, args.cache, f"polnear_{args.split}_{len(records)}")
    totals = evaluate(records, docs, {"product": product_items, "textacy": textacy_items})
    print(f"PolNeAR {args.split}: {len(records)} documents")
    print(report(totals))
    print(f"textacy refused {len(TEXTACY_REFUSED)} documents (odd number of quote marks); they count as empty.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
