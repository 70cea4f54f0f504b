"""Operations on SQLite and PostgreSQL: each change is validated, written whole, or not at all."""
import pytest

from cafe import operations
from cafe.db import db
from cafe.setup_data import EventSpec, ParticipantSpec, RoundSpec, SetupError, TableSpec, dump_yaml

pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def test_create_user_refuses_short_password_and_duplicates(create_user):
    create_user("bo@example.org")
    with pytest.raises(SetupError, match="already an account"):
        operations.create_user("BO@example.org", "long enough password")
    with pytest.raises(SetupError, match="at least 10"):
        operations.create_user("new@example.org", "short")


def test_event_codes_are_distinct(create_event):
    codes = {create_event(tables=0, rounds=0, participants=0).code for _ in range(20)}
    assert len(codes) == 20


def test_save_table_refuses_a_used_number_and_keeps_the_table(create_event):
    event = create_event(tables=2)
    with pytest.raises(SetupError, match="Table number 1 is already used"):
        operations.save_table(event, TableSpec(number=1, theme="New", headings=["A"]), event.tables[1])
    db.session.rollback()
    assert [t.theme for t in event.tables] == ["Theme 1", "Theme 2"]


def test_editing_headings_keeps_unchanged_rows(create_event):
    table = create_event(tables=1).tables[0]
    blockers = table.headings[0]
    operations.save_table(table.event, TableSpec(number=1, theme="T", headings=["Quick wins", "Blockers"]), table)
    assert table.heading_titles == ["Quick wins", "Blockers"]
    assert table.headings[1].id == blockers.id


def test_a_heading_renamed_on_its_line_keeps_its_notes_and_one_with_notes_cannot_go(live_event):
    table = live_event.tables[0]
    note, _ = operations.post_note(table, heading="Ideas", text="Pair programming clinics", client_id="rename-0001")
    operations.save_table(live_event, TableSpec(number=1, theme="T", headings=["Blockers", "Good ideas"]), table)
    db.session.expire_all()
    assert table.heading_titles == ["Blockers", "Good ideas"] and note.heading.title == "Good ideas"
    with pytest.raises(SetupError) as refused:
        operations.save_table(live_event, TableSpec(number=1, theme="Changed", headings=["Blockers"]), table)
    assert refused.value.messages == ["The heading 'Good ideas' holds 1 note, so it stays: rename it on its own line "
                                      "to keep them under the new name."]
    db.session.rollback()
    assert table.heading_titles == ["Blockers", "Good ideas"] and table.theme == "T"
    with pytest.raises(SetupError, match="The heading 'Good ideas' holds 1 note"):  # a line gone: no guessing by place
        operations.save_table(live_event, TableSpec(number=1, theme="T", headings=["Best ideas"]), table)
    db.session.rollback()
    operations.save_table(live_event, TableSpec(number=1, theme="T", headings=["Good ideas"]), table)
    assert table.heading_titles == ["Good ideas"] and note.heading.title == "Good ideas"  # an empty one may go


def test_a_table_with_notes_and_a_round_that_started_cannot_be_deleted(live_event):
    table = live_event.tables[0]
    operations.post_note(table, heading="Ideas", text="Keep me", client_id="delete-0001")
    with pytest.raises(SetupError, match="Table 1 holds 1 note, so it stays"):
        operations.delete_table(table)
    with pytest.raises(SetupError, match=r"Round 1 has started \(running\), so it stays"):
        operations.delete_round(live_event.rounds[0])
    db.session.rollback()
    operations.delete_round(live_event.rounds[1])  # not started: it may go
    operations.delete_table(live_event.tables[2])  # no notes: it may go
    assert len(live_event.rounds) == 1 and [t.number for t in live_event.tables] == [1, 2]


def test_move_table_swaps_numbers(create_event):
    event = create_event(tables=3)
    operations.move_table(event.tables[2], -1)
    db.session.expire_all()
    assert [t.theme for t in event.tables] == ["Theme 1", "Theme 3", "Theme 2"]
    operations.move_table(event.tables[0], -1)  # already first: nothing happens
    assert [t.number for t in event.tables] == [1, 2, 3]


def test_delete_round_renumbers(create_event):
    event = create_event(rounds=3)
    operations.save_round(event, RoundSpec(minutes=15, question="Last"), event.rounds[2])
    operations.delete_round(event.rounds[0])
    assert [(r.index, r.minutes) for r in event.rounds] == [(1, 10), (2, 15)]


def test_import_participants_is_all_or_nothing(create_event):
    event = create_event(participants=4)
    raw = b"name,host_of_table\nGood,\nBad,99\n"
    with pytest.raises(SetupError, match="Row 3"):
        operations.import_participants(event, raw, replace=True)
    db.session.rollback()
    assert len(event.participants) == 4


def test_import_participants_adds_or_replaces(create_event):
    event = create_event(tables=2, participants=2)
    assert operations.import_participants(event, b"name\nNew One\nNew Two\n", replace=False) == 2
    assert len(event.participants) == 4
    operations.import_participants(event, b"name,host_of_table\nOnly One,1\n", replace=True)
    assert [(p.name, p.host_of.number) for p in event.participants] == [("Only One", 1)]


def test_import_refuses_a_second_host_for_a_hosted_table(create_event):
    event = create_event(tables=2, participants=2)
    with pytest.raises(SetupError, match="table 1 already has a host"):
        operations.import_participants(event, b"name,host_of_table\nNew,1\n", replace=False)


def test_an_email_already_on_the_list_is_refused_whichever_way_a_person_comes(create_event):
    event = create_event(tables=2, participants=0)
    operations.import_participants(event, b"name,email\nBob,bob@example.org\n", replace=False)
    with pytest.raises(SetupError, match="the email BOB@example.org is already used by Bob"):
        operations.import_participants(event, b"name,email\nBob Two,BOB@example.org\n", replace=False)
    with pytest.raises(SetupError, match="the email bob@example.org is already used by Bob"):
        operations.add_participant(event, ParticipantSpec(name="Bob Three", email="bob@example.org"))
    db.session.rollback()
    assert [p.name for p in event.participants] == ["Bob"]
    operations.import_participants(event, b"name,email\nRobert,bob@example.org\n", replace=True)  # a new list
    assert [p.name for p in event.participants] == ["Robert"]


def test_setup_round_trip_gives_an_equal_event(create_event, user):
    event = create_event(tables=3, rounds=3, participants=8)
    copy = operations.import_setup(user, dump_yaml(operations.read_setup(event)).encode())
    assert operations.read_setup(copy) == operations.read_setup(event)
    assert copy.code != event.code
    assert {t.token for t in copy.tables}.isdisjoint(t.token for t in event.tables)


def test_duplicate_event_copies_setup_under_a_new_name(create_event, user):
    event = create_event()
    copy = operations.duplicate_event(event, user)
    assert copy.name == "Copy of Research Café"
    original, copied = operations.read_setup(event), operations.read_setup(copy)
    copied.event.name = original.event.name
    assert copied == original


def test_bad_event_input_changes_nothing(create_event):
    event = create_event()
    with pytest.raises(SetupError, match="must not be empty"):
        operations.update_event(event, EventSpec(name="   "))
    db.session.rollback()
    assert event.name == "Research Café"


def test_add_participant_checks_table_exists(create_event):
    event = create_event(tables=1, participants=0)
    with pytest.raises(SetupError, match="no table 4"):
        operations.add_participant(event, ParticipantSpec(name="Zoe", host_of_table=4))
