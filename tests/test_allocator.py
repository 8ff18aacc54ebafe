"""ingest/allocator.py: during an ingest, freed memory stays in the process for reuse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS_PDF
from index import update as update_module
from index.store import RecordStore
from index.update import update

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = 48  # blocks of 1 MiB, allocated together and freed together, five times over
PAGES = BLOCKS * 256

FAULTS = f"""
import resource, sys
sys.path.insert(0, {str(ROOT)!r})
if sys.argv[1] == "kept":
    from ingest.allocator import keep_freed_memory
    assert keep_freed_memory()

def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    blocks = [bytearray(1 << 20) for _ in range({BLOCKS})]
    del blocks
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

print(*[faults() for _ in range(5)])
"""


def _faults(mode: str) -> list[int]:
    done = subprocess.run([sys.executable, "-c", FAULTS, mode], capture_output=True, text=True,
                          check=True)
    return [int(n) for n in done.stdout.split()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")
def test_freed_blocks_are_reused_instead_of_faulted_in_again() -> None:
    """By default glibc gives the 48 MiB back when they are freed and the next round
    faults every page in again; with the setting only the first round does."""
    default, kept = _faults("default"), _faults("kept")
    assert min(default[1:]) > PAGES // 2
    assert kept[0] > PAGES // 2 and max(kept[1:]) < PAGES // 20


def test_an_ingest_keeps_freed_memory_before_its_workers_fork(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """update() sets the allocator when it has papers to parse, and only then."""
    calls: list[int] = []
    monkeypatch.setattr(update_module, "keep_freed_memory", lambda: calls.append(1) or True)
    paper = sorted(CORPUS_PDF.glob("*minutes*.pdf"))[0]
    store = RecordStore(tmp_path / "records.sqlite")
    try:
        assert update(store, [paper], workers=1).statuses["ingested"] == 1
        assert calls == [1]
        assert update(store, [paper], workers=1).statuses["unchanged"] == 1
        assert calls == [1]  # nothing to parse: the process is left as it was
    finally:
        store.close()
