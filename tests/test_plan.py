"""The rotation plan wired to events: making, re-planning, where people see it, and the CLI."""
import csv
import io
import json

import pytest

from cafe import operations
from cafe.db import db
from cafe.errors import CafeError
from cafe.setup_data import ParticipantSpec

pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def cafe_event(create_event):
    """Five tables with hosts, three rounds, twenty-five people."""
    return create_event(tables=5, rounds=3, participants=25)


def test_plan_keeps_hosts_and_sends_everyone_else_somewhere_new(cafe_event):
    figures = operations.make_plan(cafe_event)
    assert figures.revisits == 0 and figures.size_spread <= 1 and figures.repeated_encounters == 0
    seats = operations.stored_seats(cafe_event)
    for person in cafe_event.participants:
        row = seats[str(person.id)]
        if person.host_of:
            assert row == [person.host_of.number] * 3
        else:
            assert len(set(row)) == 3


def test_replan_after_a_round_keeps_what_happened(cafe_event, create_user):
    operations.make_plan(cafe_event)
    before = operations.stored_seats(cafe_event)
    operations.control_round(cafe_event, "start")
    operations.control_round(cafe_event, "end")
    gone = next(p for p in cafe_event.participants if not p.host_of)
    operations.mark_absent(gone, True)
    late = operations.add_participant(cafe_event, ParticipantSpec(name="Late Comer"))
    operations.make_plan(cafe_event)
    after = operations.stored_seats(cafe_event)
    for pid, row in before.items():
        assert after[pid][0] == row[0]  # round 1 was played: unchanged
    assert after[str(gone.id)][1:] == [None, None]
    assert after[str(late.id)][0] is None and None not in after[str(late.id)][1:]
    assert operations.plan_figures(cafe_event).size_spread <= 1


def test_choose_your_theme_mode_seats_people_at_their_choices(create_event):
    event = create_event(tables=4, rounds=2, participants=12)
    for person in event.participants:
        if not person.host_of:
            person.choices = "1 3" if person.id % 2 else "2 4"
    db.session.commit()
    figures = operations.make_plan(event, choices=True)
    assert figures.choices_met == figures.choices_wanted == 16
    seats = operations.stored_seats(event)
    chooser = next(p for p in event.participants if not p.host_of)
    assert sorted(seats[str(chooser.id)]) == sorted(chooser.choice_numbers)


def test_planning_needs_tables_and_rounds(create_event):
    with pytest.raises(CafeError, match="Add tables and rounds"):
        operations.make_plan(create_event(tables=0, rounds=0, participants=0))


def test_plan_page_and_personal_itinerary(client, login, cafe_event):
    browser = login()
    response = browser.post(f"/organiser/events/{cafe_event.code}/plan", data={"seed": "3", "mode": "rotation"},
                            follow_redirects=True)
    assert "Planned: 0 repeated encounters" in response.text and "Round 3 (pending)" in response.text
    person = next(p for p in cafe_event.participants if not p.host_of)
    seats = operations.stored_seats(cafe_event)[str(person.id)]
    page = client.get(f"/p/{person.token}").text
    table = cafe_event.table_by_number(seats[0])
    assert f"Round 1: go to table {table.number}, {table.theme}" in page
    operations.control_round(cafe_event, "start")
    phone = client.get(f"/t/{cafe_event.tables[0].token}").text  # the phone remembers who it is
    following = cafe_event.table_by_number(seats[1])
    assert f"{person.name}: <strong>Round 2: go to table {following.number}, {following.theme}" in phone


def test_board_move_now_lists_arrivals(client, cafe_event):
    operations.make_plan(cafe_event)
    operations.control_round(cafe_event, "start")
    operations.control_round(cafe_event, "end")
    seats = operations.stored_seats(cafe_event)
    board = client.get(f"/board/{cafe_event.code}").text
    assert "Round 2: who goes where" in board
    fragment = client.get(f"/board/{cafe_event.code}/arrivals").text
    for person in cafe_event.participants:
        assert person.name in fragment
    first = cafe_event.tables[0]
    names = [p.name for p in cafe_event.participants if seats[str(p.id)][1] == first.number]
    assert f"{first.theme}</strong>: {', '.join(sorted(names, key=lambda n: (n != first.host, n)))}" in fragment


def test_attendance_toggle(login, cafe_event):
    person = cafe_event.participants[5]
    login().post(f"/organiser/events/{cafe_event.code}/participants/{person.id}/attendance", data={"absent": "1"})
    assert person.absent is True


def test_cli_plan_for_an_event(runner, cafe_event):
    result = runner.invoke(args=["cafe", "plan", cafe_event.code])
    assert result.exit_code != 0 and "no plan yet" in result.output
    result = runner.invoke(args=["cafe", "plan", cafe_event.code, "--make", "--json"])
    figures = json.loads(result.output)
    assert figures["repeated_encounters"] == 0 and figures["people"] == 25


def test_cli_plans_offline_from_a_participants_csv(runner, tmp_path):
    people = tmp_path / "people.csv"
    rows = ["name,organisation,role,host_of_table,does_not_move"]
    rows += [f"Host {t},Org {t},Host,{t}," for t in range(1, 6)]
    rows += [f"Person {i},Org {i % 7},Researcher,," for i in range(20)]
    people.write_text("\n".join(rows) + "\n")
    out = tmp_path / "plan.csv"
    result = runner.invoke(args=["cafe", "plan", "--participants", str(people), "--tables", "5", "--rounds", "4",
                                 "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "repeated encounters: 0" in result.output and "revisits: 0" in result.output
    table = list(csv.reader(io.StringIO(out.read_text())))
    assert table[0] == ["name", "round 1", "round 2", "round 3", "round 4"] and len(table) == 26
    assert table[1][1:] == ["1", "1", "1", "1"]
    assert runner.invoke(args=["cafe", "plan", "--tables", "5"]).exit_code != 0


def test_plan_exports_csv_workbook_sheet_and_itinerary_cards(cafe_event, tmp_path):
    import subprocess

    from openpyxl import load_workbook

    from cafe.export import render

    operations.make_plan(cafe_event)
    seats = operations.stored_seats(cafe_event)
    data = render("plan.csv", cafe_event)
    assert data.startswith(b"\xef\xbb\xbf")  # a byte order mark: spreadsheets read the names as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "round 1", "round 2", "round 3"]
    by_name = {p.name: seats[str(p.id)] for p in cafe_event.participants}
    assert all([int(t) for t in row[1:]] == by_name[row[0]] for row in rows[1:])
    (tmp_path / "book.xlsx").write_bytes(render("themes.xlsx", cafe_event))
    book = load_workbook(tmp_path / "book.xlsx", read_only=True)
    plan_rows = list(book["Plan"].iter_rows(values_only=True))
    book.close()
    assert plan_rows[0][:5] == ("Name", "Organisation", "Role", "Hosts table", "Round 1") and len(plan_rows) == 26
    pdf = tmp_path / "cards.pdf"
    pdf.write_bytes(render("itineraries.pdf", cafe_event))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    person = next(p for p in cafe_event.participants if not p.host_of)
    assert person.name in text and "Round 3" in text
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(page)], capture_output=True, text=True).stdout.split()
    tokens = {f"http://cafe.test/p/{p.token}" for p in cafe_event.participants}
    assert len(decoded) == 4 and set(decoded) <= tokens
