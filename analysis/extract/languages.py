"""Which language a document is written in, and which spaCy pipeline (if any) reads it.

py3langid (BSD, its model inside the wheel) names the language; only a confident answer
counts, because tables of figures and one-line notices look like nothing in particular
("Shr 45 cts vs 58 cts" scores as Nigerian Pidgin). An undetermined document is read by the
English pipeline, as every document was before languages were told apart.
"""
from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

from analysis import settings

from . import cache
from .entities import _data_words, country_aliases, fold

MIN_CONFIDENCE = 0.9
SAMPLE_CHARS = 3000  # the start of a text says its language; the whole costs time for nothing
# A sample of at least ENGLISH_MIN_WORDS words, at least ENGLISH_SHARE of them English function
# words (data/english_function_words.txt), is English without asking the detector: ~0.02 ms
# against py3langid's ~0.6 ms, for ~90 % of English news (Reuters-21578), where py3langid says
# "en" for every one that it is confident about.
ENGLISH_MIN_WORDS = 20
ENGLISH_SHARE = 0.2
# The PyPI package of Explosion's small pipeline per language, named in the ingest summary for a
# language read without one.
PIPELINE_PACKAGES = {
    "ca": "ca-core-news-sm", "da": "da-core-news-sm", "de": "de-core-news-sm", "el": "el-core-news-sm",
    "es": "es-core-news-sm", "fi": "fi-core-news-sm", "fr": "fr-core-news-sm", "hr": "hr-core-news-sm",
    "it": "it-core-news-sm", "ja": "ja-core-news-sm", "ko": "ko-core-news-sm", "lt": "lt-core-news-sm",
    "mk": "mk-core-news-sm", "nb": "nb-core-news-sm", "nl": "nl-core-news-sm", "pl": "pl-core-news-sm",
    "pt": "pt-core-news-sm", "ro": "ro-core-news-sm", "ru": "ru-core-news-sm", "sl": "sl-core-news-sm",
    "sv": "sv-core-news-sm", "uk": "uk-core-news-sm", "zh": "zh-core-web-sm",
}


# py3langid's model arrays, as `np.save` files in the cache (`extract.cache`)
_MODEL_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


@functools.lru_cache(maxsize=1)
def _identifier():
    """py3langid's identifier, its model unpacked once into the cache and mapped from there.

    py3langid's own loader unpacks the 68 MB model into a temporary file, so a full /tmp or a
    file-size limit stopped every ingest at its first document, reported as if the output had
    failed; without a writable cache the model is unpacked in memory instead. The arrays are the
    same either way, so are the answers. The automaton's tables go in as memoryviews, which
    index to Python ints as fast as py3langid's own `array` copies, without copying 40 MB.
    """
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    folder = cache.cached("py3langid", [MODEL_DIR / MODEL_FILE], _unpack_model)
    if folder is None:
        model = _unpacked_model()
    else:  # mapped: pages are read as the detector touches them, and shared between processes
        model = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _MODEL_ARRAYS}
    return LanguageIdentifier(model["ptc"], model["pc"], model["classes"].tolist(), memoryview(model["nextmove"]),
                              model["out_feat"].tolist(), tk_row=memoryview(model["nextmove_row"]), norm_probs=True)


def _unpacked_model() -> dict:
    """py3langid's model arrays, read from its xz archive (~0.9 CPU s)."""
    import lzma

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    with lzma.open(MODEL_DIR / MODEL_FILE) as packed, np.load(io.BytesIO(packed.read()), allow_pickle=False) as model:
        return {name: model[name] for name in _MODEL_ARRAYS}


def _unpack_model(folder: Path) -> None:
    import numpy as np

    for name, array in _unpacked_model().items():
        np.save(folder / f"{name}.npy", array, allow_pickle=False)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when the detector is not confident."""
    sample = text[:SAMPLE_CHARS]
    if _plainly_english(sample):
        return "en"
    language, confidence = _identifier().classify(sample)
    return language if confidence >= MIN_CONFIDENCE else None


def load_detector() -> None:
    """Load py3langid's model now (English text never needs it, see `_plainly_english`)."""
    _identifier()


def _plainly_english(sample: str) -> bool:
    """Whether enough of the sample's words are English function words to call it English."""
    words, known = sample.lower().split(), _english_words()
    return len(words) >= ENGLISH_MIN_WORDS and sum(w in known for w in words) >= ENGLISH_SHARE * len(words)


@functools.lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    return _data_words("english_function_words.txt")


def pipeline_for(language: str | None, models: dict[str, str] | None = None) -> str | None:
    """The spaCy pipeline that reads `language` (English's for an undetermined one), or None."""
    models = models if models is not None else settings.language_models()
    return models.get(language or "en")


def package_hint(language: str) -> str:
    """What the ingest summary says of a language read without a pipeline."""
    package = PIPELINE_PACKAGES.get(language)
    if package is None:
        return f"no spaCy pipeline reads '{language}': stored and searchable, no entities extracted"
    return (f"no pipeline installed for '{language}': stored and searchable, no entities extracted;"
            f" pip install {package} and set NEWSROOM_LENS_MODELS={language}={package.replace('-', '_')}")


@functools.lru_cache(maxsize=1)
def _label_table() -> dict[tuple[str, str], str]:
    with open(Path(__file__).parent / "data" / "entity_labels.tsv", encoding="utf-8") as lines:
        rows = csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t")
        return {(row["language"], row["label"]): row["type"] for row in rows}


@functools.lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """Folded names and alternate names of countries (their canonical names are keys too)."""
    return frozenset(key for key, alias in country_aliases().items() if alias.label == "GPE")


def product_label(language: str, label: str, name: str) -> str:
    """The product's type for an entity a `language` pipeline labelled `label` ("PER" -> "PERSON")."""
    kind = _label_table().get((language, label), label)
    return "GPE" if kind == "LOC" and fold(name) in _countries() else kind
