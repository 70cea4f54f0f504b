"""Properties of every parser of user input: any input gives a result or the module's own error with a message
(never a crash), valid input is accepted, and what a writer writes its reader reads back the same."""
from __future__ import annotations

import io
import json
import math
from datetime import date
from typing import Any

import pytest
import yaml
from flask import Flask
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from cafe import operations
from cafe.auth import find_event
from cafe.backup import FORMAT, restore
from cafe.config import SETTINGS, derive_flask_config, from_environment
from cafe.db import db
from cafe.errors import CafeError
from cafe.forms import EventForm, ParticipantForm, RoundForm, TableForm
from cafe.models import Event, User
from cafe.payloads import status_of
from cafe.setup_data import (
    PARTICIPANT_COLUMNS, SETUP_VERSION, EventSpec, ParticipantSpec, RoundSpec, Setup, SetupError, TableSpec,
    check_event, check_participant, check_round, check_table, dump_yaml, load_yaml, parse_participants_csv,
    participants_csv,
)
from cafe.timer import Phase

# Repeatable, quick, and with the database fixtures shared by all examples of a test: each example makes
# what it needs itself (a new event), or changes nothing when it is refused.
PARSE = settings(max_examples=60, deadline=None, derandomize=True, database=None, print_blob=False,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Characters parsers trip on, mixed into any text: NUL and other controls, a lone surrogate (a JSON or YAML
# escape makes one), digits that are not 0-9 to int(), Unicode line breaks, a byte order mark, separators.
TRICKY = ["\x00", "\x07", "\x1b", "\ud800", "\udfff", "²", "٣", "\u2028", "\x85", "\ufeff", "\r", "\n", "\t",
          ",", ";", '"', "'", "-", ":", "#", "&", "*", "!", "%", "{", "[", " "]
any_text = st.text(st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=40)
# Plain one-line text as people type it: what a valid setup holds (trimmed, no control characters).
plain = st.text(st.characters(codec="utf-8", exclude_categories=["C", "Zl", "Zp"]), max_size=30).map(str.strip)
required = plain.filter(bool)
# Any value a YAML or JSON document can hold.
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), any_text)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(any_text, inner, max_size=3)), max_leaves=8)
numbers = st.one_of(st.integers(min_value=-5, max_value=1000), st.integers(), st.floats(),
                    st.sampled_from(["", "7", " 12 ", "1e3", "nan", "inf", "-inf", "²", "٣", "9" * 5000]))


def refused_clearly(error: CafeError) -> None:
    """A refusal says in words what is wrong."""
    assert error.messages and all(isinstance(m, str) and m.strip() for m in error.messages)


def some_tables(numbers_: list[int]) -> list[TableSpec]:
    """Valid tables with these numbers."""
    return [TableSpec(number=n, theme=f"Theme {n}", headings=["Ideas", "Blockers"]) for n in numbers_]


@st.composite
def participant_lists(draw: st.DrawFn, table_numbers: list[int]) -> list[ParticipantSpec]:
    """Valid participants of an event with these tables: unique emails, each table hosted at most once."""
    people = []
    hosts = draw(st.lists(st.sampled_from(table_numbers), unique=True)) if table_numbers else []
    for index in range(draw(st.integers(0, 6))):
        people.append(ParticipantSpec(
            name=draw(required), organisation=draw(plain), role=draw(plain),
            email=draw(st.one_of(st.none(), st.just(f"person{index}@example.org"))),
            host_of_table=hosts[index] if index < len(hosts) else None, does_not_move=draw(st.booleans()),
            choices=" ".join(str(n) for n in draw(st.lists(st.sampled_from(table_numbers), max_size=3)))
            if table_numbers else ""))
    return people


@st.composite
def setups(draw: st.DrawFn) -> Setup:
    """Valid setups, as check_setup normalises them."""
    numbers_ = sorted(draw(st.lists(st.integers(1, 999), unique=True, max_size=4)))  # as the event lists them
    tables = [TableSpec(number=n, theme=draw(required), host=draw(plain), question=draw(plain),
                        capacity=draw(st.integers(1, 100)),
                        headings=draw(st.lists(required, min_size=1, max_size=3, unique_by=str.casefold)))
              for n in numbers_]
    rounds = [RoundSpec(minutes=draw(st.integers(1, 240)), question=draw(plain), buffer_seconds=draw(st.integers(0, 900)))
              for _ in range(draw(st.integers(0, 3)))]
    event = EventSpec(name=draw(required), date=draw(st.one_of(st.none(), st.dates())), venue=draw(plain),
                      description=draw(plain))
    return Setup(event=event, tables=tables, rounds=rounds, participants=draw(participant_lists(numbers_)))


# ---- Participants CSV -------------------------------------------------------------------------------------


@PARSE
@given(raw=st.one_of(st.binary(max_size=200), any_text.map(str.encode)))
def test_participants_csv_any_bytes(raw: bytes) -> None:
    """Any uploaded file gives participants or a SetupError that says what is wrong."""
    try:
        parse_participants_csv(raw, {1, 2, 3})
    except SetupError as error:
        refused_clearly(error)


@PARSE
@given(header=st.lists(st.sampled_from([*PARTICIPANT_COLUMNS, "Organization", "host", "x"]), min_size=1, max_size=5),
       rows=st.lists(st.lists(any_text, max_size=6), max_size=4), delimiter=st.sampled_from([",", ";", "\t"]))
def test_participants_csv_any_cells(header: list[str], rows: list[list[str]], delimiter: str) -> None:
    """Any cells under a plausible header give participants or a SetupError: every row is checked, none crashes."""
    lines = [delimiter.join(header)] + [delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows]
    try:
        people = parse_participants_csv("\n".join(lines).encode("utf-8", "surrogatepass"), {1, 2, 3})
    except SetupError as error:
        refused_clearly(error)
    else:
        assert all(p.name and p.host_of_table in (None, 1, 2, 3) for p in people)


@PARSE
@given(data=st.data())
def test_participants_csv_round_trip(data: st.DataObject) -> None:
    """Participants written as CSV are read back the same, whatever their names hold."""
    people = data.draw(participant_lists([1, 2, 3]))
    assume(people)
    assert parse_participants_csv(participants_csv(people).encode(), {1, 2, 3}) == people


# ---- Setup YAML -------------------------------------------------------------------------------------------


@PARSE
@given(raw=st.one_of(st.binary(max_size=200), any_text.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_setup_yaml_any_bytes(raw: bytes) -> None:
    """Any uploaded file gives a setup or a SetupError that says what is wrong."""
    try:
        load_yaml(raw)
    except SetupError as error:
        refused_clearly(error)


def fields(kind: type) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with some of a spec's fields (and now and then an unknown one), each holding any value."""
    names = [*kind.__dataclass_fields__, "colour"]
    return st.dictionaries(st.sampled_from(names), values, max_size=len(names))


@PARSE
@given(event=st.one_of(fields(EventSpec), values), tables=st.lists(fields(TableSpec), max_size=3),
       rounds=st.lists(fields(RoundSpec), max_size=2), people=st.lists(fields(ParticipantSpec), max_size=3))
def test_setup_yaml_any_fields(event: Any, tables: list[dict], rounds: list[dict], people: list[dict]) -> None:
    """A setup file whose fields hold anything YAML can (lists, mappings, NUL, dates) loads or names its problems."""
    document = {"cafe_setup": SETUP_VERSION, "event": event, "tables": tables, "rounds": rounds, "participants": people}
    try:
        setup = load_yaml(yaml.safe_dump(document, allow_unicode=True).encode("utf-8", "surrogatepass"))
    except SetupError as error:
        refused_clearly(error)
    else:
        assert isinstance(setup.event.name, str) and setup.event.name
        assert all(isinstance(p.does_not_move, bool) for p in setup.participants)


@pytest.mark.parametrize("raw", [
    b"[" * 5000,
    b"cafe_setup: 1\nevent: {name: x, date: 2026-02-30}\n",
    b"cafe_setup: 1\nevent: {name: x, 1: 2}\n",
    b'cafe_setup: 1\nevent: {name: "a\\0b"}\n',
    b'cafe_setup: 1\nevent: {name: "\\ud800"}\n',
    b"cafe_setup: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    b"event: {name: *f}\ntables: [{number: *f, theme: *f, headings: [*f]}]\n",
], ids=["deep", "no-such-day", "number-key", "nul", "surrogate", "alias-bomb"])
def test_setup_yaml_hostile_files(raw: bytes) -> None:
    """Files found by fuzzing, kept as examples: each is refused quickly with a message, none crashes."""
    with pytest.raises(SetupError) as refused:
        load_yaml(raw)
    refused_clearly(refused.value)


@PARSE
@given(setup=setups())
def test_setup_yaml_round_trip(setup: Setup) -> None:
    """A valid setup written as YAML is accepted and read back the same."""
    assert load_yaml(dump_yaml(setup).encode()) == setup


@settings(PARSE, max_examples=25)
@given(setup=setups())
def test_setup_export_then_import(user: User, setup: Setup) -> None:
    """A setup imported into a new event and exported again is the same setup."""
    event = operations.import_setup(user, dump_yaml(setup).encode())
    again = operations.read_setup(event)
    # The event keeps its participants in name order; the setup is the same whatever order it listed them in.
    again.participants.sort(key=repr)
    setup.participants.sort(key=repr)
    assert again == setup


# ---- The checks behind the organiser's forms ----------------------------------------------------------------


@PARSE
@given(number=numbers, theme=values, capacity=numbers, headings=st.lists(values, max_size=4),
       minutes=numbers, buffer=numbers, name=values, host=numbers, moves=values, choices=values)
def test_spec_checks_any_values(number: Any, theme: Any, capacity: Any, headings: list, minutes: Any, buffer: Any,
                                name: Any, host: Any, moves: Any, choices: Any) -> None:
    """The checks turn any field values into messages, never into an exception."""
    problems = [
        *check_event(EventSpec(name=name, venue=theme)),
        *check_table(TableSpec(number=number, theme=theme, capacity=capacity, headings=headings)),
        *check_round(RoundSpec(minutes=minutes, buffer_seconds=buffer, question=theme), 1),
        *check_participant(ParticipantSpec(name=name, host_of_table=host, does_not_move=moves, choices=choices),
                           "Row 2", {1, 2}),
    ]
    assert all(isinstance(p, str) and p for p in problems)


FORMS = [(EventForm, check_event), (TableForm, check_table), (RoundForm, lambda spec: check_round(spec, 1)),
         (ParticipantForm, lambda spec: check_participant(spec, "The participant", {1}))]


@pytest.mark.parametrize("form_class, check", FORMS, ids=[f.__name__ for f, _ in FORMS])
def test_forms_any_fields(app: Flask, form_class: type, check: Any) -> None:
    """Any posted fields make a form that validates or not, without an exception; a valid one gives a spec."""
    names = [field.name for field in form_class(meta={"csrf": False})]

    @PARSE
    @given(data=st.dictionaries(st.sampled_from(names), any_text.map(lambda t: t.encode("utf-8", "replace").decode())))
    def parses(data: dict[str, str]) -> None:
        with app.test_request_context(method="POST", data=data):
            form = form_class()
            if form.validate():
                assert all(isinstance(p, str) for p in check(form.spec()))

    parses()


# ---- Notes, rounds and live settings ---------------------------------------------------------------------


@pytest.fixture
def running(create_event) -> Event:
    """An event whose first round is running."""
    event = create_event(rounds=2)
    operations.control_round(event, "start")
    return event


@settings(PARSE, max_examples=100)
@given(heading=st.one_of(st.sampled_from(["Ideas", "Blockers"]), any_text), text=st.one_of(any_text, values),
       author=st.one_of(any_text, values), client_id=st.one_of(st.from_regex(r"[A-Za-z0-9_.:-]{8,64}", fullmatch=True),
                                                                any_text), round_index=values)
@example(heading="Ideas", text="\ud800", author="", client_id="phone-0001", round_index=None)  # a JSON "\ud800"
@example(heading="Ideas", text="Fine", author="\udfff", client_id="phone-0002", round_index="²")
def test_post_note_any_input(running: Event, heading: Any, text: Any, author: Any, client_id: Any, round_index: Any) -> None:
    """A note with any heading, text, author, client id and round is stored or refused with a CafeError."""
    try:
        note, _ = operations.post_note(running.tables[0], heading=heading, text=text, author=author,
                                       client_id=client_id, round_index=round_index)
    except CafeError as error:
        refused_clearly(error)
        db.session.rollback()
    else:
        assert note.heading.title in ("Ideas", "Blockers") and 0 < len(note.text) <= 280


@settings(PARSE, max_examples=40)
@given(minutes=st.one_of(numbers, values))
def test_round_extension_any_minutes(create_event, minutes: Any) -> None:
    """Extending a running round by anything either keeps it running with a real end, or is refused."""
    event = create_event(tables=1, rounds=1, participants=0)
    operations.control_round(event, "start")
    try:
        operations.control_round(event, "extend", minutes)
    except CafeError as error:
        refused_clearly(error)
    else:
        status = status_of(event)
        assert status.phase in (Phase.RUNNING, Phase.MOVING, Phase.HARVEST)  # shortened past its end: it ended
        assert status.ends_at is None or math.isfinite(status.ends_at)
        assert math.isfinite(float(minutes)) and 0 < abs(float(minutes)) <= 120


@PARSE
@given(warnings=st.one_of(any_text, st.lists(numbers, max_size=6).map(lambda ws: ", ".join(map(str, ws)))))
@example(warnings="120, ²")  # isdigit() but not int()
def test_warning_times_any_text(running: Event, warnings: str) -> None:
    """The warning times are stored as up to five seconds in 1..3600, or refused with a message."""
    try:
        operations.update_live_settings(running, auto_advance=False, warnings=warnings, chime=True)
    except CafeError as error:
        refused_clearly(error)
    else:
        stored = [int(w) for w in running.warnings.split(",") if w]
        assert len(stored) <= 5 and all(0 < w <= 3600 for w in stored)


@PARSE
@given(limit=st.one_of(numbers, values), words=any_text)
def test_harvest_settings_any_vote_limit(running: Event, limit: Any, words: str) -> None:
    """The vote limit is stored as a whole number in 0..50, or refused with a message."""
    try:
        operations.update_harvest_settings(running, vote_limit=limit, event_wide_voting=True, premoderation=False,
                                           flag_words=words)
    except CafeError as error:
        refused_clearly(error)
    else:
        assert 0 <= running.vote_limit <= 50


# ---- The join code ------------------------------------------------------------------------------------------


@PARSE
@given(typed=any_text)
def test_join_code_any_text(running: Event, client: Any, typed: str) -> None:
    """Any typed code finds an event or none, and the join page answers 302, 400 or 404, never an error."""
    assert find_event(typed) in (None, running)
    assert client.get("/join", query_string={"code": typed}).status_code in (302, 400, 404)


@PARSE
@given(before=st.sampled_from(["", " ", "  "]), after=st.sampled_from(["", " ", "\t"]), lower=st.booleans())
def test_join_code_as_people_type_it(running: Event, client: Any, before: str, after: str, lower: bool) -> None:
    """The code typed in either case, with spaces around, finds its event."""
    code = running.code.lower() if lower else running.code
    assert find_event(before + code + after) == running
    assert client.get("/join", query_string={"code": before + code + after}).status_code == 302


# ---- Backup restore and settings ------------------------------------------------------------------------------


TABLE_NAMES = [table.name for table in db.metadata.sorted_tables]


@PARSE
@given(document=st.one_of(values, st.fixed_dictionaries({
    "format": st.just(FORMAT), "revision": st.none(),
    "tables": st.one_of(values, st.dictionaries(st.sampled_from(TABLE_NAMES), st.one_of(values, st.lists(
        st.dictionaries(st.sampled_from(["id", "name", "code", "email", "owner_id", "date", "created_at"]), values),
        max_size=2)), max_size=3)),
})))
def test_restore_any_document(app: Flask, document: Any) -> None:
    """Restoring any JSON document loads it or refuses it with a CafeError; a refusal stores nothing."""
    db.session.remove()  # restore writes in a transaction of its own, as from the command line
    try:
        restore(io.StringIO(json.dumps(document)))
    except CafeError as error:
        refused_clearly(error)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


NUMERIC = [s for s in SETTINGS if s.cast is not str]


@PARSE
@given(name=st.sampled_from([s.env for s in NUMERIC]), raw=st.one_of(any_text, numbers.map(str)))
def test_settings_any_environment(tmp_path_factory: pytest.TempPathFactory, name: str, raw: str) -> None:
    """A number setting is read as its number, or refused with an error that names the variable."""
    try:
        config = from_environment({name: raw})
    except ValueError as error:
        assert name in str(error)
    else:
        assert math.isfinite(config[name]) and config[name] >= 0
        derive_flask_config({**config, "CAFE_SECRET_KEY": "s"}, tmp_path_factory.mktemp("instance"))


def test_setup_date_round_trip() -> None:
    """A date written by the export is read back as the same date, not as text."""
    setup = Setup(event=EventSpec(name="Café", date=date(2026, 6, 18)))
    assert load_yaml(dump_yaml(setup).encode()).event.date == date(2026, 6, 18)
