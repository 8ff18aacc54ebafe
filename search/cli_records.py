"""`minutebook resolutions`, `actions` and `items`: record searches with provenance."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from ingest.errors import PipelineError
from ingest.vocab import ACTION_STATUSES
from search.cli_common import CONTEXT, Home, echo_err, emit_rows, output_options


def record_command(kind: str, show: Callable[[dict[str, Any]], str],
                   extra: list[Callable[[Callable[..., Any]], Callable[..., Any]]],
                   doc: str) -> click.Command:
    """`minutebook <kind> [QUERY]` with the filters every record search shares."""

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
        click.command(kind, context_settings=CONTEXT),
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
    assert isinstance(command, click.Command)
    return command


def _where(r: dict[str, Any]) -> str:
    return f"{r['date'] or 'undated'} · {r['source']} p.{r['page']}"


resolutions_cmd = record_command(
    "resolutions",
    lambda r: f"{_where(r)} · item {r['item_number']} {r['item_title'] or ''}\n  {r['text']}\n",
    [],
    """What the partnership resolved, with meeting date, item and page.

    \b
    Example:
      minutebook resolutions prevent --since 2013
    """,
)
actions_cmd = record_command(
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
items_cmd = record_command(
    "items",
    lambda r: f"{_where(r)} · {r['number']}. {r['title']}\n",
    [],
    """Agenda items of meetings, with presenters, date and page.

    \b
    Example:
      minutebook items "offender management"
    """,
)
