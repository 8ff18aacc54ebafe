"""The ``minutebook`` command line: the only module that prints or exits.

Data goes to stdout; progress and messages go to stderr. Exit status: 0 on
success (for searches: something found), 1 when a search finds nothing or a
command fails, 2 on a usage error, 3 when ingest finished but skipped files.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from index.fulltext import FullTextIndex
from index.store import RecordStore
from ingest.errors import PipelineError
from ingest.records import KIND_BY_NAME
from ingest.vocab import ACTION_STATUSES, DOC_TYPES
from search.query import SORTS, Filters, parse_years, search

if TYPE_CHECKING:  # the parsers (and spaCy) load only for commands that parse
    from index.update import Summary
    from ingest.pipeline import Outcome

EXIT_SKIPPED = 3
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Home:
    """Where the store and index live: ``--db``, else $MINUTEBOOK_HOME, else ./.minutebook."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def store_path(self) -> Path:
        return self.path / "records.sqlite"

    @property
    def index(self) -> FullTextIndex:
        return FullTextIndex(self.path / "index")

    @contextmanager
    def store(self, must_exist: bool = True) -> Iterator[RecordStore]:
        if must_exist and not self.store_path.exists():
            raise click.ClickException(
                f"no minutebook store at {self.path}: run `minutebook ingest PATH` first "
                "(or pass --db)"
            )
        try:
            store = RecordStore(self.store_path)
        except PipelineError as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            yield store
        finally:
            store.close()


def echo_err(message: str) -> None:
    click.echo(message, err=True)


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
              help="Parallel worker processes [default: all cores].")
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

        summary = update(store, files, workers=workers, prune=prune, force=force, progress=step)
    summary.indexed, _ = home.index.sync(store)
    if summary.indexed or summary.pruned or not store.threads():
        from search.trace import compute_threads

        compute_threads(store, home.index)
    return summary


# -- search -----------------------------------------------------------------


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--json / --csv shared by every command that prints rows."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")(func)
    return func


def emit_rows(rows: list[dict[str, Any]], as_json: bool, as_csv: bool,
              show: Callable[[dict[str, Any]], str]) -> None:
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif as_csv:
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                writer.writerow({k: json.dumps(v) if isinstance(v, list) else v
                                 for k, v in row.items()})
    else:
        for row in rows:
            click.echo(show(row))


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
@click.option("--facets", is_flag=True, help="Also print counts by year, doc type and kind.")
@output_options
@click.pass_obj
def search_cmd(home: Home, query: tuple[str, ...], year: str | None, doc_type: str | None,
               body: str | None, kind: str | None, limit: int, sort: str, facets: bool,
               as_json: bool, as_csv: bool) -> None:
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
        result = search(home.index, " ".join(query), filters, limit, sort, facets)
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


# -- eval -------------------------------------------------------------------


@main.command("eval", context_settings=CONTEXT)
@click.option("--gold", "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of gold JSON files, one per document.")
@click.option("--docs", "docs_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Where the gold's document sources live [default: the gold folder's parent].")
@click.option("--relevance", "queries_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Judged search queries (JSON): report MRR and nDCG@10 on the current store.")
@click.option("--threads", "threads_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Judged threads (JSON): report trace precision and recall on the store.")
@click.option("--verbose", "-v", is_flag=True, help="List misses and false hits, or per query.")
@click.option("--min-f1", type=click.FloatRange(0, 1), default=None,
              help="Exit 1 when the overall F1 is below this floor.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.pass_obj
def eval_cmd(home: Home, gold_dir: Path | None, docs_dir: Path | None,
             queries_file: Path | None, threads_file: Path | None, verbose: bool,
             min_f1: float | None, as_json: bool) -> None:
    """Measure extraction against a gold set, or search against judged queries.

    With --gold, each gold file names its document (document.source, relative
    to --docs); the document is parsed afresh and its records matched one to
    one with the gold (names and texts fuzzily, figures by value and unit,
    tables cell by cell): precision, recall and F1 per kind, OVERALL the mean
    F1 over the kinds present. With --relevance, the judged queries run on
    the store in --db and MRR and nDCG@10 are printed; with --threads, each
    judged thread is traced and precision and recall over pages printed.

    \b
    Example:
      minutebook eval --gold tests/gold --docs corpus
      minutebook eval --relevance tests/relevance/queries.json
    """
    if not (gold_dir or queries_file or threads_file):
        raise click.UsageError("give --gold DIR, --relevance FILE or --threads FILE")
    if threads_file:
        _eval_threads(home, threads_file, as_json)
    if queries_file:
        _eval_relevance(home, queries_file, verbose, as_json)
    if gold_dir:
        _eval_gold(gold_dir, docs_dir, verbose, min_f1, as_json)


def _eval_threads(home: Home, threads_file: Path, as_json: bool) -> None:
    from search.trace_eval import format_threads, load_threads, micro, score_threads

    with home.store() as store:
        scores = score_threads(store, home.index, load_threads(threads_file))
    if as_json:
        p, r = micro(scores)
        click.echo(json.dumps({"precision": p, "recall": r, "threads": [
            {**s.__dict__, "precision": s.precision, "recall": s.recall} for s in scores]},
            indent=2))
    else:
        click.echo(format_threads(scores))


def _eval_relevance(home: Home, queries_file: Path, verbose: bool, as_json: bool) -> None:
    from search.relevance import evaluate_queries, format_relevance, load_queries

    try:
        report = evaluate_queries(home.index, load_queries(queries_file))
    except (PipelineError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps({"mrr": report.mrr, "ndcg@10": report.ndcg,
                               "queries": [s.__dict__ for s in report.scores]}, indent=2))
    else:
        click.echo(format_relevance(report, verbose))


def _eval_gold(gold_dir: Path, docs_dir: Path | None, verbose: bool, min_f1: float | None,
               as_json: bool) -> None:
    from search.evaluate import combine, format_report, is_document_gold, load_gold, score_document
    from search.gold_run import predicted_for

    docs_dir = docs_dir or gold_dir.parent
    per_doc = []
    for gold_file in sorted(gold_dir.glob("*.json")):
        if not is_document_gold(gold_file):
            continue  # e.g. threads.json, the trace gold kept in the same folder
        gold = load_gold(gold_file)
        source = docs_dir / gold["document"]["source"]
        predicted, error = predicted_for(source)
        if error:
            echo_err(f"warning {source}: {error}")
        per_doc.append(score_document(gold, predicted))
    if not per_doc:
        raise click.UsageError(f"no gold files (*.json) in {gold_dir}")
    report = combine(per_doc)
    if as_json:
        click.echo(json.dumps({"overall": report.overall, "documents": report.documents,
                               "kinds": {k: {"precision": c.precision, "recall": c.recall,
                                             "f1": c.f1, "gold": c.gold,
                                             "predicted": c.predicted}
                                         for k, c in report.kinds.items() if not c.empty}},
                              indent=2))
    else:
        click.echo(format_report(report, verbose=verbose))
    if min_f1 is not None and report.overall < min_f1:
        echo_err(f"overall F1 {report.overall:.3f} is below the floor {min_f1:.3f}")
        sys.exit(1)


# -- debug ------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", "kinds", multiple=True, type=click.Choice(sorted(KIND_BY_NAME)),
              help="Only these record kinds (repeatable) [default: all but passages, mentions].")
def debug(path: Path, kinds: tuple[str, ...]) -> None:
    """Parse one file and print its records as JSON, without touching the store.

    \b
    Example:
      minutebook debug corpus/pdf/2023-10_csp_minutes.pdf --kind attendees
    """
    from ingest.pipeline import ingest_file

    outcome = ingest_file(path)
    if outcome.parsed is None:
        raise click.ClickException(f"{path}: {outcome.error}")
    wanted = set(kinds) or set(KIND_BY_NAME) - {"passages", "mentions"}
    records = {k: [r.to_dict() for r in v] for k, v in outcome.parsed.records().items()
               if k in wanted}
    click.echo(json.dumps(records, ensure_ascii=False, indent=2))


# -- people and entities ----------------------------------------------------------


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to a default one."""

    default_command = "find"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@main.group("people", cls=DefaultGroup, invoke_without_command=True,
            context_settings=CONTEXT)
@click.pass_context
def people_group(ctx: click.Context) -> None:
    """Find people by any spelling of their name, and correct who is who.

    \b
    Example:
      minutebook people Benmoor
      minutebook people merge "Joe Benmore" "Joseph Benmore"
      minutebook people split "Sarah Newton" "Sara Newton"
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(people_find, name=None)


@people_group.command("find", context_settings=CONTEXT)
@click.argument("name", required=False)
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=20, show_default=True)
@output_options
@click.pass_obj
def people_find(home: Home, name: str | None, limit: int = 20, as_json: bool = False,
                as_csv: bool = False) -> None:
    """People whose name or any alias fuzzily matches NAME (everyone when no NAME)."""
    from search.people import find_people

    with home.store() as store:
        found = [p.to_dict() for p in find_people(store, name, limit)]
    emit_rows(found, as_json, as_csv, _show_person)
    if not found:
        echo_err(f"no person matches {name!r}")
        sys.exit(1)


def _show_person(p: dict[str, Any]) -> str:
    aka = f" (also {', '.join(p['aliases'])})" if p["aliases"] else ""
    roles = "; ".join(p["roles"] + p["organisations"])
    return f"{p['name']}{aka} · {p['meetings']} meetings · {roles}  [{p['id']}]"


def _correct(home: Home, action: str, a: str, b: str) -> None:
    from index.people import add_correction, corrections_path, resolve_store_people

    with home.store() as store:
        try:
            added = add_correction(corrections_path(store), action, a, b)
            count = resolve_store_people(store)
        except PipelineError as exc:
            raise click.ClickException(str(exc)) from exc
        path = corrections_path(store)
    echo_err(f"{'recorded' if added else 'already recorded'}: {action} {a!r} {b!r} "
             f"in {path}; {count} people")


@people_group.command("merge", context_settings=CONTEXT)
@click.argument("name_a")
@click.argument("name_b")
@click.pass_obj
def people_merge(home: Home, name_a: str, name_b: str) -> None:
    """Record that two spellings are one person (kept across re-ingest)."""
    _correct(home, "merge", name_a, name_b)


@people_group.command("split", context_settings=CONTEXT)
@click.argument("name_a")
@click.argument("name_b")
@click.pass_obj
def people_split(home: Home, name_a: str, name_b: str) -> None:
    """Record that two spellings are different people (kept across re-ingest)."""
    _correct(home, "split", name_a, name_b)


@main.command(context_settings=CONTEXT)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the whole profile as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the attendance rows as CSV.")
@click.pass_obj
def person(home: Home, name: str, as_json: bool, as_csv: bool) -> None:
    """One person: attendance by meeting and year, roles, items presented, actions owned.

    \b
    Example:
      minutebook person "Joe Benmore"
    """
    from search.people import find_people, person_profile

    with home.store() as store:
        found = find_people(store, name, limit=2)
        if not found:
            echo_err(f"no person matches {name!r}; try `minutebook people {name}`")
            sys.exit(1)
        profile = person_profile(store, found[0])
    if as_json:
        click.echo(json.dumps(profile, ensure_ascii=False, indent=2))
        return
    if as_csv:
        emit_rows(profile["attendance"], False, True, str)
        return
    click.echo(_show_person(found[0].to_dict()))
    _print_profile(profile)


def _print_profile(profile: dict[str, Any]) -> None:
    click.echo("attendance:")
    for r in profile["attendance"]:
        what = ", ".join(x for x in (r["role"], r["organisation"]) if x)
        click.echo(f"  {r['date']}  {r['status']:<13} {r['body'] or ''}  {what}  "
                   f"({r['source']} p.{r['page']})")
    click.echo("by year: " + "; ".join(
        f"{y}: " + ", ".join(f"{n} {s}" for s, n in c.items())
        for y, c in profile["attendance_by_year"].items()))
    for title, key in (("items presented", "items_presented"), ("actions owned", "actions_owned"),
                       ("mentions", "mentions")):
        click.echo(f"{title}:")
        for r in profile[key]:
            label = r.get("title") or r.get("text")
            click.echo(f"  {r['date']}  {label}  ({r['source']} p.{r['page']})")


@main.command(context_settings=CONTEXT)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the whole profile as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the mention rows as CSV.")
@click.pass_obj
def entity(home: Home, name: str, as_json: bool, as_csv: bool) -> None:
    """An organisation, programme or place: spellings, mentions by year and page, actions.

    \b
    Example:
      minutebook entity MOPAC
    """
    from search.people import entity_profile

    with home.store() as store:
        profile = entity_profile(store, name)
    if profile is None:
        echo_err(f"no organisation, programme or place matches {name!r}")
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(profile, ensure_ascii=False, indent=2))
        return
    if as_csv:
        emit_rows(profile["mentions"], False, True, str)
        return
    click.echo(f"{profile['entity_id']} ({profile['label']}): "
               f"{', '.join(profile['spellings'])}")
    click.echo("mentions by year: " + ", ".join(
        f"{y} {n}" for y, n in profile["mentions_by_year"].items()))
    for r in profile["mentions"]:
        click.echo(f"  {r['date']}  {r['text']}  {r['title']}  ({r['source']} p.{r['page']})")
    for r in profile["actions_owned"]:
        click.echo(f"  action {r['date']}: {r['text']} (owner {r['owner']}, {r['source']} "
                   f"p.{r['page']})")


# -- record searches ----------------------------------------------------------------


def record_command(kind: str, show: Callable[[dict[str, Any]], str],
                   extra: list[Callable[[Callable[..., Any]], Callable[..., Any]]],
                   doc: str) -> None:
    """Register `minutebook <kind> [QUERY]` with the filters every record search shares."""

    def command(home: Home, query: tuple[str, ...], since: str | None, until: str | None,
                limit: int, as_json: bool, as_csv: bool, owner: str | None = None,
                status: str | None = None) -> None:
        from search.records_query import RecordFilters, find_records

        filters = RecordFilters(since, until, owner, status)
        try:
            with home.store() as store:
                rows = find_records(store, home.index, kind, " ".join(query) or None, filters,
                                    limit)
        except PipelineError as exc:
            raise click.UsageError(str(exc)) from exc
        emit_rows(rows, as_json, as_csv, show)
        if not rows:
            echo_err(f"no {kind} found")
            sys.exit(1)

    command.__doc__ = doc
    decorators: list[Callable[[Any], Any]] = [
        main.command(kind, context_settings=CONTEXT),
        click.argument("query", nargs=-1),
        click.option("--since", help="From this year or date (YYYY or YYYY-MM-DD)."),
        click.option("--until", help="Up to this year or date (YYYY or YYYY-MM-DD)."),
        click.option("--limit", "-n", type=click.IntRange(1, 10000), default=50,
                     show_default=True),
        *extra,
        output_options,
        click.pass_obj,
    ]
    for decorate in reversed(decorators):
        command = decorate(command)


def _where(r: dict[str, Any]) -> str:
    return f"{r['date'] or 'undated'} · {r['source']} p.{r['page']}"


record_command(
    "resolutions",
    lambda r: f"{_where(r)} · item {r['item_number']} {r['item_title'] or ''}\n  {r['text']}\n",
    [],
    """What the partnership resolved, with meeting date, item and page.

    \b
    Example:
      minutebook resolutions prevent --since 2013
    """,
)
record_command(
    "actions",
    lambda r: (f"{_where(r)} · {r['number'] or '-'} · owner {r['owner'] or '?'} · due "
               f"{r['due'] or '?'} · {r['status'] or 'status not given'}\n  {r['text']}\n"),
    [click.option("--owner", help="Only actions owned by this person or body (fuzzy)."),
     click.option("--status", type=click.Choice(ACTION_STATUSES), help="Only this status.")],
    """Action points with owner, due date and status, with document and page.

    \b
    Example:
      minutebook actions --owner "Joe Benmore" --status open
    """,
)
record_command(
    "items",
    lambda r: f"{_where(r)} · {r['number']}. {r['title']}\n",
    [],
    """Agenda items of meetings, with presenters, date and page.

    \b
    Example:
      minutebook items "offender management"
    """,
)


# -- trace ------------------------------------------------------------------------


def _markdown(result: Any) -> str:
    """A briefing note a person can paste into a report; every entry cites paper and page."""
    lines = [f"## {result.name}", "", f"*{result.status_line}*", ""]
    for e in result.entries:
        text = " ".join(e.text.split())
        text = text if len(text) <= 220 else text[:217] + "..."
        lines.append(f"- **{e.date or 'undated'}** ({e.kind}) {text} "
                     f"— {e.title}, p.{e.page} (`{e.source}`)")
    return "\n".join(lines)


@main.command("trace", context_settings=CONTEXT)
@click.argument("target", nargs=-1, required=True)
@click.option("--markdown", "as_markdown", is_flag=True, help="Print a briefing note in Markdown.")
@output_options
@click.pass_obj
def trace_cmd(home: Home, target: tuple[str, ...], as_markdown: bool, as_json: bool,
              as_csv: bool) -> None:
    """Follow a topic or a record (by id) across meetings and years, oldest first.

    Each entry shows date, paper, kind, a snippet, page and why it belongs:
    the words or acronym it matched, programmes it shares, its text
    similarity, or the agenda item a resolution belongs to.

    \b
    Example:
      minutebook trace "integrated offender management"
      minutebook trace IOM --markdown
    """
    from search.trace import trace

    try:
        with home.store() as store:
            result = trace(store, home.index, " ".join(target))
    except PipelineError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_markdown:
        click.echo(_markdown(result))
    else:
        emit_rows([e.to_dict() for e in result.entries], as_json, as_csv, _show_entry)
    echo_err(f"{result.name}: {len(result.entries)} entries; {result.status_line}")
    if not result.entries:
        sys.exit(1)


def _show_entry(e: dict[str, Any]) -> str:
    text = " ".join(e["text"].split())
    text = text if len(text) <= 160 else text[:157] + "..."
    return (f"{e['date'] or 'undated'}  {e['kind']:<10} {e['title']} p.{e['page']}\n"
            f"  {text}\n  why: {'; '.join(e['why'])}\n")


@main.command(context_settings=CONTEXT)
@output_options
@click.pass_obj
def threads(home: Home, as_json: bool, as_csv: bool) -> None:
    """Topics that run through papers of several years, longest-running first."""
    from search.trace import list_threads

    with home.store() as store:
        rows = list_threads(store)
    emit_rows(rows, as_json, as_csv,
              lambda r: f"{r['years']:>2} years  {r['first']} .. {r['last']}  "
                        f"{r['entries']:>3} entries  {r['name']}\n    {r['status_line']}")
    if not rows:
        echo_err("no threads yet: ingest papers of more than one year")
        sys.exit(1)


# -- tables and figures (defined in search/cli_tables.py) ---------------------------

from search.cli_tables import figures_cmd, table_cmd, tables_cmd  # noqa: E402

main.add_command(tables_cmd)
main.add_command(table_cmd)
main.add_command(figures_cmd)
