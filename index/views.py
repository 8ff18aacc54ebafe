"""SQL views over the record store, so it reads well in any SQLite browser.

Each ``v_<kind>`` view is the kind's table with its paper (source, title,
type, date, year) joined on ``document_id``, and, for kinds tied to a meeting,
the meeting's date, body and chair. Views hold no data; they are recreated
only when their definition changes, so opening a store stays cheap.
"""

from __future__ import annotations

import sqlite3

DOC_COLUMNS = ("d.source AS source, d.title AS document_title, d.doc_type AS doc_type, "
               "d.date AS document_date, d.year AS year")
MEETING_COLUMNS = "m.date AS meeting_date, m.body AS meeting_body, m.chair AS meeting_chair"


def _doc_view(kind: str, meeting: bool = False, extra: str = "", joins: str = "") -> str:
    cols = f"r.*, {DOC_COLUMNS}" + (f", {MEETING_COLUMNS}" if meeting else "") + extra
    meet = " LEFT JOIN meetings m ON m.id = r.meeting_id" if meeting else ""
    return (f"CREATE VIEW v_{kind} AS SELECT {cols} FROM {kind} r "
            f"LEFT JOIN documents d ON d.id = r.document_id{meet}{joins}")


VIEWS: dict[str, str] = {
    "v_meetings": _doc_view("meetings"),
    "v_attendees": _doc_view("attendees", meeting=True, extra=", p.name AS person_name",
                             joins=" LEFT JOIN people p ON p.id = r.person_id"),
    "v_items": _doc_view("items", meeting=True),
    "v_resolutions": _doc_view("resolutions", meeting=True),
    "v_actions": _doc_view("actions", meeting=True),
    "v_figures": _doc_view("figures"),
    "v_tables": _doc_view("tables"),
    "v_passages": _doc_view("passages"),
    "v_mentions": _doc_view("mentions"),
    "v_files": ("CREATE VIEW v_files AS SELECT f.*, d.title AS document_title, "
                "d.doc_type AS doc_type, d.date AS document_date, "
                "datetime(f.updated, 'unixepoch') AS updated_at "
                "FROM files f LEFT JOIN documents d ON d.id = f.document_id"),
    "v_documents": ("CREATE VIEW v_documents AS SELECT d.*, "
                    "(SELECT COUNT(*) FROM meetings x WHERE x.document_id = d.id) AS meetings, "
                    "(SELECT COUNT(*) FROM resolutions x WHERE x.document_id = d.id) "
                    "AS resolutions, "
                    "(SELECT COUNT(*) FROM actions x WHERE x.document_id = d.id) AS actions, "
                    "(SELECT COUNT(*) FROM figures x WHERE x.document_id = d.id) AS figures, "
                    "(SELECT COUNT(*) FROM tables x WHERE x.document_id = d.id) AS tables "
                    "FROM documents d"),
}


def create_views(db: sqlite3.Connection) -> int:
    """Create (or replace when changed) every view; returns how many were (re)created.

    Call inside the store's migration transaction, after the tables exist.
    """
    current = {name: sql for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='view'")}
    changed = 0
    for name, sql in VIEWS.items():
        if current.get(name) == sql:
            continue
        db.execute(f"DROP VIEW IF EXISTS {name}")
        db.execute(sql)
        changed += 1
    return changed
