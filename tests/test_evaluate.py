"""Tests of the extraction-quality scorer against the seed gold files and small cases."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ingest.records import (
    Action,
    Attendee,
    DocumentRecord,
    Figure,
    Item,
    Meeting,
    Resolution,
    Table,
)
from search.evaluate import (
    KINDS,
    EvalSettings,
    _greedy_pairs,
    combine,
    format_report,
    load_gold,
    score_document,
    table_cells,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
GOLD_DIR = SEEDS / "gold"
GOLD_FILES = sorted(GOLD_DIR.glob("*.json")) if GOLD_DIR.is_dir() else []
MINUTES_GOLD = GOLD_DIR / "001_15f9828450dc694a.json"


def _need_seeds(path: Path | None = None) -> None:
    if not GOLD_DIR.is_dir():
        pytest.skip(f"seed gold files not found at {GOLD_DIR} (shared seeds not checked out)")
    if path is not None and not path.exists():
        pytest.skip(f"seed gold file {path.name} not found in {GOLD_DIR}")


def _as_predicted(gold: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Gold records rebuilt as the extractor's record dicts (ingest.records field names)."""
    doc = gold["document"]
    did = "d1"
    out: dict[str, list[dict[str, Any]]] = {
        "documents": [
            DocumentRecord(
                id=did,
                source=doc["source"],
                sha256="",
                title=doc["title"],
                doc_type=doc["doc_type"],
                body=None,
                date=doc["date"],
                year=None,
                pages=1,
            ).to_dict()
        ],
        "meetings": [
            Meeting(id=f"m{i}", document_id=did, chair=None, **m).to_dict()
            for i, m in enumerate(gold["meetings"])
        ],
        "attendees": [
            Attendee(meeting_id="m0", document_id=did, person_id=None, title=None, **a).to_dict()
            for a in gold["attendees"]
        ],
        "items": [
            Item(id=f"i{i}", meeting_id="m0", document_id=did, page=1, **it).to_dict()
            for i, it in enumerate(gold["items"])
        ],
        "resolutions": [
            Resolution(
                id=f"r{i}", meeting_id="m0", document_id=did, item_title=None, page=1, **r
            ).to_dict()
            for i, r in enumerate(gold["resolutions"])
        ],
        "actions": [
            Action(
                id=f"a{i}", document_id=did, meeting_id=None, number=None, status=None, page=1, **a
            ).to_dict()
            for i, a in enumerate(gold["actions"])
        ],
        "figures": [
            Figure(id=f"f{i}", document_id=did, page=1, period=None, text="", **f).to_dict()
            for i, f in enumerate(gold["figures"])
        ],
        "tables": [],
    }
    for i, t in enumerate(gold["tables"]):
        rows = t["rows"]
        # Alternate the two shapes an extractor may give: header split off, or header kept
        # as rows[0] as well (it must not be counted twice).
        body = rows[1:] if i % 2 == 0 else rows
        table = Table(
            id=f"t{i}", document_id=did, page=t["page"], index=i, header=rows[0], rows=body
        )
        out["tables"].append(table.to_dict())
    return out


def _gold(**kinds: list[dict[str, Any]]) -> dict[str, Any]:
    base: dict[str, Any] = {
        "document": {"source": "x.txt", "doc_type": "minutes", "date": "2023-10-26", "title": "T"},
    }
    for kind in KINDS[1:]:
        base[kind] = kinds.get(kind, [])
    return base


def _doc_pred() -> list[dict[str, Any]]:
    return [{"doc_type": "minutes", "date": "2023-10-26", "title": "T"}]


def _attendee(name: str, status: str = "present") -> dict[str, Any]:
    return {"name": name, "status": status, "role": None, "organisation": None}


# --- seed gold files ---------------------------------------------------------------


@pytest.mark.parametrize("path", GOLD_FILES or [None], ids=lambda p: p.name if p else "none")
def test_perfect_prediction_scores_one_for_every_kind(path: Path | None) -> None:
    _need_seeds(path)
    assert path is not None
    gold = load_gold(path)
    counts = score_document(gold, _as_predicted(dict(gold)))
    assert set(counts) == set(KINDS)
    for kind, c in counts.items():
        assert (c.fp, c.fn) == (0, 0), (kind, c.missed, c.false)
        assert c.f1 == 1.0, kind
    assert counts["documents"].tp == 2
    assert counts["tables"].tp == sum(sum(table_cells(t).values()) for t in gold["tables"])
    assert combine([counts]).overall == 1.0


def test_all_seed_files_combined_perfectly() -> None:
    _need_seeds()
    golds = [load_gold(p) for p in GOLD_FILES]
    report = combine([score_document(g, _as_predicted(dict(g))) for g in golds])
    assert report.documents == len(GOLD_FILES)
    assert report.overall == 1.0
    assert report.kinds["attendees"].tp == sum(len(g["attendees"]) for g in golds)


def test_dropping_one_attendee_lowers_recall_by_one_over_gold() -> None:
    _need_seeds(MINUTES_GOLD)
    gold = load_gold(MINUTES_GOLD)
    predicted = _as_predicted(dict(gold))
    n = len(predicted["attendees"])
    dropped = predicted["attendees"].pop(3)
    c = score_document(gold, predicted)["attendees"]
    assert (c.tp, c.fp, c.fn) == (n - 1, 0, 1)
    assert c.recall == pytest.approx((n - 1) / n)
    assert c.precision == 1.0
    assert [e.text for e in c.missed] == [f"{dropped['name']} ({dropped['status']})"]
    assert c.missed[0].source == gold["document"]["source"]


def test_perturbed_seed_prediction_is_not_perfect() -> None:
    _need_seeds(MINUTES_GOLD)
    gold = load_gold(MINUTES_GOLD)
    predicted = _as_predicted(copy.deepcopy(dict(gold)))
    predicted["documents"][0]["date"] = "2023-10-27"
    predicted["items"][0]["number"] = "99"
    counts = score_document(gold, predicted)
    assert (counts["documents"].tp, counts["documents"].fp, counts["documents"].fn) == (1, 1, 1)
    assert (counts["items"].fp, counts["items"].fn) == (1, 1)


# --- attendees ----------------------------------------------------------------------


def test_right_name_wrong_status_is_a_miss_and_a_false_hit() -> None:
    gold = _gold(attendees=[_attendee("Caroline Haines", "apologies")])
    c = score_document(gold, {"attendees": [_attendee("Caroline Haines", "present")]})["attendees"]
    assert (c.tp, c.fp, c.fn) == (0, 1, 1)
    assert c.f1 == 0.0


@pytest.mark.parametrize(
    "predicted_name",
    [
        "Councillor Adam Jogee",
        "Cllr. Adam Jogee",
        "Mr Adam Jogee",
        "Dr Adam Jogee",
        "Chief Superintendent Adam Jogee",
        "Jogee, Adam",
        "adam jogee",
    ],
)
def test_honorific_prefixed_name_still_matches(predicted_name: str) -> None:
    gold = _gold(attendees=[_attendee("Adam Jogee")])
    c = score_document(gold, {"attendees": [_attendee(predicted_name)]})["attendees"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_different_person_does_not_match() -> None:
    gold = _gold(attendees=[_attendee("Adam Jogee")])
    c = score_document(gold, {"attendees": [_attendee("Zena Brabazon")]})["attendees"]
    assert (c.tp, c.fp, c.fn) == (0, 1, 1)


# --- resolutions, actions, items, meetings, figures --------------------------------


def test_resolution_paraphrase_below_threshold_does_not_match() -> None:
    gold = _gold(resolutions=[{"item_number": "7", "text": "That the report be noted."}])
    paraphrase = [{"item_number": "7", "text": "The Partnership took note of the update."}]
    c = score_document(gold, {"resolutions": paraphrase})["resolutions"]
    assert (c.tp, c.fp, c.fn) == (0, 1, 1)
    near_copy = [{"item_number": "7", "text": "that  the REPORT be noted."}]
    c = score_document(gold, {"resolutions": near_copy})["resolutions"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_identical_gold_resolutions_need_two_predictions() -> None:
    text = "That the report be noted."
    gold = _gold(
        resolutions=[{"item_number": "7", "text": text}, {"item_number": "8", "text": text}]
    )
    one = score_document(gold, {"resolutions": [{"text": text}]})["resolutions"]
    assert (one.tp, one.fp, one.fn) == (1, 0, 1)
    two = score_document(gold, {"resolutions": [{"text": text}, {"text": text}]})["resolutions"]
    assert (two.tp, two.fp, two.fn) == (2, 0, 0)
    three = score_document(gold, {"resolutions": [{"text": text}] * 3})["resolutions"]
    assert (three.tp, three.fp, three.fn) == (2, 1, 0)


def test_greedy_takes_best_scoring_pairs_first() -> None:
    scores = {(0, 0): 90.0, (1, 0): 95.0, (0, 1): 85.0}
    pairs = _greedy_pairs([0, 1], [0, 1], lambda g, p: scores.get((g, p)))
    assert sorted(pairs) == [(0, 1), (1, 0)]


def test_actions_compare_text_only() -> None:
    gold = _gold(actions=[{"text": "Establish ARRB", "owner": "Joe Benmore", "due": None}])
    pred = [{"text": "establish  ARRB", "owner": None, "due": "March"}]
    c = score_document(gold, {"actions": pred})["actions"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_items_need_equal_number_and_similar_title() -> None:
    gold = _gold(items=[{"number": "5", "title": "MINUTES"}, {"number": "6", "title": "APOLOGIES"}])
    pred = [{"number": "5.", "title": "Minutes"}, {"number": "7", "title": "Apologies"}]
    c = score_document(gold, {"items": pred})["items"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)


def test_meetings_match_on_date_only() -> None:
    gold = _gold(meetings=[{"body": "Community Safety Partnership", "date": "2023-10-26"}])
    pred = [{"body": "CSP", "date": "2023-10-26"}, {"body": "CSP", "date": "2023-07-24"}]
    c = score_document(gold, {"meetings": pred})["meetings"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 0)


def test_figures_need_equal_value_and_unit() -> None:
    gold = _gold(
        figures=[
            {"value": 1200000, "unit": "GBP", "context": "bid"},
            {"value": 61, "unit": "percent", "context": "a"},
        ]
    )
    pred = [
        {"value": 1.2e6, "unit": "GBP", "context": "something else entirely"},
        {"value": 61, "unit": "count", "context": "a"},
    ]
    c = score_document(gold, {"figures": pred})["figures"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)


def test_document_fields_counted_one_comparison_each() -> None:
    gold = _gold()
    right = score_document(gold, {"documents": _doc_pred()})["documents"]
    assert (right.tp, right.fp, right.fn) == (2, 0, 0)
    wrong = [{"doc_type": "report", "date": "2023-10-26"}]
    c = score_document(gold, {"documents": wrong})["documents"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)
    missing = score_document(gold, {})["documents"]
    assert (missing.tp, missing.fp, missing.fn) == (0, 0, 2)


# --- tables --------------------------------------------------------------------------


def test_table_cell_counts_on_partially_wrong_table() -> None:
    gold = _gold(
        tables=[{"page": 2, "rows": [["No", "Lead", ""], ["1a", "AT*", ""], ["1b", "OMG"]]}]
    )
    predicted = [
        # header repeated as rows[0]: counted once; trailing empty cells ignored
        {
            "page": 2,
            "header": ["No", "Lead"],
            "rows": [["No", "Lead"], ["1a", "AT* "], ["1b", "OMG  Board", ""]],
        },
        {"page": 3, "header": [], "rows": [["stray", "cells"]]},
    ]
    c = score_document(gold, {"tables": predicted})["tables"]
    # matched: No, Lead, 1a, AT*, 1b; wrong: 'OMG Board' (fp) for 'OMG' (fn); page 3: 2 fp
    assert (c.tp, c.fp, c.fn) == (5, 3, 1)
    assert c.precision == pytest.approx(5 / 8)
    assert c.recall == pytest.approx(5 / 6)


def test_table_on_other_page_is_not_paired() -> None:
    gold = _gold(tables=[{"page": 1, "rows": [["A", "B"]]}])
    c = score_document(gold, {"tables": [{"page": 2, "header": ["A", "B"], "rows": []}]})["tables"]
    assert (c.tp, c.fp, c.fn) == (0, 2, 2)


def test_tables_paired_to_best_same_page_table() -> None:
    gold = _gold(
        tables=[
            {"page": 1, "rows": [["a", "b"], ["c", "d"]]},
            {"page": 1, "rows": [["w", "x"], ["y", "z"]]},
        ]
    )
    predicted = [
        {"page": 1, "header": ["w", "x"], "rows": [["y", "z"]]},
        {"page": 1, "header": ["a", "b"], "rows": [["c", "q"]]},
    ]
    c = score_document(gold, {"tables": predicted})["tables"]
    assert (c.tp, c.fp, c.fn) == (7, 1, 1)


def test_header_counted_when_not_repeated_in_rows() -> None:
    cells = table_cells({"header": ["No", "Lead"], "rows": [["1", "x"]]})
    assert sum(cells.values()) == 4
    repeated = table_cells({"header": ["No", "Lead"], "rows": [["No", "Lead "], ["1", "x"]]})
    assert repeated == cells


# --- combining and reporting -----------------------------------------------------------


def test_empty_kinds_are_left_out_of_the_overall_mean() -> None:
    gold = _gold(attendees=[_attendee("Adam Jogee")])
    report = combine([score_document(gold, {"documents": _doc_pred()})])
    assert report.scored_kinds == ["documents", "attendees"]
    assert report.kinds["resolutions"].empty
    assert report.kinds["resolutions"].f1 == 1.0
    assert report.kinds["attendees"].f1 == 0.0
    assert report.overall == pytest.approx(0.5)


def test_combine_sums_counts_over_documents() -> None:
    gold = _gold(attendees=[_attendee("Adam Jogee"), _attendee("Zena Brabazon")])
    first = score_document(gold, {"documents": _doc_pred(), "attendees": [_attendee("Adam Jogee")]})
    second = score_document(gold, {"documents": _doc_pred(), "attendees": [_attendee("X Y")]})
    c = combine([first, second]).kinds["attendees"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 3)
    assert c.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_report_text_has_every_kind_and_an_overall_line() -> None:
    gold = _gold(attendees=[_attendee("Adam Jogee")])
    report = combine([score_document(gold, {"attendees": [_attendee("Zena Brabazon")]})])
    text = format_report(report)
    lines = text.splitlines()
    for kind in KINDS:
        assert any(line.startswith(kind) for line in lines), kind
    assert any(line.startswith("OVERALL") for line in lines)
    assert "Zena Brabazon" not in text
    verbose = format_report(report, verbose=True)
    assert "missed [x.txt] Adam Jogee (present)" in verbose
    assert "false  [x.txt] Zena Brabazon (present)" in verbose


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name_threshold": 101}, "name_threshold"),
        ({"text_threshold": -1}, "text_threshold"),
        ({"title_threshold": float("nan")}, "title_threshold"),
        ({"figure_rel_tol": -1e-9}, "figure_rel_tol"),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        EvalSettings(**kwargs)


def test_stricter_threshold_rejects_a_fuzzy_name() -> None:
    gold = _gold(attendees=[_attendee("Jon Smith")])
    pred = {"attendees": [_attendee("John Smith")]}
    assert score_document(gold, pred)["attendees"].tp == 1
    strict = EvalSettings(name_threshold=100)
    assert score_document(gold, pred, strict)["attendees"].tp == 0


def test_load_gold_fills_missing_kinds(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"document": {"doc_type": "report", "date": None, "title": "t"}}))
    gold = load_gold(path)
    assert gold["attendees"] == [] and gold["tables"] == []
    assert gold["document"]["source"] == "g.json"
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    with pytest.raises(ValueError, match="bad.json"):
        load_gold(bad)
