"""Tables in plain text without tabs: whitespace-aligned columns and keyed text streams."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ingest.extract.actions import tables_to_actions
from ingest.readers.aligned import find_aligned_tables, is_header
from ingest.readers.stream import find_stream_tables, header_cells
from ingest.readers.text import read_text

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_004 = SEEDS / "004_6546243b5f4a0a06.txt"

KEYED = """\
Delivery plan 2024/25

Ref   Action                              Lead            Due          Status
1     Agree the terms of reference for    Sam Patel       June 2024    Done
      the reducing reoffending board
1a    Map the services for young people   Community       By Sept      Open
      leaving custody                     Safety Team
2     Publish the needs assessment        Ann Lee         March 2025   Open

                                                                         7
Ref   Action                              Lead            Due          Status
2a    Review data sharing protocol        Ann Lee         Ongoing      Open
      with the police

* Lead to be confirmed
The plan will be reviewed by the board each quarter and reported to the partnership.
"""

BUDGET = """\
Budget summary

   Service area            2022/23     2023/24     Change
   Domestic abuse          £120,000    £135,000    +12%
   Youth outreach          £80,000     £60,000     -25%
   Drugs and alcohol       £210,000    £210,000    0%

The figures above were agreed at the board.
"""

WRAPPED_HEADER = """\
Risk                       Owner          Target
                                          date
Funding for the refuge     Housing        April 2025
ends in March              lead
Rise in knife crime        Police         Ongoing
"""

PROSE = """\
1. Introduction

1.1.1  The Partnership  agreed the strategy  in March 2011.  It will  be reviewed.
1.1.2  Members noted the update and  asked for a report  in June.

   •  Reduce reoffending
   •  Tackle violence against women and girls
   •  Improve  community  confidence

Objective 1   To work together in an innovative way
              to reduce reoffending
Objective 2   To develop an IOM model
"""

STREAM = """\
3. Action plan

No Priority Lead Timescale Comments

1 Keep people safe

1a Set up a panel for high-risk
cases

Panel terms agreed

Police  By May  Chair to be
named

1b Review the outreach contract

Report to the board

Commissioner  Q3 2025

2 Reduce harm

2a Publish a drugs strategy

Draft for consultation

Public Health  March 2026

* Subject to funding
"""


def test_keyed_table_with_wrapping_repeated_header_and_legend() -> None:
    lines = KEYED.splitlines()
    [(start, end, rows)] = find_aligned_tables(lines)
    assert lines[start].startswith("Ref")
    assert lines[end - 1].strip() == "with the police"
    assert rows == [
        ["Ref", "Action", "Lead", "Due", "Status"],
        ["1", "Agree the terms of reference for the reducing reoffending board", "Sam Patel",
         "June 2024", "Done"],
        ["1a", "Map the services for young people leaving custody", "Community Safety Team",
         "By Sept", "Open"],
        ["2", "Publish the needs assessment", "Ann Lee", "March 2025", "Open"],
        ["2a", "Review data sharing protocol with the police", "Ann Lee", "Ongoing", "Open"],
    ]


def test_unkeyed_numeric_table_ends_before_prose() -> None:
    lines = BUDGET.splitlines()
    [(start, end, rows)] = find_aligned_tables(lines)
    assert (start, end) == (2, 6)
    assert rows[0] == ["Service area", "2022/23", "2023/24", "Change"]
    assert rows[-1] == ["Drugs and alcohol", "£210,000", "£210,000", "0%"]


def test_wrapped_header_and_first_cells() -> None:
    [(_, _, rows)] = find_aligned_tables(WRAPPED_HEADER.splitlines())
    assert rows == [
        ["Risk", "Owner", "Target date"],
        ["Funding for the refuge ends in March", "Housing lead", "April 2025"],
        ["Rise in knife crime", "Police", "Ongoing"],
    ]


def test_prose_numbered_paragraphs_and_bullets_are_not_tables() -> None:
    assert not is_header("1.1.1  The Partnership  agreed the strategy  in March 2011.")
    assert find_aligned_tables(PROSE.splitlines()) == []
    assert find_stream_tables(PROSE.splitlines()) == []


def test_stream_table_rows_cells_and_end() -> None:
    assert header_cells("No Priority Lead Timescale Comments") == [
        "No", "Priority", "Lead", "Timescale", "Comments"]
    assert header_cells("Members noted the update") is None
    lines = STREAM.splitlines()
    [(start, end, rows)] = find_stream_tables(lines)
    assert lines[start].startswith("No Priority")
    assert lines[end - 1] == "Public Health  March 2026"
    assert rows[1] == ["1", "Keep people safe", "", "", ""]
    assert rows[2] == ["1a", "Set up a panel for high-risk cases", "Panel terms agreed", "Police",
                       "By May", "Chair to be named"]
    assert rows[3][:5] == ["1b", "Review the outreach contract", "Report to the board",
                           "Commissioner", "Q3 2025"]
    assert len(rows) == 6
    cut = STREAM.replace("* Subject to funding", "3.2 Monitoring\n\nThe board will review it.")
    [(_, end2, rows2)] = find_stream_tables(cut.splitlines())
    assert end2 == end and rows2 == rows


def test_reader_makes_grids_and_keeps_tab_and_pipe_tables(tmp_path: Path) -> None:
    tabs = "Name\tRole\tTeam\nAnn Lee\tChair\tCSP\n"
    text = f"{KEYED}\n{tabs}Then a line of prose.\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    path = tmp_path / "plan.txt"
    doc = read_text(path, text.encode())
    tables = list(doc.tables())
    assert [t.rows[0] for t in tables] == [
        ("Ref", "Action", "Lead", "Due", "Status"), ("Name", "Role", "Team"), ("a", "b")]
    assert not tables[0].ruled
    assert not any("Sam Patel" in line.text for line in doc.lines())
    assert any(line.text == "* Lead to be confirmed" for line in doc.lines())
    actions = list(tables_to_actions(tables))
    assert [(a.number, a.owner, a.due) for a in actions][:2] == [
        ("1", "Sam Patel", "June 2024"), ("1a", "Community Safety Team", "By Sept")]


def _cells(rows: list[list[str]] | tuple[tuple[str, ...], ...]) -> Counter[str]:
    return Counter(" ".join(c.split()) for row in rows for c in row if c.strip())


@pytest.mark.skipif(not SEED_004.exists(), reason=f"seed papers not present at {SEEDS}")
def test_seed_004_delivery_plan_against_gold() -> None:
    gold = json.loads((SEEDS / "gold" / (SEED_004.stem + ".json")).read_text())
    [want] = gold["tables"]
    doc = read_text(SEED_004, SEED_004.read_bytes())
    [table] = list(doc.tables())
    assert table.rows[0][:6] == tuple(want["rows"][0])
    assert [r[0] for r in table.rows] == [r[0] for r in want["rows"]]
    got, expected = _cells(table.rows), _cells(want["rows"])
    overlap = sum((got & expected).values())
    assert 2 * overlap / (sum(got.values()) + sum(expected.values())) > 0.9
    assert not any("Amanda Tooth" in c for row in table.rows for c in row)
    actions = list(tables_to_actions([table]))
    assert [a.text for a in actions] == [a["text"] for a in gold["actions"]]


@pytest.mark.skipif(not SEEDS.exists(), reason=f"seed papers not present at {SEEDS}")
@pytest.mark.parametrize("name", ["000", "001", "002", "003"])
def test_other_seeds_have_no_layout_tables(name: str) -> None:
    [path] = SEEDS.glob(f"{name}_*.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert find_aligned_tables(lines) == []
    assert find_stream_tables(lines) == []
