"""`minutebook trace` and `minutebook threads`: a topic across meetings and years."""

from __future__ import annotations

import sys
from typing import Any

import click

from ingest.errors import PipelineError
from search.cli_common import CONTEXT, Home, echo_err, emit_rows, output_options


def _markdown(result: Any) -> str:
    """A briefing note a person can paste into a report; every entry cites paper and page."""
    lines = [f"## {result.name}", "", f"*{result.status_line}*", ""]
    for e in result.entries:
        text = " ".join(e.text.split())
        text = text if len(text) <= 220 else text[:217] + "..."
        lines.append(f"- **{e.date or 'undated'}** ({e.kind}) {text} "
                     f"— {e.title}, p.{e.page} (`{e.source}`)")
    return "\n".join(lines)


@click.command("trace", context_settings=CONTEXT)
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
            _say_if_threads_stale(store)
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


def _say_if_threads_stale(store: Any) -> None:
    """One line on stderr before the pause of recomputing threads (seconds on a large store)."""
    from search.trace import threads_stale

    if threads_stale(store):
        echo_err("papers changed since topics were last traced: updating the threads ...")


def _show_entry(e: dict[str, Any]) -> str:
    text = " ".join(e["text"].split())
    text = text if len(text) <= 160 else text[:157] + "..."
    return (f"{e['date'] or 'undated'}  {e['kind']:<10} {e['title']} p.{e['page']}\n"
            f"  {text}\n  why: {'; '.join(e['why'])}\n")


@click.command(context_settings=CONTEXT)
@output_options
@click.pass_obj
def threads(home: Home, as_json: bool, as_csv: bool) -> None:
    """Topics that run through papers of several years, longest-running first."""
    from search.trace import list_threads

    with home.store() as store:
        _say_if_threads_stale(store)
        rows = list_threads(store, home.index)
    emit_rows(rows, as_json, as_csv,
              lambda r: f"{r['years']:>2} years  {r['first']} .. {r['last']}  "
                        f"{r['entries']:>3} entries  {r['name']}\n    {r['status_line']}")
    if not rows:
        echo_err("no threads yet: ingest papers of more than one year")
        sys.exit(1)
