"""End to end through the CLI: ingest the corpus, search it, show, stats, export, rebuild."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS_PDF, ROOT, corpus_manifest
from index.fulltext import units_for_document
from index.store import RecordStore
from ingest.records import EXPORT_KINDS, DocumentRecord, Mention
from search.cli import main


def run(runner: CliRunner, home: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, ["--db", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_corpus_ingests_every_paper_with_a_text_layer(runner: CliRunner, corpus_home: Path) -> None:
    code, out, _ = run(runner, corpus_home, "stats", "--json")
    assert code == 0
    stats = json.loads(out)
    pdfs = list(CORPUS_PDF.glob("*.pdf"))
    scanned = [e for e in corpus_manifest() if "scanned" in e.get("layout_notes", "")]
    assert stats["records"]["documents"] >= len(pdfs) - len(scanned)
    assert stats["records"]["documents"] >= 12
    for kind in ("passages", "meetings", "attendees", "items", "resolutions", "tables", "figures"):
        assert stats["records"][kind] > 0, kind
    years = {int(y) for y in stats["documents_by_year"] if y != "None"}
    assert min(years) == 2011 and max(years) == 2026


def test_search_reoffending_2011_to_2014_finds_strategy_and_roundup(
    runner: CliRunner, corpus_home: Path
) -> None:
    code, out, _ = run(runner, corpus_home, "search", "reoffending", "--year", "2011..2014",
                       "--json", "--limit", "50")
    assert code == 0
    hits = json.loads(out)
    types = {h["doc_type"] for h in hits}
    assert "strategy" in types
    assert any("roundup" in h["source"] or "round" in h["title"].lower() for h in hits)
    for hit in hits:
        assert 2011 <= int(hit["date"][:4]) <= 2014
        assert hit["page"] >= 1
        assert "[" in hit["snippet"] or hit["kind"] != "passage"
        for key in ("source", "document_id", "title", "date", "doc_type", "page", "kind",
                    "snippet", "score"):
            assert key in hit


def test_search_with_no_match_exits_1(runner: CliRunner, corpus_home: Path) -> None:
    code, out, err = run(runner, corpus_home, "search", "zzyzxquokka")
    assert code == 1
    assert out == ""
    assert "no matches" in err


def test_a_stored_only_field_in_a_query_reads_as_words(runner: CliRunner,
                                                      corpus_home: Path) -> None:
    """Unit ids and sources are stored, not indexed: 'source:' is a word, as an unknown
    field is, rather than an error about Whoosh's fields."""
    words = run(runner, corpus_home, "search", "probation reoffending", "--json")
    for query in ("source:probation reoffending", "id:probation reoffending"):
        code, _, err = run(runner, corpus_home, "search", query, "--json")
        assert code == 1 and "no matches" in err and "Traceback" not in err, err
    assert words[0] == 0 and json.loads(words[1])  # the other two words alone find papers


@pytest.mark.parametrize("args", [["--year", "20x1"], ["--year", "2014..2011"]])
def test_bad_filters_are_usage_errors(
    runner: CliRunner, corpus_home: Path, args: list[str]
) -> None:
    code, _, err = run(runner, corpus_home, "search", "prevent", *args)
    assert code == 2
    assert "year" in err and "Traceback" not in err


def test_type_filter_and_kind_filter(runner: CliRunner, corpus_home: Path) -> None:
    code, out, _ = run(runner, corpus_home, "search", "noted", "--kind", "resolution", "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits and {h["kind"] for h in hits} == {"resolution"}
    assert {h["doc_type"] for h in hits} == {"minutes"}


def test_second_ingest_of_unchanged_corpus_parses_nothing(
    runner: CliRunner, corpus_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was sent to the parser")

    monkeypatch.setattr("index.update.ingest_file", no_parsing)
    before = json.loads(run(runner, corpus_home, "stats", "--json")[1])
    code, _, err = run(runner, corpus_home, "ingest", str(CORPUS_PDF), "-s", "-w", "1")
    assert code in (0, 3)  # 3 when the scanned paper cannot be read without OCR
    assert "0 ingested" in err
    assert "nothing changed" in err or "skipped" in err
    after = json.loads(run(runner, corpus_home, "stats", "--json")[1])
    assert before["records"] == after["records"]


def test_export_follows_the_contract(runner: CliRunner, corpus_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    code, _, _ = run(runner, corpus_home, "export", "--out", str(out))
    assert code == 0
    for kind in EXPORT_KINDS:
        lines = (out / f"{kind.kind}.jsonl").read_text(encoding="utf-8").splitlines()
        with (out / f"{kind.kind}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == kind.field_names()
        assert len(rows) - 1 == len(lines)
        for line in lines:
            assert set(json.loads(line)) == set(kind.field_names())
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    assert all(d["source"].startswith(str(CORPUS_PDF)) for d in docs)
    assert all(d["date"] is None or len(d["date"]) == 10 for d in docs)
    meetings = [json.loads(x) for x in (out / "meetings.jsonl").read_text().splitlines()]
    assert all(m["start_time"] is None or len(m["start_time"]) == 5 for m in meetings)
    table_files = list((out / "tables").glob("*.csv"))
    n_tables = len((out / "tables.jsonl").read_text().splitlines())
    assert len(table_files) == n_tables > 0


def test_show_document_by_source(runner: CliRunner, corpus_home: Path) -> None:
    source = str(sorted(CORPUS_PDF.glob("*minutes*.pdf"))[0])
    code, out, _ = run(runner, corpus_home, "show", source)
    assert code == 0
    data = json.loads(out)
    assert data["document"]["source"] == source
    assert data["document"]["doc_type"] == "minutes"
    assert data["items"]


def test_show_unknown_id_is_a_clear_error(runner: CliRunner, corpus_home: Path) -> None:
    code, _, err = run(runner, corpus_home, "show", "no-such-thing")
    assert code == 1
    assert "no document or record" in err


def test_index_rebuild_restores_search(runner: CliRunner, corpus_home: Path) -> None:
    before = json.loads(run(runner, corpus_home, "search", "prevent", "--json", "-n", "20")[1])
    code, _, err = run(runner, corpus_home, "index", "rebuild")
    assert code == 0 and "index rebuilt" in err
    after = json.loads(run(runner, corpus_home, "search", "prevent", "--json", "-n", "20")[1])
    assert [h["id"] for h in before] == [h["id"] for h in after]


def test_commands_without_a_store_say_what_to_do(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, tmp_path / "empty", "stats")
    assert code == 1
    assert "minutebook ingest" in err


COMMANDS = ["ingest", "search", "show", "stats", "export", "index", "eval", "debug",
            "people", "person", "entity", "resolutions", "actions", "items", "trace",
            "threads", "tables", "table", "figures"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(runner: CliRunner, command: str) -> None:
    result = runner.invoke(main, [command, "-h"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert f"minutebook {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_default_search_spans_papers_not_one_long_paper(runner: CliRunner, corpus_home: Path
                                                        ) -> None:
    code, out, _ = run(runner, corpus_home, "search", "reoffending", "--year", "2011..2014",
                       "--json")
    assert code == 0
    sources = [h["source"] for h in json.loads(out)]
    assert any("reoffending_strategy" in s for s in sources)
    assert any("year_end_roundup" in s for s in sources)
    assert max(sources.count(s) for s in sources) <= 3


def test_the_cli_process_freezes_its_heap_at_exit() -> None:
    """So the interpreter's teardown makes no full collections over the model and index
    objects (0.24 s of an ingest's exit before)."""
    script = ("import atexit, gc, search.cli; assert gc.get_freeze_count() == 0; "
              "atexit._run_exitfuncs(); print(gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert int(done.stdout) > 10_000


def test_index_units_carry_the_entities_named_on_their_page(corpus_home: Path) -> None:
    """Each unit's people and orgs fields list, sorted and once each, the people and the
    other entities mentioned on its page of its paper, and a field query finds them."""
    store = RecordStore(corpus_home / "records.sqlite")
    named = 0
    for doc in store.iter_records("documents"):
        assert isinstance(doc, DocumentRecord)
        mentions = [m for m in store.iter_records("mentions", "document_id=?", (doc.id,))
                    if isinstance(m, Mention)]
        for unit in units_for_document(store, doc):
            here = [m for m in mentions if m.page == unit["page"]]
            people = sorted({m.text for m in here if m.label == "PERSON"})
            others = sorted({m.text for m in here if m.label != "PERSON"})
            assert (unit["people"], unit["orgs"]) == (",".join(people), ",".join(others))
            named += bool(people)
    pages = {(m.document_id, m.page) for m in store.iter_records("mentions")
             if isinstance(m, Mention) and m.text == "Joe Benmore"}
    store.close()
    assert named > 30
    code, out, _ = run(CliRunner(), corpus_home, "search", 'people:"Joe Benmore"', "--json",
                       "--per-doc", "0", "--limit", "500")
    assert code == 0
    assert {(h["document_id"], h["page"]) for h in json.loads(out)} == pages
    assert len(pages) >= 5
