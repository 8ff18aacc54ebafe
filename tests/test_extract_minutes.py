"""Minutes parsers: document type, meeting, attendees, items and resolutions.

Hand-built Documents pin each written form; the seed 2023 minutes are
compared with their gold file; the sample corpus PDFs are read as ingest
reads them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from ingest.document import Document, Line, Page, TableGrid, document_from_text
from ingest.extract.attendees import entry_to_person, extract_attendees
from ingest.extract.doctype import DocInfo, classify
from ingest.extract.items import extract_items, extract_resolutions
from ingest.extract.meetings import extract_meeting, extract_recorded_meeting, times_of
from ingest.normalize import clean_space
from ingest.readers.registry import read_document
from ingest.records import Attendee, Item, Meeting, Resolution

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED_001 = "001_15f9828450dc694a"

MINUTES_2023 = """\
MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON THURSDAY, 26TH OCTOBER, 2023, 2:00PM – 3:57PM
PRESENT:
Councillor Adam Jogee (Co-Chair) – Cabinet Member for Community Safety and Cohesion
Rhona Hunt (Co-Chair, In the Chair) – Metropolitan Police
Joe Benmore - Community Safety & Enforcement Team
Sarah Hart - Public Health Lead - Substance Misuse
IN ATTENDANCE:
Nazyer Choudhury – Principal Committee Co-Ordinator
1. APOLOGIES
Apologies had been received from Ms Caroline Haines, Dr Zoë Ångström and Cllr Tom Price.
2. MINUTES
RESOLVED: That the minutes of the meeting held on 24 July 2023 be agreed as an accurate record.
3. PROBATION UPDATE REPORT
Mr Andrew Lovejoy, Probation Services, presented the item.
RESOLVED:
That the report be noted and that a further report be brought
to the next meeting.
4. DATES OF FUTURE MEETINGS
Thursday 25 January 2024 at 2.00pm.
"""


def doc_of(text: str) -> Document:
    return document_from_text(text)


def parse(text: str) -> tuple[Document, DocInfo, Meeting]:
    doc = doc_of(text)
    info = classify(doc)
    meeting = extract_meeting(doc, info)
    assert meeting is not None, info
    return doc, info, meeting


def by_name(attendees: list[Attendee]) -> dict[str, Attendee]:
    return {a.name: a for a in attendees}


def resolutions_of(text: str) -> list[Resolution]:
    doc, _, meeting = parse(text)
    return extract_resolutions(doc, meeting, extract_items(doc, meeting))


# --- document type ------------------------------------------------------------------------


def test_clean_space_collapses_every_space_the_regex_class_matches() -> None:
    """clean_space splits where ``\\s`` matches, every Unicode space, and nowhere else."""
    spaces = [chr(i) for i in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(i))]
    assert len(spaces) == 29 and all(s.isspace() for s in spaces)
    text = "".join(f"{s}word{i}\u200b{s}{s}" for i, s in enumerate(spaces))  # zero-width kept
    assert clean_space(text) == re.sub(r"\s+", " ", text).strip()
    assert clean_space(" \u00a0Haringey\u2003CSP\n") == "Haringey CSP"


def test_minutes_are_classified_with_date_and_body_from_the_title() -> None:
    info = classify(doc_of(MINUTES_2023))
    assert info.doc_type == "minutes"
    assert info.date == "2023-10-26"
    assert info.body == "Community Safety Partnership"
    assert info.title.startswith("MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP")


def test_report_takes_title_and_date_from_its_fields() -> None:
    info = classify(doc_of(
        "Report to: Haringey Community Safety Partnership\n"
        "Date: 13th June 2013\n"
        "Report title: Progress report on Prevent work\n"
        "Report of: Leon Joseph, Community Safety Team\n"
        "1. Purpose\nTo report progress since 1 September 2012.\n"
        "2. Recommendation\nThat the Partnership notes the report.\n"
    ))
    assert (info.doc_type, info.date, info.title) == (
        "report", "2013-06-13", "Progress report on Prevent work"
    )
    assert info.body == "Haringey Community Safety Partnership"


def test_cover_table_fields_are_read_like_lines() -> None:
    page = Page(1, [Line("1. Describe the issue", 1, heading=1)], [TableGrid(1, (
        ("Report for:", "Community Safety Partnership, 17 November 2022"),
        ("Title:", "Integrated Offender Management – progress report"),
    ))])
    info = classify(Document("t.pdf", "1" * 64, "pdf", [page]))
    assert info.doc_type == "report"
    assert info.date == "2022-11-17"
    assert info.title == "Integrated Offender Management – progress report"
    assert info.body == "Community Safety Partnership"


@pytest.mark.parametrize(
    ("text", "doc_type"),
    [
        ("Prevent – Highlight Report\nRAG assessment (Red, Amber, Green)\nDate 03/03/2026",
         "highlight_report"),
        ("Haringey Adult Reducing Reoffending Strategy\n1.1 This strategy sets out aims\n"
         "The delivery plan follows.", "strategy"),
        ("HARINGEY COMMUNITY SAFETY PARTNERSHIP – AGENDA\n1 Apologies\n2 Minutes", "agenda"),
        ("A shopping list\nEggs and milk", "other"),
    ],
)
def test_each_paper_type_wins_on_its_cues(text: str, doc_type: str) -> None:
    assert classify(doc_of(text)).doc_type == doc_type


def test_paper_without_date_on_first_page_takes_a_running_header_date() -> None:
    pages = [
        Page(1, [Line("Youth Strategy", 1, heading=1), Line("1. Introduction", 1)]),
        Page(2, [Line("Youth Strategy – 4 May 2012", 2), Line("Text about 1 June 2010.", 2)]),
    ]
    assert classify(Document("t.pdf", "2" * 64, "pdf", pages)).date == "2012-05-04"


def test_dates_inside_numbered_paragraphs_do_not_date_a_paper() -> None:
    info = classify(doc_of("1. Introduction\n1.1.1 Since 1 April 2010 every CSP must act."))
    assert info.date is None


# --- meeting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("THURSDAY, 26TH OCTOBER, 2023, 2:00PM – 3:57PM", ("14:00", "15:57")),
        ("Thursday 13 June 2013, 12.00 noon, Committee Room 2", ("12:00", None)),
        ("Time: 14:00 – 16:05", ("14:00", "16:05")),
        ("HELD ON THURSDAY, 29 SEPTEMBER 2016, 2.00 - 4.00PM", ("14:00", "16:00")),
        ("4 FEBRUARY 2021 FROM 10.30AM TO 12.15PM", ("10:30", "12:15")),
        ("held on 7 July 2011 at 6.30 pm in Committee Room 1", ("18:30", None)),
        ("Strategy 2011-2014, 1.1 to 1.3", (None, None)),
    ],
)
def test_times_are_read_in_each_written_form(text: str, expected: tuple[str | None, ...]) -> None:
    assert times_of(text) == expected


def test_meeting_from_title_line_with_chair_in_the_chair() -> None:
    doc, _, meeting = parse(MINUTES_2023)
    assert (meeting.date, meeting.start_time, meeting.end_time) == ("2023-10-26", "14:00", "15:57")
    assert meeting.body == "Community Safety Partnership"
    assert meeting.chair == "Rhona Hunt"
    assert meeting.venue is None
    assert meeting.page == 1 and "26TH OCTOBER" in meeting.source_text
    assert meeting.id == f"{doc.id}:meeting:1"


def test_meeting_venue_online_closing_time_and_in_the_chair_line() -> None:
    _, _, meeting = parse(
        "MINUTES OF THE MEETING OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON 4 FEBRUARY 2021\n"
        "Venue: Online via Microsoft Teams\n"
        "In the Chair: Councillor Patrick Osei\n"
        "Present: Councillor Patrick Osei, Joe Benmore\n"
        "1. Minutes\nRESOLVED that the minutes be agreed.\n"
        "2. Dates of Future Meetings\n17 June 2021 at 10.30am.\n"
        "The meeting closed at 12.15 pm.\n"
    )
    assert meeting.venue == "Online via Microsoft Teams"
    assert meeting.chair == "Patrick Osei"
    assert meeting.date == "2021-02-04"
    assert meeting.end_time == "12:15"


def test_venue_after_date_and_time_in_the_title() -> None:
    _, _, meeting = parse(
        "Minutes of the Haringey Community Safety Partnership held on\n"
        "Thursday 14 March 2019, 2.00pm – 4.10pm, Civic Centre, Wood Green\n"
        "Present:\nCouncillor Patrick Osei – Cabinet Member for Communities (Chair)\n"
        "1. Apologies for Absence\nNone.\n"
    )
    assert meeting.venue == "Civic Centre, Wood Green"
    assert (meeting.start_time, meeting.end_time) == ("14:00", "16:10")
    assert meeting.chair == "Patrick Osei"
    assert meeting.body == "Haringey Community Safety Partnership"


def test_a_report_records_no_meeting() -> None:
    doc = doc_of("Report to: Community Safety Partnership\nDate: 11 October 2018\n"
                 "1. Recommendations\nThat the Partnership notes the figures.")
    info = classify(doc)
    assert info.doc_type == "report"
    assert extract_meeting(doc, info) is None


# --- attendees ----------------------------------------------------------------------------


def test_present_block_of_name_dash_role_lines_and_in_attendance() -> None:
    doc, _, meeting = parse(MINUTES_2023)
    people = by_name(extract_attendees(doc, meeting))
    jogee = people["Adam Jogee"]
    assert (jogee.title, jogee.status) == ("Councillor", "present")
    assert jogee.role == "Co-Chair, Cabinet Member for Community Safety and Cohesion"
    assert jogee.organisation is None and jogee.person_id is None
    hunt = people["Rhona Hunt"]
    assert (hunt.role, hunt.organisation) == ("Co-Chair, In the Chair", "Metropolitan Police")
    assert people["Joe Benmore"].organisation == "Community Safety & Enforcement Team"
    assert people["Joe Benmore"].role is None
    assert people["Sarah Hart"].role == "Public Health Lead - Substance Misuse"
    clerk = people["Nazyer Choudhury"]
    assert (clerk.status, clerk.role) == ("in_attendance", "Principal Committee Co-Ordinator")
    assert all(a.meeting_id == meeting.id and a.document_id == doc.id for a in people.values())


def test_apologies_sentence_splits_names_and_keeps_diacritics() -> None:
    doc, _, meeting = parse(MINUTES_2023)
    apologies = [a for a in extract_attendees(doc, meeting) if a.status == "apologies"]
    assert [(a.title, a.name) for a in apologies] == [
        ("Ms", "Caroline Haines"), ("Dr", "Zoë Ångström"), ("Cllr", "Tom Price"),
    ]
    assert "Apologies had been received" in apologies[0].source_text


def test_inline_present_paragraph_with_roles_in_brackets() -> None:
    doc, _, meeting = parse(
        "MINUTES of the meeting of the Community Safety Partnership held on 7 July 2011\n"
        "Present: Councillor Sarah Newton (Chair), Chief Superintendent David Marchant,\n"
        "Gareth Llywelyn-Roberts (Assistant Chief Officer, London Probation Trust),\n"
        "Station Manager Keith Aldous (London Fire Brigade).\n"
        "In attendance: Claire Kowalska (Community Safety Strategic Manager); Leon Joseph.\n"
        "Apologies for lateness were received from Dr Fiona Ashworth.\n"
        "1. Declarations of Interest\nNone.\n"
    )
    people = by_name(extract_attendees(doc, meeting))
    assert people["Sarah Newton"].role == "Chair"
    assert people["David Marchant"].title == "Chief Superintendent"
    gareth = people["Gareth Llywelyn-Roberts"]
    assert (gareth.role, gareth.organisation) == (
        "Assistant Chief Officer", "London Probation Trust"
    )
    keith = people["Keith Aldous"]
    assert (keith.title, keith.organisation) == ("Station Manager", "London Fire Brigade")
    assert people["Claire Kowalska"].status == "in_attendance"
    assert people["Leon Joseph"].status == "in_attendance"
    assert people["Fiona Ashworth"].status == "present"  # late, but there
    assert meeting.chair == "Sarah Newton"


def test_comma_separated_present_lines_split_role_and_organisation() -> None:
    doc, _, meeting = parse(
        "MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON 29 SEPTEMBER 2016\n"
        "Present:\n"
        "Chief Superintendent Owen Garvey, Borough Commander, Metropolitan Police\n"
        "Kirsty Omole, Victim Support\n"
        "Trevor Lindsay\tHead of Community Safety and Enforcement\n"
        "98. FILMING AT MEETINGS\nNoted.\n"
    )
    people = by_name(extract_attendees(doc, meeting))
    owen = people["Owen Garvey"]
    assert (owen.role, owen.organisation) == ("Borough Commander", "Metropolitan Police")
    assert (people["Kirsty Omole"].role, people["Kirsty Omole"].organisation) == (
        None, "Victim Support"
    )
    assert people["Trevor Lindsay"].role == "Head of Community Safety and Enforcement"


def test_attendance_table_gives_status_from_its_column() -> None:
    table = TableGrid(1, (
        ("Name", "Role", "Organisation", "Attendanc e"),
        ("Councillor Sarah Newton", "Cabinet Member (Chair)", "Haringey Council", "Present"),
        ("Dr Fiona Ashworth", "Director of Public Health", "Haringey Council", "Apologies"),
        ("Borough Commander Tony Fenwick", "Borough Commander", "London Fire Brigade", "Absent"),
    ))
    lines = [Line("Minutes of the meeting held on Thursday 13 June 2013, 12.00 noon", 1),
             Line("Attendance", 1), Line("1. Apologies and Substitutions", 1),
             Line("RESOLVED that the minutes be agreed.", 1)]
    doc = Document("t.pdf", "3" * 64, "pdf", [Page(1, lines, [table])])
    meeting = extract_meeting(doc, classify(doc))
    assert meeting is not None
    people = by_name(extract_attendees(doc, meeting))
    newton = people["Sarah Newton"]
    assert (newton.title, newton.role, newton.organisation, newton.status) == (
        "Councillor", "Chair, Cabinet Member", "Haringey Council", "present"
    )
    assert people["Fiona Ashworth"].status == "apologies"
    assert (people["Tony Fenwick"].title, people["Tony Fenwick"].status) == (
        "Borough Commander", "absent"
    )
    assert meeting.chair == "Sarah Newton"
    assert meeting.start_time == "12:00"


def test_tick_column_table() -> None:
    table = TableGrid(1, (
        ("Member", "Present", "Apologies"),
        ("Jane Smith", "✓", ""),
        ("Mr Tom Jones", "", "✓"),
    ))
    doc = Document("t.pdf", "4" * 64, "pdf", [Page(1, [
        Line("MINUTES OF THE SAFER NEIGHBOURHOOD BOARD HELD ON 1 MAY 2014", 1),
        Line("RESOLVED that the minutes be agreed.", 1)], [table])])
    meeting = extract_meeting(doc, classify(doc))
    assert meeting is not None
    statuses = {a.name: a.status for a in extract_attendees(doc, meeting)}
    assert statuses == {"Jane Smith": "present", "Tom Jones": "apologies"}


def test_substitutes_in_an_apologies_list_and_sentence() -> None:
    doc, _, meeting = parse(
        "MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON 1 MAY 2014\n"
        "Present: Councillor Ann Lee (Chair), Bob Stone\n"
        "Apologies: Cllr Mary Wong - Cllr Raj Patel substituted.\n"
        "Sam Hill substituted for Kate Moss.\n"
        "1. Minutes\nRESOLVED that the minutes be agreed.\n"
    )
    statuses = {a.name: a.status for a in extract_attendees(doc, meeting)}
    assert statuses["Mary Wong"] == "apologies"
    assert statuses["Raj Patel"] == "substitute"
    assert statuses["Sam Hill"] == "substitute"
    assert statuses["Ann Lee"] == "present" and statuses["Bob Stone"] == "present"


def test_a_sentence_is_not_a_person() -> None:
    assert entry_to_person("The meeting heard that the cohort had grown") is None
    person = entry_to_person(
        "• Sinéad Brannigan, Commissioning Manager, Substance Misuse, Public Health"
    )
    assert person is not None
    assert (person.name, person.role, person.organisation) == (
        "Sinéad Brannigan", "Commissioning Manager, Substance Misuse", "Public Health"
    )


# --- items --------------------------------------------------------------------------------


def test_items_numbered_from_one_with_presenters() -> None:
    doc, _, meeting = parse(MINUTES_2023)
    items = extract_items(doc, meeting)
    assert [(i.number, i.title) for i in items] == [
        ("1", "APOLOGIES"), ("2", "MINUTES"), ("3", "PROBATION UPDATE REPORT"),
        ("4", "DATES OF FUTURE MEETINGS"),
    ]
    assert items[2].presenters == ["Andrew Lovejoy"]
    assert items[0].id == f"{doc.id}:item:1" and items[0].meeting_id == meeting.id


def test_items_continuing_numbers_title_case_and_no_section_numbers() -> None:
    doc, _, meeting = parse(
        "MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON 29 SEPTEMBER 2016\n"
        "98. Filming at Meetings\nNoted.\n"
        "99. Prevent Duty – Annual Review\n"
        "Trevor Lindsay introduced the review. Partners noted:\n"
        "1. Referrals had risen.\n2. Training had grown.\n"
        "1.1 The Home Office funds the team.\n"
        "100. Any Other Business\nNone.\n"
    )
    items = extract_items(doc, meeting)
    assert [(i.number, i.title) for i in items] == [
        ("98", "Filming at Meetings"), ("99", "Prevent Duty – Annual Review"),
        ("100", "Any Other Business"),
    ]
    assert items[1].presenters == ["Trevor Lindsay"]


def test_presenter_with_rank_and_co_presenter() -> None:
    doc, _, meeting = parse(
        "MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON 4 FEBRUARY 2021\n"
        "1. COVID-19 AND COMMUNITY SAFETY\n"
        "Detective Chief Superintendent Helen Marsh presented the item with Mr Joe Benmore.\n"
        "2. PREVENT\nThe Chair introduced the item.\n"
    )
    items = extract_items(doc, meeting)
    assert items[0].presenters == ["Helen Marsh", "Joe Benmore"]
    assert items[1].presenters == []


# --- resolutions --------------------------------------------------------------------------


def test_resolved_then_that_over_lines_and_inline() -> None:
    found = resolutions_of(MINUTES_2023)
    assert [(r.item_number, r.item_title, r.text) for r in found] == [
        ("2", "MINUTES",
         "That the minutes of the meeting held on 24 July 2023 be agreed as an accurate record."),
        ("3", "PROBATION UPDATE REPORT",
         "That the report be noted and that a further report be brought to the next meeting."),
    ]
    assert found[1].source_text.startswith("RESOLVED:")


def test_multi_part_resolutions_and_agreed_each_give_a_record() -> None:
    found = resolutions_of(
        "MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON 13 JUNE 2013\n"
        "1. Prevent Progress Report\n"
        "RESOLVED:\n"
        "(i) That the progress made on the delivery plan be noted;\n"
        "(ii) That the draft plan be circu-\nlated to members in July; and\n"
        "(iii) That a further report be brought in December 2013.\n"
        "2. Prevent Duty\n"
        "AGREED:\n(a) That the review be noted; and\n(b) That schools be invited.\n"
        "3. Drugs\nRESOLVED that (i) the update be noted; and (ii) a plan be agreed.\n"
    )
    assert [(r.item_number, r.text) for r in found] == [
        ("1", "That the progress made on the delivery plan be noted."),
        ("1", "That the draft plan be circulated to members in July."),
        ("1", "That a further report be brought in December 2013."),
        ("2", "That the review be noted."),
        ("2", "That schools be invited."),
        ("3", "That the update be noted."),
        ("3", "That a plan be agreed."),
    ]


def test_resolution_text_crossing_a_page_keeps_the_page_of_its_text() -> None:
    pages = [
        Page(1, [Line("MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON 14 MARCH 2019", 1),
                 Line("4. Prevent Annual Report", 1, bold=True, size=12.5),
                 Line("RESOLVED:", 1, size=10.5)]),
        Page(2, [Line("Community Safety Partnership – 14 March 2019", 2, size=8.5),
                 Line("That the report be noted, and that the plan be", 2, size=10.5),
                 Line("endorsed.", 2, size=10.5),
                 Line("5. Drug and Alcohol Outreach", 2, bold=True, size=12.5)]),
    ]
    doc = Document("t.pdf", "5" * 64, "pdf", pages)
    meeting = extract_meeting(doc, classify(doc))
    assert meeting is not None
    found = extract_resolutions(doc, meeting, extract_items(doc, meeting))
    assert [(r.item_number, r.page, r.text) for r in found] == [
        ("4", 2, "That the report be noted, and that the plan be endorsed."),
    ]


def test_report_recommendations_are_not_resolutions() -> None:
    doc = doc_of("Report to: Community Safety Partnership Board\nDate: 27 March 2014\n"
                 "Report Title: Year end roundup\n2. Recommendation\n"
                 "That board members note the achievements.\n")
    assert extract_meeting(doc, classify(doc)) is None


# --- seed 001: the 2023 minutes against their gold ---------------------------------------


def seed_001() -> tuple[Document, dict[str, Any]]:
    if not (SEEDS / "gold" / f"{SEED_001}.json").is_file():
        pytest.skip(f"seed papers not found at {SEEDS}: seed comparison skipped")
    path = SEEDS / f"{SEED_001}.txt"
    gold = json.loads((SEEDS / "gold" / f"{SEED_001}.json").read_text(encoding="utf-8"))
    return read_document(path, path.read_bytes()), gold


def test_seed_001_document_and_meeting_match_gold() -> None:
    doc, gold = seed_001()
    info = classify(doc)
    assert (info.doc_type, info.date, info.title) == (
        gold["document"]["doc_type"], gold["document"]["date"], gold["document"]["title"]
    )
    meeting = extract_meeting(doc, info)
    assert meeting is not None
    want = gold["meetings"][0]
    assert {k: getattr(meeting, k) for k in want} == want


def test_seed_001_attendees_items_resolutions_match_gold() -> None:
    doc, gold = seed_001()
    meeting = extract_meeting(doc, classify(doc))
    assert meeting is not None
    attendees = extract_attendees(doc, meeting)
    keys = ("name", "status", "role", "organisation")
    assert [{k: getattr(a, k) for k in keys} for a in attendees] == gold["attendees"]
    items = extract_items(doc, meeting)
    assert [{"number": i.number, "title": i.title} for i in items] == gold["items"]
    resolutions = extract_resolutions(doc, meeting, items)
    assert [{"item_number": r.item_number, "text": r.text} for r in resolutions] == (
        gold["resolutions"]
    )


# --- the sample corpus PDFs --------------------------------------------------------------


def corpus_entries() -> list[dict[str, str]]:
    path = CORPUS / "manifest.json"
    if not path.is_file():
        return []
    return [e for e in json.loads(path.read_text(encoding="utf-8"))
            if (CORPUS / e["file"]).is_file()]


def read_corpus(entry: dict[str, str]) -> Document:
    path = CORPUS / entry["file"]
    try:
        return read_document(path, path.read_bytes())
    except Exception as exc:  # an unreadable sample is the reader's test, not this one's
        pytest.skip(f"{entry['file']} not readable here: {exc}")


@pytest.mark.parametrize("entry", corpus_entries(), ids=lambda e: Path(e["file"]).stem)
def test_corpus_paper_type_and_meeting(entry: dict[str, str]) -> None:
    doc = read_corpus(entry)
    info = classify(doc)
    assert info.doc_type == entry["doc_type"]
    meeting = extract_meeting(doc, info)
    if entry["doc_type"] != "minutes":
        assert meeting is None
        return
    assert meeting is not None and meeting.date == entry["date"]
    assert meeting.start_time is not None and meeting.chair
    items = extract_items(doc, meeting)
    numbers = [int(i.number) for i in items]
    assert len(items) >= 5 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert extract_resolutions(doc, meeting, items)
    assert len([a for a in extract_attendees(doc, meeting) if a.status == "present"]) >= 5


def corpus_minutes(stem: str) -> tuple[Document, Meeting, list[Attendee], list[Item]]:
    entry = next((e for e in corpus_entries() if Path(e["file"]).stem == stem), None)
    if entry is None:
        pytest.skip(f"corpus paper {stem} not present yet")
    doc = read_corpus(entry)
    meeting = extract_meeting(doc, classify(doc))
    assert meeting is not None
    return doc, meeting, extract_attendees(doc, meeting), extract_items(doc, meeting)


def test_corpus_2023_minutes_present_and_in_attendance_blocks() -> None:
    doc, meeting, attendees, items = corpus_minutes("2023-10_csp_minutes")
    assert (meeting.start_time, meeting.end_time, meeting.chair) == ("14:00", "15:57", "Rhona Hunt")
    statuses = {a.name: a.status for a in attendees}
    assert statuses["Adam Jogee"] == "present" and statuses["Ayshe Simsek"] == "in_attendance"
    assert statuses["Caroline Haines"] == "apologies"
    assert len(items) == 12
    found = extract_resolutions(doc, meeting, items)
    assert [r.item_number for r in found] == ["5", "7", "8", "9", "10"]


def test_corpus_2016_minutes_items_continue_from_98() -> None:
    doc, meeting, attendees, items = corpus_minutes("2016-09_csp_minutes")
    assert [i.number for i in items] == [str(n) for n in range(98, 107)]
    assert (meeting.start_time, meeting.end_time) == ("14:00", "16:00")
    found = extract_resolutions(doc, meeting, items)
    assert [r.item_number for r in found] == ["101", "102", "103", "103", "104"]
    assert any(a.name == "Gareth Llywelynn-Roberts" for a in attendees)


def test_corpus_2013_minutes_attendance_table() -> None:
    _, meeting, attendees, _ = corpus_minutes("2013-06_csp_minutes")
    apologies = {a.name for a in attendees if a.status == "apologies"}
    assert apologies == {"Fiona Ashworth", "Tony Fenwick", "Dilys Hartnell"}
    assert meeting.start_time == "12:00" and meeting.chair == "Sarah Newton"


def test_corpus_2021_minutes_online_venue() -> None:
    _, meeting, _, _ = corpus_minutes("2021-02_csp_minutes")
    assert meeting.venue is not None and meeting.venue.startswith("Online")
    assert (meeting.start_time, meeting.end_time) == ("10:30", "12:15")


def seed_names() -> list[str]:
    gold = SEEDS / "gold"
    return sorted(p.stem for p in gold.glob("*.json")) if gold.is_dir() else []


@pytest.mark.parametrize("stem", seed_names())
def test_seed_paper_type_and_date_match_gold(stem: str) -> None:
    path = SEEDS / f"{stem}.txt"
    gold = json.loads((SEEDS / "gold" / f"{stem}.json").read_text(encoding="utf-8"))["document"]
    doc = read_document(path, path.read_bytes())
    info = classify(doc)
    assert (info.doc_type, info.date) == (gold["doc_type"], gold["date"])
    meeting = extract_meeting(doc, info)
    assert (meeting is not None) == (gold["doc_type"] == "minutes")


def test_a_report_that_records_a_dated_discussion_gives_a_meeting() -> None:
    doc = document_from_text(
        "Reduction of Re-offending - Update\n"
        "1.1 This report summarises the multi-agency discussion held on 13 January 2026, to\n"
        "review the statutory responsibilities.\n"
    )
    info = DocInfo("Update", "report", "2026-03-03", None)
    meeting = extract_recorded_meeting(doc, info)
    assert meeting is not None
    assert (meeting.date, meeting.body) == ("2026-01-13", "Multi-agency discussion")
    assert meeting.source_text.startswith("1.1 This report summarises")


@pytest.mark.parametrize("text", [
    "1.1 This paper reports the outcome of a partnership workshop held in February 2026.",
    "That the minutes of the meeting held on 24 July 2023 be agreed.",
])
def test_no_meeting_without_a_full_date_or_a_recording_verb(text: str) -> None:
    info = DocInfo("Paper", "report", None, None)
    assert extract_recorded_meeting(document_from_text(text), info) is None


def test_date_printed_only_in_a_running_header() -> None:
    from ingest.readers.layout import strip_running_lines

    body = ["Minutes of the Community Safety Partnership", "Present: Cllr Ann Lee (Chair)",
            "1. Apologies", "None.", "2. Minutes", "RESOLVED: That the minutes be agreed."]
    pages = [
        Page(n, [Line("MINUTES – COMMUNITY SAFETY PARTNERSHIP – 29.09.16", n)]
             + [Line(t, n) for t in body] + [Line(f"Page {n} of 2", n)])
        for n in (1, 2)
    ]
    doc = Document("m.pdf", "0" * 64, "pdf", strip_running_lines(pages))
    assert all("29.09.16" not in ln.text for ln in doc.lines())  # moved aside by the reader
    assert classify(doc).date == "2016-09-29"
