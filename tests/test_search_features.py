"""Search that answers users' questions: relevance floor, spelling, records, facets, sorting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from search.cli import main
from search.relevance import ndcg, reciprocal_rank

QUERIES = ROOT / "tests" / "relevance" / "queries.json"
MRR_FLOOR = 0.95  # measured 0.988 on the corpus; raise with improvements, never lower
NDCG_FLOOR = 0.88  # measured 0.926 with the CLI's cap of 3 hits per paper


def invoke(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_metrics_on_hand_made_rankings() -> None:
    grades = {("a.pdf", 1): 2, ("b.pdf", 3): 1}
    assert reciprocal_rank([("x.pdf", 1), ("b.pdf", 3)], grades) == 0.5
    assert ndcg([("a.pdf", 1), ("b.pdf", 3)], grades) == pytest.approx(1.0)
    assert ndcg([("b.pdf", 3), ("a.pdf", 1)], grades) < 1.0
    assert ndcg([("x.pdf", 9)], grades) == 0.0


def test_relevance_of_judged_queries_keeps_its_floor(corpus_home: Path) -> None:
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    assert len(queries) >= 30
    code, out, _ = invoke(corpus_home, "eval", "--relevance", str(QUERIES), "--json")
    assert code == 0
    report = json.loads(out)
    print(f"MRR {report['mrr']:.3f} nDCG@10 {report['ndcg@10']:.3f}")
    assert report["mrr"] >= MRR_FLOOR
    assert report["ndcg@10"] >= NDCG_FLOOR


@pytest.mark.parametrize("typo,fixed", [("reofending", "reoffending"), ("Benmoor", "benmore"),
                                        ("Northumbreland", "northumberland")])
def test_misspelling_is_corrected_and_the_corrected_search_runs(
    corpus_home: Path, typo: str, fixed: str
) -> None:
    code, out, err = invoke(corpus_home, "search", typo, "--json")
    assert code == 0
    assert f"showing results for {fixed!r}" in err
    assert json.loads(out)


def test_a_fuzzy_word_is_searched_as_asked_without_a_suggestion(corpus_home: Path) -> None:
    code, out, err = invoke(corpus_home, "search", "reofending~", "--json")
    assert code == 0
    assert "did you mean" not in err and "showing results for" not in err
    assert any("reoffending" in hit["snippet"].lower() for hit in json.loads(out))


def test_a_suggestion_keeps_known_words_and_names_the_corpus_word(corpus_home: Path) -> None:
    code, _, err = invoke(corpus_home, "search", "reofending strategy", "--json")
    assert code == 0
    assert "showing results for 'reoffending strategy'" in err


def test_question_what_was_resolved_about_prevent_since_2013(corpus_home: Path) -> None:
    code, out, _ = invoke(corpus_home, "resolutions", "prevent", "--since", "2013", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 5
    for row in rows:
        assert row["date"] >= "2013-01-01" and row["item_number"] and row["page"] >= 1
        assert "prevent" in (row["text"] + (row["item_title"] or "")).lower()


def test_question_who_led_on_iom_and_their_actions(corpus_home: Path) -> None:
    code, out, _ = invoke(corpus_home, "actions", "--owner", "Joe Benmore", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all("Benmore" in r["owner"] for r in rows)
    code, out, _ = invoke(corpus_home, "actions", "--status", "done", "--json")
    assert code == 0 and {r["current_status"] for r in json.loads(out)} == {"done"}


def test_question_where_are_the_outreach_figures(corpus_home: Path) -> None:
    code, out, _ = invoke(corpus_home, "search", '"night outreach"', "--kind", "table", "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits and all(h["kind"] == "table" and h["page"] >= 1 and h["year"] for h in hits)


def test_items_search_and_bad_date(corpus_home: Path) -> None:
    code, out, _ = invoke(corpus_home, "items", "offender", "--csv")
    assert code == 0 and out.splitlines()[0].startswith("id,date,document,number,title")
    code, _, err = invoke(corpus_home, "resolutions", "--since", "last year")
    assert code == 2 and "bad date" in err


def test_facets_and_date_sort(corpus_home: Path) -> None:
    code, out, err = invoke(corpus_home, "search", "prevent", "--facets", "--sort", "date",
                            "--json", "-n", "20")
    assert code == 0
    assert "by year:" in err and "by doc_type:" in err and "by kind:" in err
    dates = [h["date"] for h in json.loads(out) if h["date"]]
    assert dates == sorted(dates, reverse=True)
