"""The ``minutebook`` command line: the group, ingest, search, show, stats, export, index.

The other commands live in ``search/cli_*.py``, one module per subject, and are
registered here. Only the CLI modules print or exit; see ``search.cli_common``
for the output conventions and exit statuses.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from index.store import RecordStore
from ingest.errors import PipelineError
from ingest.records import KIND_BY_NAME
from ingest.vocab import DOC_TYPES
from search.cli_common import (
    CONTEXT,
    EXIT_SKIPPED,
    Home,
    echo_err,
    emit_rows,
    output_options,
)
from search.cli_eval import debug, eval_cmd
from search.cli_people import entity, people_group, person
from search.cli_records import actions_cmd, items_cmd, resolutions_cmd
from search.cli_tables import figures_cmd, table_cmd, tables_cmd
from search.cli_trace import threads, trace_cmd
from search.query import DEFAULT_PER_DOC, SORTS, Filters, parse_years, search

__all__ = ["EXIT_SKIPPED", "Home", "main", "run"]

if TYPE_CHECKING:  # the parsers (and spaCy) load only for commands that parse
    from index.update import Summary
    from ingest.pipeline import Outcome

# The heap is frozen when the process exits, so the interpreter's teardown makes no full
# collections over the objects of spaCy's model and the index: after an ingest, which loads
# the model, exiting took 0.24-0.30 s and takes 0.04 s so (adding one paper to a store of
# 1,000 papers went from 1.99 to 1.55 s, medians of 8 alternating pairs).
atexit.register(gc.freeze)


@click.group(context_settings=CONTEXT)
@click.option(
    "--db",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MINUTEBOOK_HOME",
    default=Path(".minutebook"),
    show_default=True,
    help="Folder holding the record store and index (or set MINUTEBOOK_HOME).",
)
@click.version_option(package_name="minutebook")
@click.pass_context
def main(ctx: click.Context, db: Path) -> None:
    """minutebook: a searchable memory of a partnership's meeting papers.

    \b
    Example:
      minutebook ingest corpus/pdf
      minutebook search reoffending --year 2011..2014
    """
    ctx.obj = Home(db)


# -- ingest -----------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", "-w", type=click.IntRange(1, 64), default=None,
              help="Parallel processes for parsing and for writing the index "
                   "[default: all cores].")
@click.option("--prune", is_flag=True, help="Drop records of stored files that no longer exist.")
@click.option("--force", is_flag=True, help="Parse every file again, even when unchanged.")
@click.option("--silent", "-s", is_flag=True, help="No progress bar.")
@click.pass_obj
def ingest(home: Home, paths: tuple[Path, ...], workers: int | None, prune: bool, force: bool,
           silent: bool) -> None:
    """Ingest papers (PDF, text, markdown, HTML) from files or folders.

    Unchanged files (same content hash) are not parsed again. A file that
    cannot be read is reported with its reason and skipped; the rest is
    ingested. Exit status 3 means the run finished but skipped some files.

    \b
    Example:
      minutebook ingest corpus/pdf ../papers/2024
    """
    with home.store(must_exist=False) as store:
        summary = _run_update(store, home, paths, workers, prune, force, silent)
    for source, reason in summary.skipped:
        echo_err(f"skipped {source}: {reason}")
    for source, warning in summary.warnings:
        echo_err(f"warning {source}: {warning}")
    if summary.statuses["ingested"] == 0 and summary.statuses["unchanged"] and not force:
        echo_err("nothing changed: every file is already in the store (no parsing done)")
    echo_err(summary.line())
    if summary.problems:
        sys.exit(EXIT_SKIPPED)


def _run_update(store: RecordStore, home: Home, paths: tuple[Path, ...], workers: int | None,
                prune: bool, force: bool, silent: bool) -> Summary:
    from index.update import discover, update

    files = discover(paths)  # folders searched once; update() takes the files as they are
    with click.progressbar(length=len(files), label="ingesting", file=sys.stderr,
                           hidden=silent or len(files) < 2) as bar:
        def step(outcome: Outcome) -> None:
            bar.update(1)

        summary = update(store, files, workers=workers, prune=prune, force=force, progress=step,
                         index=home.index)
    if summary.writes or summary.pruned:
        from search.followup import refresh_follow_ups

        refresh_follow_ups(store)  # only pairs touching a changed paper; reads stay instant
    return summary


# -- search -----------------------------------------------------------------


def _show_hits(hits: list[dict[str, Any]]) -> None:
    """Hits grouped by paper (papers in the order of their best hit), one line per page."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for hit in hits:
        by_doc.setdefault(hit["document_id"], []).append(hit)
    for group in by_doc.values():
        first = group[0]
        click.echo(click.style(first["title"] or first["source"], bold=True))
        click.echo(f"  {first['date'] or first['year'] or 'undated'} · {first['doc_type']} · "
                   f"{first['source']}")
        for hit in group:
            click.echo(f"  p.{hit['page']} {hit['kind']}: {hit['snippet']}")
        click.echo("")


@main.command("search", context_settings=CONTEXT)
@click.argument("query", nargs=-1, required=True)
@click.option("--year", help="A year or range: 2013, 2011..2014, 2013.., ..2014.")
@click.option("--type", "doc_type", type=click.Choice(DOC_TYPES), help="Only this doc type.")
@click.option("--body", help="Only papers of this body (e.g. 'Community Safety Partnership').")
@click.option("--kind", type=click.Choice(["passage", "resolution", "action", "item", "table",
                                            "figure"]), help="Only this kind of record.")
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="Order by relevance (newer first on ties) or by date, newest first.")
@click.option("--per-doc", type=click.IntRange(0, 1000), default=DEFAULT_PER_DOC,
              show_default=True,
              help="At most this many hits from one paper (0: no limit).")
@click.option("--facets", is_flag=True, help="Also print counts by year, doc type and kind.")
@output_options
@click.pass_obj
def search_cmd(home: Home, query: tuple[str, ...], year: str | None, doc_type: str | None,
               body: str | None, kind: str | None, limit: int, sort: str, per_doc: int,
               facets: bool, as_json: bool, as_csv: bool) -> None:
    """Full-text search: words, "phrases", AND/OR/NOT, field:value, fuzzy~.

    Each hit shows title, date, doc type, page and a snippet with matched
    terms in [brackets]. Exit status 1 when nothing matches.

    \b
    Example:
      minutebook search reoffending --year 2011..2014
      minutebook search '"integrated offender management"' --type minutes --json
    """
    try:
        years = parse_years(year) if year else (None, None)
        filters = Filters(years[0], years[1], doc_type, body, kind)
        result = search(home.index, " ".join(query), filters, limit, sort, facets,
                        per_doc=per_doc)
    except PipelineError as exc:
        raise click.UsageError(str(exc)) from exc
    hits = result.hits
    if result.corrected:
        echo_err(f"no matches for {' '.join(query)!r}; showing results for "
                 f"{result.suggestion!r}")
    elif result.suggestion:
        echo_err(f"did you mean: {result.suggestion}")
    rows = [h.to_dict() for h in hits]
    if as_json or as_csv:
        emit_rows(rows, as_json, as_csv, str)
    else:
        _show_hits(rows)
    if facets:
        _show_facets(result.facets, result.total)
    if not hits:
        echo_err("no matches")
        sys.exit(1)


def _show_facets(facets: dict[str, dict[str, int]], total: int) -> None:
    """Facet counts go to stderr so that --json/--csv output stays one document."""
    echo_err(f"{total} matches")
    for name, counts in facets.items():
        echo_err(f"  by {name}: " + ", ".join(f"{k} {n}" for k, n in counts.items()))


# -- show, stats, export, index ------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("record_id")
@click.pass_obj
def show(home: Home, record_id: str) -> None:
    """Print one document (by id or source path) with its records, or one record, as JSON.

    \b
    Example:
      minutebook show corpus/pdf/2023-10_csp_minutes.pdf
    """
    with home.store() as store:
        data = _lookup(store, record_id)
    if data is None:
        raise click.ClickException(f"no document or record with id or source {record_id!r}")
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _lookup(store: RecordStore, key: str) -> dict[str, Any] | None:
    docs = list(store.iter_records("documents", "id=? OR source=? OR id LIKE ?",
                                   (key, key, key + "%")))
    if len(docs) == 1:
        doc = docs[0]
        out: dict[str, Any] = {"document": doc.to_dict()}
        for name in ("meetings", "attendees", "items", "resolutions", "actions", "figures",
                     "tables"):
            out[name] = [r.to_dict() for r in store.iter_records(name, "document_id=?",
                                                                  (doc.to_dict()["id"],))]
        return out
    for name, kind in KIND_BY_NAME.items():
        if "id" not in kind.field_names():
            continue
        for record in store.iter_records(name, "id=?", (key,)):
            return {"kind": name, **record.to_dict()}
    return None


@main.command(context_settings=CONTEXT)
@output_options
@click.pass_obj
def stats(home: Home, as_json: bool, as_csv: bool) -> None:
    """Counts of documents and records, and documents by year and type."""
    with home.store() as store:
        counts = {name: store.count(name) for name in KIND_BY_NAME}
        by_year = {str(r[0]): r[1] for r in store.iter_rows(
            "SELECT year, COUNT(*) FROM documents GROUP BY year ORDER BY year")}
        by_type = {r[0]: r[1] for r in store.iter_rows(
            "SELECT doc_type, COUNT(*) FROM documents GROUP BY doc_type ORDER BY doc_type")}
        skipped = {r[0]: r[1] for r in store.iter_rows(
            "SELECT source, error FROM files WHERE status != 'ingested' ORDER BY source")}
    data = {"records": counts, "documents_by_year": by_year, "documents_by_type": by_type,
            "skipped": skipped}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if as_csv:
        emit_rows([{"section": section, "key": key, "value": value}
                   for section, values in data.items() for key, value in values.items()],
                  False, True, str)
        return
    for section, values in data.items():
        click.echo(f"{section}:")
        for key, value in values.items():
            click.echo(f"  {key:<40} {value}")


@main.command(context_settings=CONTEXT)
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write into (created if missing).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), default=None,
              help="Only this format (xlsx: DIR/minutebook.xlsx) [default: the CSV+JSONL "
                   "contract].")
@click.pass_obj
def export(home: Home, out: Path, fmt: str | None) -> None:
    """Export every record kind as JSONL and CSV, and every table as its own CSV.

    Writes DIR/<kind>.jsonl and DIR/<kind>.csv for documents, meetings,
    attendees, items, resolutions, actions, figures, tables and people, and
    DIR/tables/<paper>-p<page>-t<n>.csv per table. --format xlsx writes one
    workbook: a sheet per record kind and per table, with provenance columns.

    \b
    Example:
      minutebook export --out exported/
      minutebook export --format xlsx --out exported/
    """
    from search.xlsx import export_format

    with home.store() as store:
        counts = export_format(store, out, fmt)
    echo_err("exported " + ", ".join(f"{n} {k}" for k, n in counts.items()) + f" to {out}")


@main.group("index", context_settings=CONTEXT)
def index_group() -> None:
    """Manage the full-text index (derived from the record store)."""


@index_group.command("rebuild", context_settings=CONTEXT)
@click.pass_obj
def index_rebuild(home: Home) -> None:
    """Rebuild the full-text index from the record store."""
    from search.trace import compute_threads

    with home.store() as store:
        added, _ = home.index.sync(store, rebuild=True)
        count = compute_threads(store, home.index)
    echo_err(f"index rebuilt: {added} documents; {count} threads")


def run() -> None:
    """Entry point for ``python -m search``."""
    main(prog_name=os.environ.get("MINUTEBOOK_PROG", "minutebook"))


# -- the other commands, one module per subject ---------------------------------------

for command in (eval_cmd, debug, people_group, person, entity, resolutions_cmd, actions_cmd,
                items_cmd, trace_cmd, threads, tables_cmd, table_cmd, figures_cmd):
    main.add_command(command)
