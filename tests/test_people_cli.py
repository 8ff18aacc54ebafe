"""People and entity look-ups through the CLI, and reviewed corrections that survive re-ingest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import CORPUS_PDF
from search.cli import main


def invoke(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_misspelled_name_finds_the_person(corpus_home: Path) -> None:
    code, out, _ = invoke(corpus_home, "people", "Benmoor", "--json")
    assert code == 0
    assert json.loads(out)[0]["name"] == "Joe Benmore"


def test_one_person_across_spellings_and_years(corpus_home: Path) -> None:
    people = json.loads(invoke(corpus_home, "people", "--json", "-n", "500")[1])
    girling = [p for p in people if p["name"].endswith("Girling")]
    assert len(girling) == 1
    assert "Ele Girling" in [girling[0]["name"], *girling[0]["aliases"]]
    roberts = [p for p in people if "Roberts" in p["name"]]
    assert len(roberts) == 1 and roberts[0]["aliases"]  # Llywelyn / Llywelynn


def test_person_profile_has_attendance_by_year_items_and_actions(corpus_home: Path) -> None:
    code, out, _ = invoke(corpus_home, "person", "Eleanor Girling", "--json")
    assert code == 0
    profile = json.loads(out)
    years = set(profile["attendance_by_year"])
    assert {"2019", "2023"} <= years
    for row in profile["attendance"]:
        assert row["source"].endswith(".pdf") and row["page"] >= 1
    assert profile["items_presented"]
    assert all("Girling" in (a["owner"] or "") for a in profile["actions_owned"])


def test_entity_folds_acronym_and_long_form(corpus_home: Path) -> None:
    code, out, _ = invoke(corpus_home, "entity", "Integrated Offender Management", "--json")
    assert code == 0
    profile = json.loads(out)
    assert "IOM" in profile["spellings"]
    assert len(profile["mentions_by_year"]) >= 4  # the thread runs over many years
    for spelling in ("IOM", "CSP"):  # by any spelling, not only the last one stored
        code, out, _ = invoke(corpus_home, "entity", spelling, "--json")
        assert code == 0 and spelling in json.loads(out)["spellings"]


def test_unknown_person_exits_1(corpus_home: Path) -> None:
    code, _, err = invoke(corpus_home, "person", "Zebedee Quartermaine")
    assert code == 1 and "no person matches" in err


def test_split_and_merge_survive_reingest(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    for name in ("2021-02_csp_minutes.pdf", "2023-10_csp_minutes.pdf"):
        shutil.copy(CORPUS_PDF / name, folder / name)
    home = tmp_path / "home"
    assert invoke(home, "ingest", str(folder), "-s")[0] == 0

    def girlings() -> list[dict[str, object]]:
        people = json.loads(invoke(home, "people", "--json", "-n", "500")[1])
        return [p for p in people if str(p["name"]).endswith("Girling")]

    assert len(girlings()) == 1
    code, _, err = invoke(home, "people", "split", "Ele Girling", "Eleanor Girling")
    assert code == 0 and "recorded" in err
    assert len(girlings()) == 2
    assert invoke(home, "ingest", str(folder), "-s", "--force")[0] == 0
    assert len(girlings()) == 2  # the reviewed split is applied again after re-ingest
    invoke(home, "people", "merge", "Ele Girling", "Eleanor Girling")
    assert len(girlings()) == 1
    corrections = json.loads((home / "people-corrections.json").read_text())
    assert corrections == [{"action": "merge", "a": "Ele Girling", "b": "Eleanor Girling"}]


def test_csv_output_of_person_entity_and_stats(corpus_home: Path) -> None:
    code, out, _ = invoke(corpus_home, "person", "Joe Benmore", "--csv")
    assert code == 0 and out.splitlines()[0].startswith("date,body,status,role,organisation")
    code, out, _ = invoke(corpus_home, "entity", "MOPAC", "--csv")
    assert code == 0 and out.splitlines()[0] == "text,label,date,title,source,page"
    code, out, _ = invoke(corpus_home, "stats", "--csv")
    assert code == 0 and out.splitlines()[0] == "section,key,value"
