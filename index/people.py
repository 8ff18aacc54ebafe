"""Resolve people across the whole store and write person ids back to attendees.

Reviewed corrections (merge these spellings, keep those apart) live in a JSON
file beside the store, so a person can read, edit and commit them, and they
are applied again after every ingest.
"""

from __future__ import annotations

import json
from pathlib import Path

from index.store import RecordStore
from ingest.errors import StoreError
from ingest.people import Sighting, cluster_people

CORRECTIONS_FILE = "people-corrections.json"
CORRECTION_ACTIONS = ("merge", "split")


def corrections_path(store: RecordStore) -> Path:
    return store.path.parent / CORRECTIONS_FILE


def load_corrections(path: Path) -> list[tuple[str, str, str]]:
    """[(action, name, name)] from the corrections file; none when it does not exist."""
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        out = [(r["action"], r["a"], r["b"]) for r in rows]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path} is not a valid corrections file: {exc}") from exc
    bad = [a for a, _, _ in out if a not in CORRECTION_ACTIONS]
    if bad:
        raise StoreError(f"{path}: unknown action {bad[0]!r}; use merge or split")
    return out


def add_correction(path: Path, action: str, a: str, b: str) -> bool:
    """Record a reviewed merge or split; False when it was already there."""
    if action not in CORRECTION_ACTIONS:
        raise StoreError(f"unknown correction {action!r}; use merge or split")
    rows = load_corrections(path)
    opposite = "split" if action == "merge" else "merge"
    rows = [r for r in rows if not (r[0] == opposite and {r[1], r[2]} == {a, b})]
    if (action, a, b) in rows:
        return False
    rows.append((action, a, b))
    path.write_text(
        json.dumps([{"action": x, "a": y, "b": z} for x, y, z in rows], indent=2,
                   ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return True


def resolve_store_people(store: RecordStore) -> int:
    """Recompute the people table from every attendee; returns how many people there are."""
    sightings = [
        Sighting(int(r["rowid"]), r["name"], r["role"], r["organisation"])
        for r in store.iter_rows("SELECT rowid, name, role, organisation FROM attendees")
    ]
    people, links = cluster_people(sightings, load_corrections(corrections_path(store)))
    store.replace_people(people, links)
    return len(people)
