"""Record searches: resolutions, actions and items, by query and by filters, with provenance.

A query (when given) ranks records through the full-text index; the filters
(dates, owner, status) are applied to the stored records, and each row joins
its document for the date, source and page a user needs to open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from index.fulltext import FullTextIndex
from index.store import RecordStore
from ingest.errors import QueryError
from search.followup import current_status, follow_ups
from search.people import names_match
from search.query import Filters, search

RECORD_COLUMNS = {
    "resolutions": "r.item_number, r.item_title, r.text",
    "actions": "r.number, r.text, r.owner, r.due, r.status",
    "items": "r.number, r.title, r.presenters",
}
INDEX_KIND = {"resolutions": "resolution", "actions": "action", "items": "item"}
MAX_QUERY_HITS = 5000


@dataclass(frozen=True)
class RecordFilters:
    """Filters for record searches; dates are inclusive, as YYYY or YYYY-MM-DD."""

    since: str | None = None
    until: str | None = None
    owner: str | None = None
    status: str | None = None


def date_bound(text: str | None, end: bool) -> str | None:
    """'2013' -> '2013-01-01' (or '2013-12-31' as an end); full dates pass through."""
    if text is None:
        return None
    text = text.strip()
    if len(text) == 4 and text.isdigit():
        return f"{text}-12-31" if end else f"{text}-01-01"
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return text
    raise QueryError(f"bad date {text!r}: use YYYY or YYYY-MM-DD")


def find_records(
    store: RecordStore,
    index: FullTextIndex,
    kind: str,
    query: str | None,
    filters: RecordFilters,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Rows of one record kind with document date, title, source and page; newest first
    unless a query ranks them."""
    rows = _rows(store, kind, filters)
    if kind == "actions" and filters.status:  # the status filter needs every action's
        rows = _with_follow_ups(store, rows, filters.status)
    if query:
        hits = search(index, query, Filters(kind=INDEX_KIND[kind]), limit=MAX_QUERY_HITS)
        rank = {h.id: i for i, h in enumerate(hits.hits)}
        rows = sorted((r for r in rows if r["id"] in rank), key=lambda r: rank[r["id"]])
    if filters.owner:
        rows = [r for r in rows if names_match([filters.owner], r.get("owner"))]
    rows = rows[:limit]
    if kind == "actions" and not filters.status:  # only the actions shown
        rows = _with_follow_ups(store, rows, None)
    return rows


def _with_follow_ups(store: RecordStore, rows: list[dict[str, Any]], status: str | None
                     ) -> list[dict[str, Any]]:
    """Each action with its later follow-ups and current status; --status filters on that."""
    later = follow_ups(store, (row["id"] for row in rows))
    out = []
    for row in rows:
        found = later.get(row["id"], [])
        row["current_status"] = current_status(row["status"], found)
        row["follow_ups"] = [f"{f.date} {f.reports}: {f.text[:80]} ({f.source} p.{f.page})"
                             for f in found]
        if status is None or row["current_status"] == status:
            out.append(row)
    return out


def _rows(store: RecordStore, kind: str, filters: RecordFilters) -> list[dict[str, Any]]:
    since, until = date_bound(filters.since, False), date_bound(filters.until, True)
    where = ["1=1"]
    params: list[Any] = []
    if since:
        where.append("d.date >= ?")
        params.append(since)
    if until:
        where.append("d.date <= ?")
        params.append(until)
    sql = (
        f"SELECT r.id, d.date, d.title AS document, {RECORD_COLUMNS[kind]}, d.source, r.page "
        f"FROM {kind} r JOIN documents d ON r.document_id = d.id "
        f"WHERE {' AND '.join(where)} ORDER BY d.date DESC, r.rowid"
    )
    return [dict(row) for row in store.iter_rows(sql, tuple(params))]
