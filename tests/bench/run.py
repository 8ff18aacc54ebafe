"""The benchmark runner: ``python -m tests.bench.run [--docs N] [--passages-sizes ...] [--smoke]``.

Measures, as medians over ``--runs`` runs: ingest pages/s with 1 worker and
with every core, the read / parse / NLP / store / index split, a no-op
re-ingest, index build passages/s and query latency p50/p95 at each passage
count, peak memory (each phase runs in a fresh process, so its peak RSS is its
own) and index size on disk. Beside them, in the same run: SQLite FTS5 over
the same passages and queries, and pdftotext, pypdfium2 and plain pdfplumber
over the same PDFs. Prints a table with ratios (minutebook / baseline) and
ends with one ``bench summary:`` line. Results also go to OUT/results.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from multiprocessing import get_all_start_methods, get_context, set_start_method
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
Result = dict[str, Any]


# -- helpers ------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, int(-(-pct * len(ordered) // 100)))
    return ordered[rank - 1]


def peak_rss_mb() -> dict[str, float]:
    """This process's peak RSS and its largest finished child's, in MiB (Linux: KiB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_mb": round(own, 1), "child_rss_mb": round(kids, 1)}


def disk_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def in_fresh_process(fn: Callable[..., Result], *args: Any) -> Result:
    """Run one phase in a new interpreter so its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_phase, fn, *args).result()


def _phase(fn: Callable[..., Result], *args: Any) -> Result:
    """``fn`` with the processes it starts forked, as from ``minutebook`` on Linux.

    A spawned interpreter starts its own processes by spawning too, so Whoosh's
    writer processes would import everything afresh and leave out what minutebook
    sets up on import (index/whoosh_columns.py), and cost more than they do for a user.
    """
    if "fork" in get_all_start_methods():
        set_start_method("fork", force=True)
    return fn(*args)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0.0
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        f", spaCy {_version('spacy')}, glyph loop in {_built('readers._glyphs', 'C', 'Python')}"
        f", NER steps via {_built('_parser_blas', 'OpenBLAS', 'BLIS')}"
    )


def _built(module: str, built: str, fallback: str) -> str:
    """``built`` when the install compiled ``ingest.<module>`` (the reader's glyph loop,
    the recogniser's BLAS bridge), else ``fallback``.

    Looked up, not imported: the reader's imports (pdfplumber, pypdfium2) in this
    process added 20 MiB to the peak RSS every spawned phase reports.
    """
    return fallback if importlib.util.find_spec(f"ingest.{module}") is None else built


def _version(package: str) -> str:
    """An installed package's version: the NER's speed depends on spaCy's build (ingest/nlp.py)."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


# -- ingest -------------------------------------------------------------------------------


class _NlpClock:
    """Wraps ingest.pipeline.extract_mentions to time NLP (in-process runs only)."""

    def __init__(self) -> None:
        import ingest.pipeline as pipeline

        self.seconds = 0.0
        self.inner = pipeline.extract_mentions
        pipeline.extract_mentions = self

    def __call__(self, doc: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.inner(doc)
        finally:
            self.seconds += time.perf_counter() - start


class _IndexClock:
    """Times IndexBatch.add and IndexBatch.commit (in-process runs only)."""

    def __init__(self) -> None:
        from index.fulltext import IndexBatch

        self.seconds = 0.0
        for name in ("add", "commit"):
            setattr(IndexBatch, name, self._timed(getattr(IndexBatch, name)))

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


def _one_ingest(pdf_dir: Path, home: Path, workers: int, clock: _NlpClock,
                index_clock: _IndexClock) -> Result:
    """``minutebook ingest`` in process: papers are indexed as they are stored."""
    from index.fulltext import FullTextIndex
    from index.store import RecordStore
    from index.update import update
    from ingest.pipeline import Outcome

    shutil.rmtree(home, ignore_errors=True)
    store = RecordStore(home / "records.sqlite")
    split = {"read": 0.0, "parse": 0.0}

    def progress(outcome: Outcome) -> None:
        for key in split:
            split[key] += outcome.timings.get(key, 0.0)

    clock.seconds = index_clock.seconds = 0.0
    t0 = time.perf_counter()
    summary = update(store, [pdf_dir], workers=workers, progress=progress,
                     index=FullTextIndex(home / "index"))
    seconds = time.perf_counter() - t0
    store.close()
    one = workers == 1
    nlp = clock.seconds if one else float("nan")
    return {
        "seconds": seconds,
        "pages": summary.pages,
        "docs": summary.statuses["ingested"],
        "problems": summary.problems,
        "read": split["read"],
        "parse": split["parse"] - nlp if one else split["parse"],
        "nlp": nlp,
        "store": seconds - split["read"] - split["parse"] - index_clock.seconds
        if one else float("nan"),
        "index": index_clock.seconds,
    }


def _noop_ingest(pdf_dir: Path, home: Path, workers: int) -> float:
    from index.fulltext import FullTextIndex
    from index.store import RecordStore
    from index.update import update

    store = RecordStore(home / "records.sqlite")
    t0 = time.perf_counter()
    summary = update(store, [pdf_dir], workers=workers, index=FullTextIndex(home / "index"))
    seconds = time.perf_counter() - t0
    store.close()
    if summary.statuses["ingested"]:
        raise RuntimeError(f"no-op re-ingest parsed files: {summary.line()}")
    return seconds


def phase_ingest(pdf_dir: Path, work: Path, workers: int, runs: int) -> Result:
    """Ingest the scaled corpus ``runs`` times into fresh stores; no-op re-ingest after each."""
    from ingest.nlp import load_pipeline

    start = time.perf_counter()
    load_pipeline()  # the model loads once per process (workers inherit it by fork)
    model_load = time.perf_counter() - start
    clock, index_clock = _NlpClock(), _IndexClock()
    home = work / f"ingest-w{workers}"
    samples = []
    noops = []
    for _ in range(runs):
        samples.append(_one_ingest(pdf_dir, home, workers, clock, index_clock))
        noops.append(_noop_ingest(pdf_dir, home, workers))
    keys = ("seconds", "read", "parse", "nlp", "store", "index")
    out: Result = {k: median([s[k] for s in samples]) for k in keys}
    out.update(
        pages=samples[0]["pages"],
        docs=samples[0]["docs"],
        problems=samples[0]["problems"],
        pages_per_s=median([s["pages"] / s["seconds"] for s in samples]),
        noop_seconds=median(noops),
        model_load=model_load,
        store_bytes=disk_size(home / "records.sqlite"),
        index_bytes=disk_size(home / "index"),
        runs=runs,
    )
    out.update(peak_rss_mb())
    return out


# -- a user's store -----------------------------------------------------------------------

NEW_PAPER = ROOT / "corpus" / "pdf" / "2023-10_csp_minutes.pdf"  # not in any scaled corpus
STORE_QUERY = "community safety"


def _cli_seconds(*args: object) -> float:
    """Wall time of one ``minutebook`` command in a new interpreter, as a user runs it."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise RuntimeError(f"minutebook {' '.join(map(str, args))}: {done.stderr[-300:]}")
    return seconds


PACKAGES = ("ingest", "index", "search")


def compile_modules() -> None:
    """Byte-compile minutebook's modules, as an installed package has them and as Python
    writes them on a user's first run. Where PYTHONDONTWRITEBYTECODE is set (as on the
    machines this benchmark has run on) every command would compile them again: 0.08 s of
    each command there."""
    import compileall

    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)


def phase_store(pdf_dir: Path, work: Path, workers: int, runs: int) -> Result:
    """The whole scaled corpus in one store, then what a user does with it, end to end.

    Every figure is the wall time of the ``minutebook`` command (interpreter start,
    imports, model load included): the first ingest (once), a no-op re-ingest, one
    new paper added to a copy of the store, and a search. The peak RSS is that of
    the largest process of the first ingest (main or worker).
    """
    compile_modules()
    home = work / "store"
    shutil.rmtree(home, ignore_errors=True)
    first = _cli_seconds("--db", home, "ingest", pdf_dir, "--workers", workers, "-s")
    rss = peak_rss_mb()["child_rss_mb"]
    noop = [_cli_seconds("--db", home, "ingest", pdf_dir, "-s") for _ in range(runs)]
    search = [_cli_seconds("--db", home, "search", STORE_QUERY) for _ in range(runs)]
    adds = []
    for _ in range(runs):
        trial = work / "store-plus-one"
        shutil.rmtree(trial, ignore_errors=True)
        shutil.copytree(home, trial)
        adds.append(_cli_seconds("--db", trial, "ingest", NEW_PAPER, "-s"))
    shutil.rmtree(work / "store-plus-one", ignore_errors=True)
    return {
        "docs": len(list(pdf_dir.glob("*.pdf"))),
        "first_ingest_s": first,
        "noop_cli_s": median(noop),
        "search_cli_s": median(search),
        "add_one_cli_s": median(adds),
        "ingest_peak_rss_mb": rss,
        "store_bytes": disk_size(home / "records.sqlite"),
        "index_bytes": disk_size(home / "index"),
        "runs": runs,
    }


# -- extraction baselines -----------------------------------------------------------------


def _pdftotext(files: list[Path]) -> None:
    for f in files:
        subprocess.run(["pdftotext", "-q", str(f), "-"], check=True, stdout=subprocess.PIPE)


def _pypdfium2(files: list[Path]) -> None:
    import pypdfium2 as pdfium

    for f in files:
        pdf = pdfium.PdfDocument(f)
        for page in pdf:
            page.get_textpage().get_text_range()
            page.close()
        pdf.close()


def _pdfplumber(files: list[Path]) -> None:
    import pdfplumber

    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()


def _page_count(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for f in files:
        pdf = pdfium.PdfDocument(f)
        total += len(pdf)
        pdf.close()
    return total


def phase_extract(name: str, files: list[Path], runs: int) -> Result:
    """Plain text extraction of the same PDFs: the limit any reader works against."""
    fn = {"pdftotext": _pdftotext, "pypdfium2": _pypdfium2, "pdfplumber": _pdfplumber}[name]
    if name == "pdftotext" and not shutil.which("pdftotext"):
        return {"missing": True}
    pages = _page_count(files)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(files)
        times.append(time.perf_counter() - start)
    out: Result = {"seconds": median(times), "pages": pages,
                   "pages_per_s": pages / median(times), "runs": runs}
    out.update(peak_rss_mb())
    return out


# -- index scaling ------------------------------------------------------------------------


def _filters(q: Result) -> Any:
    from search.query import Filters

    return Filters(year_from=q.get("year_from"), year_to=q.get("year_to"),
                   doc_type=q.get("doc_type"))


def _whoosh_query(index: Any, q: Result, sort: str = "relevance") -> int:
    from search.query import search

    return len(search(index, q["text"], _filters(q), limit=10, sort=sort).hits)


EXACT_CHECK_MAX = 100_000  # above this, scoring every match of 210 queries takes minutes


def _exact_top10(index: Any, queries: list[Result]) -> int:
    """How many queries' top 10 (by score) equal those of scoring every match.

    Whoosh's top-N collector prunes as scores rise; this keeps its speed honest
    (search/whoosh_fix.py mends the fault it found).
    """
    from search.query import WEIGHTING, filter_query, parse_query, search

    searcher = index.searcher(weighting=WEIGHTING)
    same = 0
    for q in queries:
        filters = _filters(q)
        result = search(index, q["text"], filters, limit=10)
        text = result.suggestion if result.corrected and result.suggestion else q["text"]
        every = searcher.search(parse_query(text, searcher.schema),
                                filter=filter_query(filters, searcher.schema), limit=None,
                                terms=True)  # as search() runs it: fuzzy terms then score
        best = sorted((round(h.score, 3) for h in every), reverse=True)[:10]
        same += best == [h.score for h in result.hits]
    return same


def _exact_date_order(index: Any, queries: list[Result]) -> int:
    """How many queries' first 10 newest first equal those of Whoosh's own sort on the date
    column (search/newest_first.py gives its keys, arrays order the matches)."""
    from whoosh import sorting

    from search.query import WEIGHTING, filter_query, parse_query, search

    searcher = index.searcher(weighting=WEIGHTING)
    newest = sorting.FieldFacet("date", reverse=True)
    same = 0
    for q in queries:
        filters = _filters(q)
        result = search(index, q["text"], filters, limit=10, sort="date")
        text = result.suggestion if result.corrected and result.suggestion else q["text"]
        own = searcher.search(parse_query(text, searcher.schema), sortedby=newest, limit=10,
                              filter=filter_query(filters, searcher.schema))
        same += [h["id"] for h in own] == [h.id for h in result.hits]
    return same


def _fts5_match(q: Result, vocab: list[str]) -> str:
    if q.get("fuzzy"):
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        word = q["terms"][0]
        near = process.extract(word, vocab, scorer=Levenshtein.distance, score_cutoff=2,
                               limit=20)
        terms = [f'"{t}"' for t, _, _ in near] or [f'"{word}"']
        expr = " OR ".join(terms)
    else:
        expr = " ".join(f'"{t}"' for t in q["terms"])
    return "{title section text}: (" + expr + ")"


def _fts5_query(db_path: Path, q: Result, vocab: list[str], sort: str = "relevance") -> int:
    db = sqlite3.connect(db_path)
    sql = (
        "SELECT id, title, page, snippet(passages, 2, '[', ']', ' ... ', 16) FROM passages "
        "WHERE passages MATCH ?"
    )
    params: list[Any] = [_fts5_match(q, vocab)]
    if q.get("doc_type"):
        sql += " AND doc_type = ?"
        params.append(q["doc_type"])
    if q.get("year_from"):
        sql += " AND year BETWEEN ? AND ?"
        params += [q["year_from"], q["year_to"]]
    if sort == "date":  # newest first; one date's passages in the order they were added
        sql += " ORDER BY date DESC, rowid LIMIT 10"
    else:
        sql += " ORDER BY bm25(passages, 2.0, 1.5, 1.0, 0.0, 0.0) LIMIT 10"
    rows = db.execute(sql, params).fetchall()
    db.close()
    return len(rows)


def _latencies(run_query: Callable[[Result], int], queries: list[Result],
               runs: int) -> Result:
    p50s, p95s, means = [], [], []
    hits = 0
    errors: list[str] = []
    for _ in range(runs):
        lat = []
        hits = 0
        errors = []
        for q in queries:
            start = time.perf_counter()
            try:
                hits += run_query(q) > 0
            except Exception as exc:  # a failing query is counted and reported, not fatal
                errors.append(f"{q['text']!r}: {type(exc).__name__}: {exc}"[:160])
            lat.append(time.perf_counter() - start)
        p50s.append(percentile(lat, 50))
        p95s.append(percentile(lat, 95))
        means.append(statistics.fmean(lat))
    return {"p50_ms": median(p50s) * 1000, "p95_ms": median(p95s) * 1000,
            "mean_ms": median(means) * 1000, "queries_with_hits": hits, "errors": errors}


def phase_index(backend: str, passages: Path, size: int, work: Path, builds: int,
                runs: int) -> Result:
    """Build the index ``builds`` times (median passages/s), then time the query set."""
    from tests.bench.passages import build_fts5, build_whoosh, query_set

    target = work / f"{backend}-{size}"
    times = []
    for _ in range(builds):
        shutil.rmtree(target, ignore_errors=True)
        start = time.perf_counter()
        if backend == "whoosh":
            build_whoosh(target, passages)
        else:
            build_fts5(target / "fts.sqlite", passages)
        times.append(time.perf_counter() - start)
    queries = query_set()
    out: Result = {"build_seconds": median(times), "passages_per_s": size / median(times),
                   "bytes": disk_size(target), "builds": builds, "queries": len(queries)}
    if backend == "whoosh":
        from index.fulltext import FullTextIndex

        index = FullTextIndex(target)
        out.update(_latencies(lambda q: _whoosh_query(index, q), queries, runs))
        out["by_date"] = _latencies(lambda q: _whoosh_query(index, q, "date"), queries, runs)
        if size <= EXACT_CHECK_MAX:
            out["top10_exact"] = _exact_top10(index, queries)
            out["date_order_exact"] = _exact_date_order(index, queries)
    else:
        db_path = target / "fts.sqlite"
        start = time.perf_counter()
        with sqlite3.connect(db_path) as db:
            vocab = [r[0] for r in db.execute("SELECT term FROM vocab")]
        out["vocab_load_ms"] = (time.perf_counter() - start) * 1000
        out.update(_latencies(lambda q: _fts5_query(db_path, q, vocab), queries, runs))
        out["by_date"] = _latencies(lambda q: _fts5_query(db_path, q, vocab, "date"), queries,
                                    runs)
    out.update(peak_rss_mb())
    return out


# -- report -------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    if not b or b != b or a != a:
        return "n/a"
    return f"{a / b:.3g}x"


def _row(rows: list[list[str]], metric: str, mb: float, base: float | None, base_name: str,
         fmt: str = "{:.1f}") -> None:
    rows.append([metric, fmt.format(mb), base_name,
                 fmt.format(base) if base is not None else "missing",
                 _ratio(mb, base) if base is not None else "n/a"])


def _ingest_rows(res: Result, rows: list[list[str]]) -> None:
    one, many = res["ingest_1"], res["ingest_all"]
    ext = res["extract"]
    for name in ("pdftotext", "pypdfium2", "pdfplumber"):
        base = None if ext[name].get("missing") else ext[name]["pages_per_s"]
        _row(rows, "ingest pages/s, 1 worker (higher is better)", one["pages_per_s"], base, name)
    cores = res["workers"]
    _row(rows, f"ingest pages/s, {cores} workers", many["pages_per_s"], one["pages_per_s"],
         "mb 1 worker")
    _row(rows, f"ingest pages/s, {cores} workers", many["pages_per_s"],
         ext["pdfplumber"]["pages_per_s"], "pdfplumber, 1 core")
    _row(rows, "no-op re-ingest s (unchanged corpus)", many["noop_seconds"], many["seconds"],
         "full ingest", "{:.3f}")
    _row(rows, "peak RSS MiB, ingest 1 worker", one["rss_mb"],
         ext["pdfplumber"]["rss_mb"], "pdfplumber")
    _row(rows, f"peak RSS MiB, largest of {cores} workers", many["child_rss_mb"],
         one["rss_mb"], "mb 1 worker")


TARGETS = {"add_one_cli_s": 2.0, "search_cli_s": 0.5, "noop_1000_s": 2.0}


def _store_rows(res: Result, rows: list[list[str]]) -> None:
    st = res["store"]
    n = f"{st['docs']:,}"
    _row(rows, f"add one paper to a store of {n}, s (CLI)", st["add_one_cli_s"],
         TARGETS["add_one_cli_s"], "target", "{:.2f}")
    _row(rows, f"search, s (CLI, store of {n})", st["search_cli_s"],
         TARGETS["search_cli_s"], "target", "{:.2f}")
    _row(rows, f"no-op re-ingest of {n}, s (CLI)", st["noop_cli_s"],
         TARGETS["noop_1000_s"], "target (1,000)", "{:.2f}")
    if "ingest_all" in res:
        small = res["ingest_all"]
        _row(rows, f"peak RSS MiB, ingest of {n} (largest process)", st["ingest_peak_rss_mb"],
             max(small["rss_mb"], small["child_rss_mb"]), f"ingest of {small['docs']}")


def _index_rows(res: Result, rows: list[list[str]]) -> None:
    for size, pair in res["index"].items():
        w, f = pair["whoosh"], pair["fts5"]
        n = f"{int(size):,}"
        _row(rows, f"index build passages/s @{n} (higher is better)", w["passages_per_s"],
             f["passages_per_s"], "fts5", "{:.0f}")
        _row(rows, f"query p50 ms @{n}", w["p50_ms"], f["p50_ms"], "fts5", "{:.2f}")
        _row(rows, f"query p95 ms @{n}", w["p95_ms"], f["p95_ms"], "fts5", "{:.2f}")
        if "by_date" in w and "by_date" in f:
            wd, fd = w["by_date"], f["by_date"]
            _row(rows, f"newest first p50 ms @{n}", wd["p50_ms"], fd["p50_ms"], "fts5",
                 "{:.2f}")
            _row(rows, f"newest first p95 ms @{n}", wd["p95_ms"], fd["p95_ms"], "fts5",
                 "{:.2f}")
        _row(rows, f"index size MiB @{n}", w["bytes"] / 2**20, f["bytes"] / 2**20, "fts5",
             "{:.1f}")
        _row(rows, f"peak RSS MiB, build+query @{n}", w["rss_mb"], f["rss_mb"], "fts5")


def _split_line(one: Result) -> str:
    parts = {k: one[k] for k in ("read", "parse", "nlp", "store", "index")}
    total = sum(parts.values()) or 1.0
    return ", ".join(f"{k} {v:.2f}s ({100 * v / total:.0f}%)" for k, v in parts.items())


def render_table(res: Result) -> str:
    rows: list[list[str]] = []
    if "ingest_1" in res:
        _ingest_rows(res, rows)
    if "store" in res:
        _store_rows(res, rows)
    _index_rows(res, rows)
    head = ["metric", "minutebook", "baseline", "baseline value", "ratio mb/base"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(head, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _extract_ratio(res: Result, name: str, pages_per_s: float) -> str:
    """minutebook's pages/s over an extraction baseline's, from the same run."""
    base = res["extract"][name]
    return "n/a" if base.get("missing") else _ratio(pages_per_s, base["pages_per_s"])


def summary_line(res: Result) -> str:
    parts: list[str] = []
    if "ingest_1" in res:
        one, many = res["ingest_1"], res["ingest_all"]
        ptt_ratio = _extract_ratio(res, "pdftotext", one["pages_per_s"])
        plain_ratio = _extract_ratio(res, "pdfplumber", many["pages_per_s"])
        parts.append(
            f"{one['docs']} docs/{one['pages']} pages; ingest {one['pages_per_s']:.1f} pages/s "
            f"(1w, {ptt_ratio} pdftotext), {many['pages_per_s']:.1f} pages/s "
            f"({res['workers']}w, {plain_ratio} pdfplumber on 1 core); "
            f"no-op {many['noop_seconds']:.2f}s"
        )
    if "store" in res:
        st = res["store"]
        parts.append(
            f"store of {st['docs']:,}: add one {st['add_one_cli_s']:.2f}s, search "
            f"{st['search_cli_s']:.2f}s, no-op {st['noop_cli_s']:.2f}s (CLI)"
        )
    for size, pair in res["index"].items():
        w, f = pair["whoosh"], pair["fts5"]
        parts.append(
            f"@{int(size):,}: build {w['passages_per_s']:.0f} p/s "
            f"({_ratio(w['passages_per_s'], f['passages_per_s'])} fts5), "
            f"query p50/p95 {w['p50_ms']:.1f}/{w['p95_ms']:.1f} ms "
            f"({_ratio(w['p50_ms'], f['p50_ms'])}/{_ratio(w['p95_ms'], f['p95_ms'])} fts5)"
            + (f", newest first p95 {w['by_date']['p95_ms']:.1f} ms "
               f"({_ratio(w['by_date']['p95_ms'], f['by_date']['p95_ms'])} fts5)"
               if "by_date" in w and "by_date" in f else "")
        )
    peak = max([p["whoosh"]["rss_mb"] for p in res["index"].values()]
               + [res.get("ingest_1", {}).get("rss_mb", 0.0)])
    parts.append(f"peak RSS {peak:.0f} MiB; runs {res['runs']}")
    return "bench summary: " + "; ".join(parts)


# -- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="minutebook benchmark (see docs/PERFORMANCE.md)")
    ap.add_argument("--docs", type=int, default=100, help="scaled corpus size (documents)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="varied body copies per document (4 gives ~10 pages per document)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--passages-sizes", default="10000,100000",
                    help="comma-separated passage counts for index scaling")
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    ap.add_argument("--large-build-runs", type=int, default=None,
                    help="index builds above 10,000 passages (default: --runs)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out")
    ap.add_argument("--store-docs", type=int, default=None,
                    help="documents in the store for the CLI timings (default: --docs; 0: skip)")
    ap.add_argument("--skip-ingest", action="store_true", help="index scaling only")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny sizes (3 documents, 1,000 passages, 1 run): CI keeps it working")
    args = ap.parse_args(argv)
    if args.smoke:
        args.docs, args.passages_sizes, args.runs, args.repeat = 3, "1000", 1, 1
    if args.store_docs is None:
        args.store_docs = args.docs
    return args


def run_ingest(args: argparse.Namespace, res: Result, log: Callable[[str], None]) -> None:
    from tests.bench.scale_corpus import generate

    pdf_dir = args.out / f"corpus-{args.docs}-s{args.seed}-r{args.repeat}"
    log(f"rendering {args.docs} documents into {pdf_dir}")
    files = generate(pdf_dir, args.docs, args.seed, args.repeat, workers=args.workers)
    for name in ("pdftotext", "pypdfium2", "pdfplumber"):
        log(f"extract baseline {name}")
        res["extract"][name] = in_fresh_process(phase_extract, name, files, args.runs)
    for key, workers in (("ingest_1", 1), ("ingest_all", args.workers)):
        log(f"ingest with {workers} worker(s), {args.runs} runs")
        res[key] = in_fresh_process(phase_ingest, pdf_dir, args.out / "work", workers,
                                    args.runs)
    if args.store_docs:
        store_dir = pdf_dir
        if args.store_docs != args.docs:
            store_dir = args.out / f"corpus-{args.store_docs}-s{args.seed}-r{args.repeat}"
            log(f"rendering {args.store_docs} documents into {store_dir}")
            generate(store_dir, args.store_docs, args.seed, args.repeat, workers=args.workers)
        log(f"a store of {args.store_docs} documents: CLI ingest, no-op, add one, search")
        res["store"] = in_fresh_process(phase_store, store_dir, args.out / "work",
                                        args.workers, args.runs)


def run_index(args: argparse.Namespace, res: Result, log: Callable[[str], None]) -> None:
    from tests.bench.passages import write_jsonl

    for size in (int(s) for s in args.passages_sizes.split(",") if s.strip()):
        passages = write_jsonl(args.out / f"passages-{size}.jsonl", size)
        builds = args.runs if size <= 10_000 else (args.large_build_runs or args.runs)
        pair: Result = {}
        for backend in ("whoosh", "fts5"):
            log(f"index {backend} @{size:,}: {builds} builds, {args.runs} query runs")
            pair[backend] = in_fresh_process(phase_index, backend, passages, size,
                                             args.out / "work", builds, args.runs)
        res["index"][str(size)] = pair


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {msg}", file=sys.stderr, flush=True)

    res: Result = {"machine": machine(), "runs": args.runs, "workers": args.workers,
                   "args": {k: str(v) for k, v in vars(args).items()}, "extract": {},
                   "index": {}}
    if not args.skip_ingest:
        run_ingest(args, res, log)
    run_index(args, res, log)
    shutil.rmtree(args.out / "work", ignore_errors=True)
    res["wall_seconds"] = time.perf_counter() - started
    (args.out / "results.json").write_text(json.dumps(res, indent=2, default=str))
    print(f"machine: {res['machine']}")
    print(f"runs per measurement: {args.runs} (medians); workers: {args.workers}")
    print(render_table(res))
    for size, pair in res["index"].items():
        for backend, r in pair.items():
            exact = (f", top 10 as by scoring every match: {r['top10_exact']}/{r['queries']}"
                     if "top10_exact" in r else "")
            exact += (f", newest 10 as Whoosh's own date sort: {r['date_order_exact']}/"
                      f"{r['queries']}" if "date_order_exact" in r else "")
            print(f"queries @{int(size):,} {backend}: {r['queries_with_hits']}/{r['queries']} "
                  f"with hits, {len(r['errors'])} failed{exact}"
                  + "".join(f"\n  failed {e}" for e in r["errors"]))
    if "ingest_1" in res:
        print(f"time split, 1 worker (median run): {_split_line(res['ingest_1'])}; "
              f"spaCy model load {res['ingest_1']['model_load']:.2f}s (once, not in runs)")
    print(summary_line(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
