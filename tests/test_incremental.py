"""Incremental and crash-safe ingest: changed files replace records, a killed run loses nothing."""

from __future__ import annotations

import gc
import json
import multiprocessing
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index
from whoosh.fields import NUMERIC, TEXT, Schema
from whoosh.formats import Positions
from whoosh.multiproc import SubWriterTask

from conftest import CORPUS_PDF
from index import fulltext
from index import update as update_module
from index.fulltext import INDEX_NAME, IndexBatch, make_schema, schema_signature
from index.store import RecordStore
from index.update import frozen_heap, handing_order, update
from ingest.records import ALL_KINDS
from search.cli import main


def papers(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir(exist_ok=True)
    for pdf in sorted(CORPUS_PDF.glob("*.pdf"))[:n]:
        if "scanned" not in pdf.name:
            shutil.copy(pdf, folder / pdf.name)
    return folder


def invoke(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def stored_rows(home: Path) -> dict[str, list[tuple[object, ...]]]:
    store = RecordStore(home / "records.sqlite")
    try:
        return {kind.kind: [tuple(row) for row in store.iter_rows(
            f"SELECT * FROM {kind.kind} ORDER BY rowid")] for kind in ALL_KINDS}
    finally:
        store.close()


def doc_count(home: Path) -> int:
    return int(json.loads(invoke(home, "stats", "--json")[1])["records"]["documents"])


def test_changed_file_replaces_its_records_and_prune_drops_gone_files(tmp_path: Path) -> None:
    folder = papers(tmp_path, 4)
    home = tmp_path / "home"
    assert invoke(home, "ingest", str(folder), "-s", "-w", "1")[0] == 0
    n = doc_count(home)
    files = sorted(folder.glob("*.pdf"))
    shutil.copy(files[1], files[0])  # file 0 now holds another paper's content
    code, _, err = invoke(home, "ingest", str(folder), "-s", "-w", "1")
    assert code == 0 and "1 ingested" in err
    assert doc_count(home) == n - 1  # the two paths hold one paper; no stale records remain
    files[2].unlink()
    code, _, err = invoke(home, "ingest", str(folder), "--prune", "-s")
    assert "1 pruned" in err
    assert doc_count(home) == n - 2
    # What was indexed paper by paper during these runs is what a rebuild from the store gives.
    streamed = indexed_ids(home)
    assert invoke(home, "index", "rebuild")[0] == 0
    assert streamed == indexed_ids(home) and streamed


def indexed_ids(home: Path) -> list[str]:
    ix = whoosh_index.open_dir(str(home / "index"), indexname=INDEX_NAME)
    try:
        with ix.searcher() as searcher:
            return sorted(fields["id"] for fields in searcher.all_stored_fields())
    finally:
        ix.close()


def use_writer_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The multi-process index writer (two workers) from a few papers on, in small jobs."""
    monkeypatch.setattr(fulltext, "MP_UNITS", 1)
    monkeypatch.setattr(fulltext, "MIN_BATCH", 5)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_interrupted_ingest_leaves_the_last_good_index_and_a_rerun_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """With two workers the index is written by writer processes, which the interruption
    ends: Whoosh's own multi-process writer left them waiting, and the run hung on exit."""
    use_writer_processes(monkeypatch)
    folder = papers(tmp_path, 6)
    home = tmp_path / "home"
    first = sorted(folder.glob("*.pdf"))[:2]
    later = tmp_path / "later"
    later.mkdir()
    for pdf in sorted(folder.glob("*.pdf"))[2:]:
        shutil.move(pdf, later / pdf.name)
    assert invoke(home, "ingest", str(folder), "-s")[0] == 0
    before = json.loads(invoke(home, "search", "partnership", "--json", "-n", "200")[1])
    assert {h["source"] for h in before} <= {str(p) for p in first}
    for pdf in later.glob("*.pdf"):
        shutil.move(pdf, folder / pdf.name)

    real_put = RecordStore.put_document
    calls = {"n": 0}

    def dying_put(self: RecordStore, parsed: object) -> str:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the user pressed Ctrl-C half way
        return real_put(self, parsed)  # type: ignore[arg-type]

    monkeypatch.setattr(RecordStore, "put_document", dying_put)
    result = CliRunner().invoke(main, ["--db", str(home), "ingest", str(folder), "-s",
                                       "-w", workers])
    assert result.exit_code != 0 and calls["n"] == 3
    assert not [p for p in multiprocessing.active_children() if isinstance(p, SubWriterTask)]
    monkeypatch.setattr(RecordStore, "put_document", real_put)

    # The store and index are readable and still answer as before the interrupted run.
    mid = json.loads(invoke(home, "search", "partnership", "--json", "-n", "200")[1])
    assert {h["id"] for h in mid} == {h["id"] for h in before}
    code, _, err = invoke(home, "ingest", str(folder), "-s")
    assert code == 0
    total = len(list(folder.glob("*.pdf")))
    assert doc_count(home) == total
    after = json.loads(invoke(home, "search", "partnership", "--json", "-n", "500")[1])
    assert {h["source"] for h in after} == {str(p) for p in folder.glob("*.pdf")}


def ids_by_number(home: Path) -> list[str]:
    """The indexed unit ids in the order searches number them (ties go to the lower)."""
    ix = whoosh_index.open_dir(str(home / "index"), indexname=INDEX_NAME)
    try:
        with ix.reader() as reader:
            return [fields["id"] for _, fields in sorted(reader.iter_docs())]
    finally:
        ix.close()


def test_writer_processes_number_units_alike_on_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_writer_processes(monkeypatch)
    folder = papers(tmp_path, 5)
    runs = []
    for name in ("one", "two"):
        assert invoke(tmp_path / name, "ingest", str(folder), "-s", "-w", "2")[0] == 0
        runs.append(ids_by_number(tmp_path / name))
    assert runs[0] == runs[1]
    # Each paper's units stay together and in order, as one writer process numbers them.
    assert invoke(tmp_path / "single", "ingest", str(folder), "-s", "-w", "1")[0] == 0
    single = ids_by_number(tmp_path / "single")
    ix = whoosh_index.open_dir(str(tmp_path / "one" / "index"), indexname=INDEX_NAME)
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) == 2  # a segment per writer process
    ix.close()
    store = RecordStore(tmp_path / "one" / "records.sqlite")
    papers_of = {row[0] for row in store.iter_rows("SELECT id FROM documents", ())}
    store.close()
    for paper in papers_of:
        mine = [i for i in runs[0] if i.startswith(f"{paper}:")]
        assert mine == [i for i in single if i.startswith(f"{paper}:")]
        start = runs[0].index(mine[0])
        assert runs[0][start:start + len(mine)] == mine
    assert sorted(runs[0]) == sorted(single)


def test_the_heap_is_frozen_for_the_run_and_let_go_after(tmp_path: Path) -> None:
    """Objects alive before a run stay out of the collector while the workers are forked,
    and are collectable again after it."""
    store = RecordStore(tmp_path / "records.sqlite")
    during: list[int] = []
    update(store, [papers(tmp_path, 2)], workers=2,
           progress=lambda outcome: during.append(gc.get_freeze_count()))
    store.close()
    assert len(during) == 2 and min(during) > 1000
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own freeze is left as it was
    try:
        with frozen_heap():
            pass
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _with_spelling_field(schema: Schema) -> str:
    schema.add("spell_text", TEXT())
    return "spell_text"


def _with_tiered_years(schema: Schema) -> str:
    schema.remove("year")
    schema.add("year", NUMERIC(int, stored=True, sortable=True))  # eight trie terms a year
    return "year"


def _with_pickled_positions(schema: Schema) -> str:
    for name in ("title", "body", "section", "text"):  # Whoosh's own format, as before
        schema[name].format = Positions(field_boost=schema[name].format.field_boost)
    return "text"


def ingested(tmp_path: Path) -> tuple[Path, Path, list[dict[str, object]]]:
    """(papers folder, home, the hits for 'partnership') after ingesting three papers."""
    folder = papers(tmp_path, 3)
    home = tmp_path / "home"
    assert invoke(home, "ingest", str(folder), "-s")[0] == 0
    return folder, home, json.loads(invoke(home, "search", "partnership", "--json", "-n", "100")[1])


def rewrite_index(index_dir: Path, schema: Schema) -> None:
    """Rewrite the index as an older minutebook did: the same units, another schema."""
    old = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    units = [dict(fields) for fields in old.searcher().documents()]
    old.close()
    shutil.rmtree(index_dir)
    index_dir.mkdir()
    legacy = whoosh_index.create_in(str(index_dir), schema, indexname=INDEX_NAME)
    with legacy.writer() as writer:
        for unit in units:
            writer.add_document(**unit)
    legacy.close()


@pytest.mark.parametrize("older", [_with_spelling_field, _with_tiered_years,
                                   _with_pickled_positions])
def test_an_index_written_with_other_fields_is_rebuilt_on_the_next_ingest(
    tmp_path: Path, older: Callable[[Schema], str]
) -> None:
    folder, home, expected = ingested(tmp_path)
    index_dir = home / "index"
    schema = make_schema()
    changed = older(schema)
    rewrite_index(index_dir, schema)
    phrase = ["search", '"community safety"', "--json", "-n", "100"]
    before = json.loads(invoke(home, *phrase)[1])  # read as it is until then

    code, _, err = invoke(home, "ingest", str(folder), "-s")
    assert code == 0 and "3 unchanged" in err
    rebuilt = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    current = schema_signature(make_schema())
    assert schema_signature(rebuilt.schema) == current
    assert schema_signature(schema).get(changed) != current.get(changed)
    rebuilt.close()
    after = json.loads(invoke(home, "search", "partnership", "--json", "-n", "100")[1])
    assert [h["id"] for h in after] == [h["id"] for h in expected]
    after = json.loads(invoke(home, *phrase)[1])  # scores differ: the rewrite drops boosts
    assert before and {h["id"] for h in after} == {h["id"] for h in before}


def test_an_interrupted_rebuild_leaves_the_older_index_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild (another schema) is written beside the index and swapped in at commit."""
    folder, home, expected = ingested(tmp_path)
    index_dir = home / "index"
    schema = make_schema()
    _with_tiered_years(schema)
    rewrite_index(index_dir, schema)

    real_add = IndexBatch.add
    calls = {"n": 0}

    def dying_add(self: IndexBatch, doc_id: str) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the user pressed Ctrl-C during the rebuild
        real_add(self, doc_id)

    monkeypatch.setattr(IndexBatch, "add", dying_add)
    assert invoke(home, "ingest", str(folder), "-s")[0] != 0
    monkeypatch.setattr(IndexBatch, "add", real_add)
    assert calls["n"] == 2
    still = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    assert schema_signature(still.schema) == schema_signature(schema)  # the older index
    still.close()
    assert sorted(p.name for p in home.iterdir() if p.name.startswith("index")) == ["index"]
    during = json.loads(invoke(home, "search", "partnership", "--json", "-n", "100")[1])
    assert {h["id"] for h in during} == {h["id"] for h in expected}  # ranked without boosts

    assert invoke(home, "ingest", str(folder), "-s")[0] == 0  # the next run rebuilds it
    rebuilt = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    assert schema_signature(rebuilt.schema) == schema_signature(make_schema())
    rebuilt.close()
    after = json.loads(invoke(home, "search", "partnership", "--json", "-n", "100")[1])
    assert [h["id"] for h in after] == [h["id"] for h in expected]


def test_handing_order_gives_the_last_papers_largest_first() -> None:
    assert handing_order([1, 5, 2, 9, 3], workers=1) == [0, 3, 1, 4, 2]
    assert handing_order([4, 4, 7], workers=2) == [2, 0, 1]  # equal sizes keep their order
    assert handing_order(list(range(20)), workers=2) == [*range(12), *range(19, 11, -1)]


def test_papers_handed_out_of_order_are_stored_in_order(tmp_path: Path) -> None:
    """Two workers store the papers in their listed order, as one worker does, though the
    last ones are handed out largest first."""
    folder = papers(tmp_path, 10)
    sizes = [p.stat().st_size for p in sorted(folder.glob("*.pdf"))]
    assert handing_order(sizes, 2) != list(range(len(sizes)))  # this folder is reordered
    stored = []
    for workers in ("1", "2"):
        home = tmp_path / f"home-{workers}"
        assert invoke(home, "ingest", str(folder), "-s", "-w", workers)[0] == 0
        stored.append(stored_rows(home))
    assert stored[1] == stored[0]
    sources = [Path(row[1]).name for row in stored[0]["documents"]]
    assert sources == sorted(p.name for p in folder.glob("*.pdf"))


LOAD_READERS = """
import sys
from pathlib import Path
from ingest.readers.registry import load_readers
load_readers([Path("notes.txt"), Path("page.html")])
print("pdfplumber" in sys.modules)
load_readers([Path("notes.txt"), Path("minutes.PDF")])
print("pdfplumber" in sys.modules, "ingest.readers.pdf" in sys.modules)
"""


def test_the_pdf_reader_is_imported_before_the_workers_fork(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """update() imports the readers of the papers to parse before forking its workers, so
    that each worker starts with pdfplumber loaded instead of importing it again."""
    done = subprocess.run([sys.executable, "-c", LOAD_READERS], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.split() == ["False", "True", "True"]
    asked: list[list[Path]] = []
    monkeypatch.setattr(update_module, "load_readers", lambda paths: asked.append(list(paths)))
    folder = papers(tmp_path, 3)
    for workers in (1, 2):
        store = RecordStore(tmp_path / f"home-{workers}" / "records.sqlite")
        update(store, [folder], workers=workers)
        store.close()
    assert asked == [sorted(folder.glob("*.pdf"))]  # with 2 workers only, before parsing


ADD_ONE = """
import json, os, sys
from pathlib import Path
import index.update as update_module
import ingest.pipeline as pipeline
from index.store import RecordStore
from ingest.nlp import pipeline_loaded
home, paper = Path(sys.argv[1]), Path(sys.argv[2])
home.mkdir(parents=True, exist_ok=True)
(home / "read-by").unlink(missing_ok=True)
real_read_file = pipeline.read_file
def read_file(path, *args):
    (home / "read-by").write_text(str(os.getpid()))
    return real_read_file(path, *args)
update_module.read_file = pipeline.read_file = read_file
if sys.argv[3:] == ["broken"]:
    def import_spacy():
        raise RuntimeError("a broken model")
    import ingest.nlp
    ingest.nlp.import_spacy = import_spacy
store = RecordStore(home / "records.sqlite")
summary = update_module.update(store, [paper], workers=2)
print(json.dumps({"parent": os.getpid(), "read_by": int((home / "read-by").read_text()),
                  "model_loaded": pipeline_loaded(), "statuses": dict(summary.statuses)}))
"""


def _add_one(home: Path, paper: Path, *how: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", ADD_ONE, str(home), str(paper), *how],
                          capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    return dict(json.loads(done.stdout.splitlines()[-1]))


def test_one_paper_is_read_in_another_process_while_the_model_loads(tmp_path: Path) -> None:
    """With a spare core, a single new paper is read in a forked process while this one
    loads the model, and gives the records one process gives; a model that fails to
    load fails the paper, not the run; a paper skipped before is tried again in this
    process, without loading a model it would not use."""
    paper = CORPUS_PDF / "2023-10_csp_minutes.pdf"
    ran = _add_one(tmp_path / "overlapped", paper)
    assert ran["read_by"] != ran["parent"] and ran["model_loaded"]
    assert ran["statuses"] == {"ingested": 1}
    store = RecordStore(tmp_path / "one" / "records.sqlite")
    update(store, [paper], workers=1)
    store.close()
    assert stored_rows(tmp_path / "overlapped") == stored_rows(tmp_path / "one")
    assert _add_one(tmp_path / "broken", paper, "broken")["statuses"] == {"failed": 1}

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00" * 64 + b"\n%%EOF\n")
    first = _add_one(tmp_path / "bad-home", bad)
    assert first["statuses"] == {"skipped": 1} and first["read_by"] != first["parent"]
    again = _add_one(tmp_path / "bad-home", bad)
    assert again["statuses"] == {"skipped": 1}
    assert again["read_by"] == again["parent"] and not again["model_loaded"]
