"""What every minutebook command shares: where the store lives, output options, exit codes.

Data goes to stdout; progress and messages go to stderr. Exit status: 0 on
success (for searches: something found), 1 when a search finds nothing or a
command fails, 2 on a usage error, 3 when ingest finished but skipped files.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from index.fulltext import FullTextIndex
from index.store import RecordStore
from ingest.errors import PipelineError

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
