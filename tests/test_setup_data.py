"""Setup data without an app: CSV participants and YAML setup files."""
from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from cafe.setup_data import (
    EventSpec, ParticipantSpec, RoundSpec, Setup, SetupError, TableSpec, dump_yaml, load_yaml,
    parse_participants_csv, participants_csv,
)

GOOD_CSV = (
    "name,organisation,role,email,host_of_table,does_not_move\n"
    "Amara Okafor,University of Leeds,RSE,amara@example.org,1,no\n"
    "Jonas Berg,KTH,PhD student,,,\n"
    "Li Wei,Delft,Lecturer,li@example.org,,yes\n"
)


def test_csv_reads_every_column():
    people = parse_participants_csv(GOOD_CSV.encode(), {1, 2})
    assert [p.name for p in people] == ["Amara Okafor", "Jonas Berg", "Li Wei"]
    assert people[0].host_of_table == 1 and people[0].email == "amara@example.org"
    assert people[1].email is None and people[1].host_of_table is None
    assert people[2].does_not_move is True


def test_csv_accepts_bom_semicolons_and_header_variants():
    text = "\ufeffName;Organization;Host-of-table\nAmara;Leeds;2\n"
    people = parse_participants_csv(text.encode(), {2})
    assert people[0].organisation == "Leeds" and people[0].host_of_table == 2


@pytest.mark.parametrize("raw, message", [
    (b"", "The CSV file is empty"),
    (b"name,shoe size\nAmara,42\n", "Unknown columns: 'shoe size'"),
    (b"organisation\nLeeds\n", "no 'name' column"),
    (b"name\n", "no participants"),
    ("name,organisation\nJos\xe9,M\xe1laga\n".encode("latin-1"), "not UTF-8"),
    (b"name,host_of_table\nAmara,9\n", "Row 2: there is no table 9 to host"),
    (b"name,host_of_table\nAmara,one\n", "Row 2: host of table must be a whole number"),
    (b"name,does_not_move\nAmara,perhaps\n", "Row 2: does_not_move must be yes or no"),
    (b"name,email\n ,a@example.org\n", "Row 2: the name must not be empty"),
    (b"name,email\nAmara,not-an-address\n", "Row 2: 'not-an-address' is not an email address"),
    (b"name,host_of_table\nAmara,1\nBen,1\n", "Row 3: table 1 already has a host (Amara)"),
    (b"name,email\nA,a@example.org\nB,A@example.org\n", "Row 3: the email A@example.org is already used by Row 2"),
    (b"name\n" + b"x" * 200 + b"\n", "Row 2: the name is 200 characters long; the limit is 120"),
    (b"name,role\nAmara,RSE,extra\n", "Row 2: 3 cells"),
])
def test_csv_problems_are_reported_by_row(raw, message):
    with pytest.raises(SetupError) as error:
        parse_participants_csv(raw, {1})
    assert any(message in m for m in error.value.messages), error.value.messages


def test_csv_reports_every_bad_row_at_once():
    raw = b"name,host_of_table\nA,7\nB,\nC,8\n"
    with pytest.raises(SetupError) as error:
        parse_participants_csv(raw, {1})
    assert [m.split(":")[0] for m in error.value.messages] == ["Row 2", "Row 4"]


def test_csv_round_trips():
    people = parse_participants_csv(GOOD_CSV.encode(), {1})
    assert parse_participants_csv(participants_csv(people).encode(), {1}) == people


def _setup() -> Setup:
    return Setup(
        event=EventSpec(name="Café – été", date=date(2026, 6, 18), venue="Hall", description="Two lines\nof text"),
        tables=[TableSpec(number=1, theme="AI", host="Amara", question="Why?", capacity=6, headings=["Blockers", "Ideas"])],
        rounds=[RoundSpec(minutes=20, question="", buffer_seconds=60), RoundSpec(minutes=10, question="Next?")],
        participants=[ParticipantSpec(name="Amara", organisation="Leeds", host_of_table=1),
                      ParticipantSpec(name="Ben 🙂", email="ben@example.org", does_not_move=True)],
    )


def test_yaml_round_trips():
    setup = _setup()
    assert load_yaml(dump_yaml(setup).encode()) == setup


@pytest.mark.parametrize("text, message", [
    ("a: [", "not valid YAML at line"),
    ("- just a list", "not a cafe setup file"),
    ("cafe_setup: 1\nevent: {name: X, colour: red}", "unknown fields: colour"),
    ("cafe_setup: 1\nevent: {venue: X}", "missing: name"),
    ("cafe_setup: 1\nevent: {name: X, date: someday}", "not a date"),
    ("cafe_setup: 1\nevent: {name: X}\ntables: {number: 1}", "'tables' must be a list"),
    ("cafe_setup: 1\nevent: {name: X}\ntables:\n- {number: 1, theme: A, headings: [H]}\n- {number: 1, theme: B, headings: [H]}",
     "Table number 1 is used twice"),
    ("cafe_setup: 1\nevent: {name: X}\ntables:\n- {number: 1, theme: A, headings: []}", "Table 1 needs at least one heading"),
    ("cafe_setup: 1\nevent: {name: ''}", "The event name must not be empty"),
    ("cafe_setup: 1\nevent: {name: X}\nrounds:\n- {minutes: 0}", "Round 1: the minutes must be between 1 and 240"),
])
def test_yaml_problems_are_clear(text, message):
    with pytest.raises(SetupError) as error:
        load_yaml(text.encode())
    assert any(message in m for m in error.value.messages), error.value.messages


names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(names, names, st.booleans()), min_size=1, max_size=8))
def test_any_participant_text_survives_csv(rows):
    people = [ParticipantSpec(name=n, organisation=o, does_not_move=d) for n, o, d in rows]
    assert parse_participants_csv(participants_csv(people).encode(), set()) == people
