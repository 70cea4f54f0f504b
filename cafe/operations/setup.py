"""Changes to an event's setup: the event, its tables, rounds and participants."""
from __future__ import annotations

from sqlalchemy import func, select

from cafe.db import db
from cafe.export.files import discard_prepared
from cafe.operations.polls import new_poll
from cafe.models import Event, Heading, Note, Participant, Round, RoundState, Table, User, new_join_code, new_token
from cafe.setup_data import (
    LIMITS, EventSpec, ParticipantSpec, PollSpec, RoundSpec, Setup, SetupError, TableSpec, check_event, check_participants,
    check_round, check_setup, check_table, load_yaml, parse_participants_csv,
)

def _unique_code() -> str:
    """A join code no other event uses."""
    while True:
        code = new_join_code()
        if not db.session.scalar(select(Event.id).where(Event.code == code)):
            return code


def _fail_if(errors: list[str]) -> None:
    """Raise the collected messages, so nothing is written."""
    if errors:
        raise SetupError(errors)


def create_event(owner: User, spec: EventSpec) -> Event:
    """Create an empty event owned by the organiser."""
    _fail_if(check_event(spec))
    event = _new_event(owner, spec)
    db.session.commit()
    return event


def _new_event(owner: User, spec: EventSpec) -> Event:
    """An event with a join code of its own, added to the session (no commit)."""
    event = Event(owner=owner, code=_unique_code(), name=spec.name, date=spec.date, venue=spec.venue,
                  description=spec.description)
    db.session.add(event)
    return event


def update_event(event: Event, spec: EventSpec) -> Event:
    """Change an event's name, date, venue and description."""
    _fail_if(check_event(spec))
    event.name, event.date, event.venue, event.description = spec.name, spec.date, spec.venue, spec.description
    db.session.commit()
    return event


def delete_event(event: Event) -> None:
    """Delete an event with everything it holds, its prepared exports too."""
    code = event.code
    db.session.delete(event)
    db.session.commit()
    discard_prepared(code)


def _fill_event(event: Event, setup: Setup) -> None:
    """Add a validated setup's tables, rounds and participants to an event (no commit)."""
    for spec in setup.tables:
        event.tables.append(_new_table(spec))
    for index, spec in enumerate(setup.rounds, start=1):
        event.rounds.append(Round(index=index, minutes=spec.minutes, question=spec.question,
                                  buffer_seconds=spec.buffer_seconds))
    kept = {p.question for p in event.polls}  # replacing a setup keeps the polls people have answered
    for spec in setup.polls:
        if spec.question.strip() not in kept:
            event.polls.append(new_poll(spec, max((p.position for p in event.polls), default=0) + 1))
    db.session.flush()
    _add_participants(event, setup.participants)


def _new_table(spec: TableSpec) -> Table:
    """A table built from a validated spec."""
    table = Table(number=spec.number, theme=spec.theme, host=spec.host, question=spec.question, capacity=spec.capacity)
    table.headings = [Heading(position=i, title=title) for i, title in enumerate(spec.headings)]
    return table


def _add_participants(event: Event, people: list[ParticipantSpec]) -> list[Participant]:
    """Add validated participants to an event (no commit); returns them."""
    tables = {t.number: t for t in event.tables}
    added = [Participant(name=spec.name, organisation=spec.organisation, role=spec.role, email=spec.email,
                         host_of=tables.get(spec.host_of_table) if spec.host_of_table else None,
                         does_not_move=spec.does_not_move, choices=spec.choices) for spec in people]
    event.participants.extend(added)
    return added


def import_setup(owner: User, raw: bytes) -> Event:
    """Create a new event from a YAML setup file; nothing is stored when the file has a problem."""
    setup = load_yaml(raw)
    event = _new_event(owner, setup.event)
    _fill_event(event, setup)
    db.session.commit()
    return event


def duplicate_event(event: Event, owner: User) -> Event:
    """Copy an event's setup into a new event with its own join code and table links."""
    setup = read_setup(event)
    setup.event.name = f"Copy of {event.name}"[:200]
    copy = _new_event(owner, setup.event)
    _fill_event(copy, setup)
    db.session.commit()
    return copy


def read_setup(event: Event) -> Setup:
    """An event's setup as plain data, the form the YAML export writes."""
    return Setup(
        event=EventSpec(name=event.name, date=event.date, venue=event.venue, description=event.description),
        tables=[TableSpec(number=t.number, theme=t.theme, host=t.host, question=t.question,
                          capacity=t.capacity, headings=t.heading_titles) for t in event.tables],
        rounds=[RoundSpec(minutes=r.minutes, question=r.question, buffer_seconds=r.buffer_seconds) for r in event.rounds],
        participants=[ParticipantSpec(name=p.name, organisation=p.organisation, role=p.role, email=p.email,
                                      host_of_table=p.host_of.number if p.host_of else None,
                                      does_not_move=p.does_not_move, choices=p.choices) for p in event.participants],
        polls=[PollSpec(question=p.question, kind=p.kind.value, options=[o.text for o in p.options],
                        max_choices=p.max_choices if p.kind.value == "multiple" else None,
                        scale=f"{p.scale_min}-{p.scale_max}", low_label=p.low_label, high_label=p.high_label,
                        correct=[o.position for o in p.options if o.correct], hide_results=p.hide_results,
                        named=p.named) for p in event.polls],
    )


def save_table(event: Event, spec: TableSpec, table: Table | None = None) -> Table:
    """Add a table to an event, or change one, keeping the headings that did not change."""
    errors = check_table(spec)
    clash = event.table_by_number(spec.number)
    if clash is not None and clash is not table:
        errors.append(f"Table number {spec.number} is already used by '{clash.theme}'.")
    _fail_if(errors)
    if table is None:
        table = _new_table(spec)
        event.tables.append(table)
    else:
        headings = _headings_after(table, spec.headings)
        table.number, table.theme, table.host = spec.number, spec.theme, spec.host
        table.question, table.capacity = spec.question, spec.capacity
        table.headings = headings
        for position, heading in enumerate(table.headings):
            heading.position = position
    db.session.commit()
    return table


def _headings_after(table: Table, titles: list[str]) -> list[Heading]:
    """A table's headings for these titles: one kept by its title (moved, perhaps), one whose line was edited in
    place renamed, so their notes stay with them; a heading that would go while it holds notes is refused."""
    old = list(table.headings)
    by_title = {h.title: h for h in old}
    # A line whose words changed is a rename only while every line stays where it was (same count, nothing moved);
    # otherwise a position says nothing about which heading a new title replaces.
    in_place = len(titles) == len(old) and all(old[i].title == t for i, t in enumerate(titles) if t in by_title)
    chosen: list[tuple[Heading | None, str]] = []
    for position, title in enumerate(titles):
        heading = by_title.get(title)
        if heading is None and in_place:
            heading = old[position]  # the same line, new words: a rename
        chosen.append((heading, title))
    gone = [h for h in old if h.id is not None and all(h is not kept for kept, _ in chosen)]
    counts: dict[int, int] = {}
    if gone:  # only a heading that goes needs counting
        per_heading = (select(Note.heading_id, func.count()).where(Note.heading_id.in_([h.id for h in gone]))
                       .group_by(Note.heading_id))
        counts = {heading_id: count for heading_id, count in db.session.execute(per_heading)}
    _fail_if([f"The heading '{h.title}' holds {counts[h.id]} note{'' if counts[h.id] == 1 else 's'}, so it stays: "
              f"rename it on its own line to keep them under the new name." for h in gone if counts.get(h.id)])
    headings = []
    for heading, title in chosen:
        heading = heading or Heading(title=title)
        heading.title = title
        headings.append(heading)
    return headings


def delete_table(table: Table) -> None:
    """Delete a table and its headings; one that holds notes stays (they would go with it)."""
    notes = db.session.scalar(select(func.count()).select_from(Note).where(Note.table_id == table.id))
    _fail_if([f"Table {table.number} holds {notes} note{'' if notes == 1 else 's'}, so it stays: deleting it would "
              f"delete them too. Hide notes from the console instead."] if notes else [])
    db.session.delete(table)
    db.session.commit()


# The links that grant a role, by the name the organiser's page uses: what holds the token, and its column.
LINKS = {"facilitator": (False, "facilitator_token"), "host": (True, "host_token"), "table": (True, "token"),
         "moderator": (False, "moderator_token")}


def replace_link(event: Event, kind: str, table: Table | None = None) -> str:
    """Give a role link a new token: whoever holds the old link loses the role at once. Returns the new token."""
    if kind not in LINKS:
        raise SetupError([f"There is no {kind} link; links are: {', '.join(LINKS)}."])
    per_table, column = LINKS[kind]
    if per_table and (table is None or table.event_id != event.id):
        raise SetupError(["Say which table's link to replace."])
    token = new_token()
    setattr(table if per_table else event, column, token)
    db.session.commit()
    return token


def move_table(table: Table, step: int) -> None:
    """Swap a table's number with its neighbour's, moving it up (-1) or down (+1) the list."""
    tables = table.event.tables
    place = tables.index(table) + step
    if not 0 <= place < len(tables):
        return
    other = tables[place]
    first, second = table.number, other.number
    # One number at a time, the first parked out of range, so the unique (event, number) constraint holds at every
    # flush (in one flush the updates run in primary-key order, which may be the wrong one).
    table.number = -1
    db.session.flush()
    other.number = first
    db.session.flush()
    table.number = second
    db.session.commit()


def save_round(event: Event, spec: RoundSpec, round_: Round | None = None) -> Round:
    """Add a round at the end of an event's rounds, or change one."""
    index = round_.index if round_ else len(event.rounds) + 1
    _fail_if(check_round(spec, index))
    if round_ is None:
        round_ = Round(index=index)
        event.rounds.append(round_)
    round_.minutes, round_.question, round_.buffer_seconds = spec.minutes, spec.question, spec.buffer_seconds
    db.session.commit()
    return round_


def delete_round(round_: Round) -> None:
    """Delete a round that has not started, and renumber the ones after it."""
    if round_.state is RoundState.SKIPPED:
        _fail_if([f"Round {round_.index} was skipped; it stays, so that the rounds after it keep their numbers."])
    if round_.state is not RoundState.PENDING:
        _fail_if([f"Round {round_.index} has started ({round_.state.value}), so it stays: only a round that has not "
                  f"started can be deleted (skip it from the console instead)."])
    event = round_.event
    event.rounds.remove(round_)
    db.session.delete(round_)
    db.session.flush()
    for index, other in enumerate(sorted(event.rounds, key=lambda r: r.index), start=1):
        other.index = index
        db.session.flush()
    db.session.commit()


def import_participants(event: Event, raw: bytes, *, replace: bool) -> int:
    """Add (or replace the list with) participants from CSV; a bad row stores nothing."""
    kept = [] if replace else event.participants
    people = parse_participants_csv(raw, {t.number for t in event.tables}, *_taken(kept))
    _check_total(len(kept) + len(people))
    if replace:
        event.participants.clear()
        db.session.flush()
    _add_participants(event, people)
    db.session.commit()
    return len(people)


def add_participant(event: Event, spec: ParticipantSpec) -> Participant:
    """Add one participant to an event's list."""
    _fail_if(check_participants([spec], {t.number for t in event.tables}, ["The participant"],
                                *_taken(event.participants)))
    _check_total(len(event.participants) + 1)
    [person] = _add_participants(event, [spec])
    db.session.commit()
    return person


def _taken(people: list[Participant]) -> tuple[dict[int, str], dict[str, str]]:
    """What a list of participants already holds that a newcomer may not: hosted tables and emails."""
    return ({p.host_of.number: p.name for p in people if p.host_of},
            {p.email.casefold(): p.name for p in people if p.email})


def delete_participant(participant: Participant) -> None:
    """Remove one participant from an event's list."""
    db.session.delete(participant)
    db.session.commit()


def _check_total(total: int) -> None:
    """Refuse a participant list longer than the limit."""
    if total > LIMITS["participants"]:
        raise SetupError(f"An event can list at most {LIMITS['participants']} participants, not {total}.")


def replace_setup(event: Event, setup: Setup) -> Event:
    """Replace an event's fields, tables, rounds and participants by a validated setup."""
    check_setup(setup)
    update = setup.event
    event.name, event.date, event.venue, event.description = update.name, update.date, update.venue, update.description
    event.participants.clear()
    event.tables.clear()
    event.rounds.clear()
    for poll in [p for p in event.polls if not p.responses]:
        if event.activity_poll_id == poll.id:
            event.activity, event.activity_poll_id = "cafe", None
        event.polls.remove(poll)
    db.session.flush()
    _fill_event(event, setup)
    db.session.commit()
    return event
