"""`minutebook tables`, `table` and `figures`: click commands registered by search.cli."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click

from ingest.errors import PipelineError
from ingest.vocab import DOC_TYPES
from search.cli_common import CONTEXT, Home, echo_err, emit_rows


def _years(year: str | None) -> tuple[int | None, int | None]:
    from search.query import parse_years

    try:
        return parse_years(year) if year else (None, None)
    except PipelineError as exc:
        raise click.UsageError(str(exc)) from exc


def _show_table_row(r: dict[str, Any]) -> str:
    head = click.style(r["caption"] or "(no caption)", bold=True)
    return (f"{r['id']}  {head}\n  {r['date'] or 'undated'} · {r['document']} p.{r['page']} · "
            f"{r['rows']} x {r['columns']}")


@click.command("tables", context_settings=CONTEXT)
@click.argument("query", nargs=-1)
@click.option("--year", help="A year or range: 2013, 2011..2014, 2013.., ..2014.")
@click.option("--type", "doc_type", type=click.Choice(DOC_TYPES), help="Only this doc type.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_obj
def tables_cmd(home: Home, query: tuple[str, ...], year: str | None, doc_type: str | None,
               as_json: bool, as_csv: bool) -> None:
    """List extracted tables: id, paper, date, page, caption (or heading), rows x columns.

    QUERY words must all appear (or nearly) in the caption, heading, paper
    title or cells. Exit status 1 when no table matches.

    \b
    Example:
      minutebook tables outreach --year 2018..
      minutebook table 7096894e44d9b604:table:2
    """
    from search.tables_view import TableFilter, list_tables

    year_from, year_to = _years(year)
    flt = TableFilter(" ".join(query) or None, year_from, year_to, doc_type)
    with home.store() as store:
        rows = list_tables(store, flt)
    emit_rows(rows, as_json, as_csv, _show_table_row)
    if not rows:
        echo_err("no tables found")
        sys.exit(1)


@click.command("table", context_settings=CONTEXT)
@click.argument("table_id")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the table as CSV (header first).")
@click.option("--xlsx", "xlsx_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the table to this .xlsx file.")
@click.pass_obj
def table_cmd(home: Home, table_id: str, as_json: bool, as_csv: bool,
              xlsx_file: Path | None) -> None:
    """Print one table aligned for the terminal (or as CSV/JSON, or into an .xlsx file).

    TABLE_ID is a table id from `minutebook tables`, a unique prefix of one,
    or its export file name (e.g. 2018-10_substance_misuse_progress_report-p3-t2).

    \b
    Example:
      minutebook table 7096894e44d9b604:table:2
      minutebook table 2018-10_substance_misuse_progress_report-p3-t2 --xlsx outreach.xlsx
    """
    from search.tables_view import (
        align_table,
        find_table,
        page_headings,
        table_label,
        table_title,
    )

    with home.store() as store:
        found = find_table(store, table_id)
        headings = page_headings(store) if found else {}
    if found is None:
        raise click.ClickException(f"no single table matches {table_id!r}: list them with "
                                   "`minutebook tables`")
    table, doc = found
    label = table_label(table, headings)
    if xlsx_file:
        from search.xlsx import write_table_workbook

        write_table_workbook(table, doc, xlsx_file)
        echo_err(f"wrote {xlsx_file}")
    if as_json:
        data = {"id": table.id, "document": doc.source if doc else table.document_id,
                "date": doc.date if doc else None, "page": table.page, "caption": label,
                "header": table.header, "rows": table.rows}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif as_csv:
        writer = csv.writer(sys.stdout)
        if table.header:
            writer.writerow(table.header)
        writer.writerows(table.rows)
    elif not xlsx_file:
        click.echo(click.style(table_title(table, doc, label), bold=True))
        click.echo(align_table(table.header, table.rows))


def _show_point(p: dict[str, Any]) -> str:
    value = f"{p['value']:g}%" if p["unit"] == "percent" else f"{p['value']:,.10g} {p['unit']}"
    return (f"{value:>16}  {p['period'] or '-':<20} {p['date'] or 'undated':<10}  "
            f"{p['document']} p.{p['page']}")


@click.command("figures", context_settings=CONTEXT)
@click.argument("query", nargs=-1, required=True)
@click.option("--unit", type=click.Choice(["count", "percent", "gbp"]),
              help="Only this unit [default: the unit most matches have].")
@click.option("--year", help="Only papers of these years: 2013, 2011..2014, 2013.., ..2014.")
@click.option("--all", "keep_repeats", is_flag=True,
              help="Keep a value each time a paper repeats it (default: first report only).")
@click.option("--chart", "chart_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Draw the series into this PNG file.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_obj
def figures_cmd(home: Home, query: tuple[str, ...], unit: str | None, year: str | None,
                keep_repeats: bool, chart_file: Path | None, as_json: bool,
                as_csv: bool) -> None:
    """One measure across papers and years, as a series: value, unit, period, date, page.

    Figures in the text and numbers in tables are both read. Points are
    ordered by the period they cover (else the paper's date). Exit status 1
    when nothing matches.

    \b
    Example:
      minutebook figures "people in drug or alcohol treatment"
      minutebook figures "IOM cohort" --chart iom.png
      minutebook figures "night outreach engagements" --csv
    """
    from search.figures_series import SeriesQuery, find_series

    year_from, year_to = _years(year)
    q = SeriesQuery(" ".join(query), unit, year_from, year_to, keep_repeats=keep_repeats)
    with home.store() as store:
        points = find_series(store, q)
    rows = [p.to_dict() for p in points]
    emit_rows(rows, as_json, as_csv, _show_point)
    if not points:
        echo_err(f"no figures match {q.text!r}")
        sys.exit(1)
    if chart_file:
        from search.chart import draw_series

        n = draw_series(points, chart_file, q.text)
        echo_err(f"wrote {chart_file} ({n} points)")
