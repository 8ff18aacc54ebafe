"""`minutebook eval` (extraction, search relevance, trace quality) and `minutebook debug`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ingest.errors import PipelineError
from ingest.records import KIND_BY_NAME
from search.cli_common import CONTEXT, Home, echo_err


@click.command("eval", context_settings=CONTEXT)
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


@click.command(context_settings=CONTEXT)
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
