"""Changes to the rotation plan: make it, re-plan after late arrivals and no-shows, mark attendance."""
from __future__ import annotations

from sqlalchemy import delete

from cafe import live
from cafe.db import db
from cafe.errors import CafeError, Conflict
from cafe.models import Event, Participant, RoundState, Seat
from cafe.rotation import Figures, Person, Plan, PlanError, Table, measure, plan_choices, plan_rotation, replan

PLAN_SECONDS = 2.0


def rotation_people(event: Event) -> list[Person]:
    """The event's participants as the planner sees them (ids are participant ids)."""
    return [Person(id=str(p.id), organisation=p.organisation, role=p.role,
                   host_of=p.host_of.number if p.host_of else None, stays=p.does_not_move)
            for p in event.participants]


def rotation_tables(event: Event) -> list[Table]:
    """The event's tables as the planner sees them."""
    return [Table(number=t.number, capacity=t.capacity) for t in event.tables]


def stored_seats(event: Event) -> dict[str, list[int | None]]:
    """The stored plan: participant id -> table number per round (None where not seated)."""
    rounds = len(event.rounds)
    seats: dict[str, list[int | None]] = {}
    for person in event.participants:
        if person.seats:
            row: list[int | None] = [None] * rounds
            for seat in person.seats:
                if 1 <= seat.round_index <= rounds:
                    row[seat.round_index - 1] = seat.table.number
            seats[str(person.id)] = row
    return seats


def plan_figures(event: Event) -> Figures | None:
    """The quality figures of the stored plan, or None when there is none."""
    seats = stored_seats(event)
    if not seats:
        return None
    people = [p for p in rotation_people(event) if p.id in seats]
    return measure(seats, people, rotation_tables(event), free=event.plan_free, choices=_choices(event) or None)


def _choices(event: Event) -> dict[str, list[int]]:
    """Each participant's chosen tables, when the event plans by choice."""
    if not event.plan_choices:
        return {}
    return {str(p.id): p.choice_numbers for p in event.participants if p.choice_numbers}


def played_rounds(event: Event) -> int:
    """How many rounds are behind us (ended or skipped): the index of the current or next round."""
    return sum(1 for r in event.rounds if r.state in (RoundState.ENDED, RoundState.SKIPPED))


def make_plan(event: Event, *, seed: int | None = None, free: bool | None = None,
              choices: bool | None = None) -> Figures:
    """Plan who sits where in every round; once rounds have run, re-plan only what is still ahead."""
    if not event.rounds or not event.tables:
        raise CafeError("Add tables and rounds before planning who sits where.")
    event.plan_seed = event.plan_seed if seed is None else seed
    event.plan_free = event.plan_free if free is None else free
    event.plan_choices = event.plan_choices if choices is None else choices
    tables = rotation_tables(event)
    people = rotation_people(event)
    present = [p for p, row in zip(people, event.participants) if not row.absent]
    existing = stored_seats(event)
    played = played_rounds(event)
    try:
        if existing and (played > 0 or any(r.state is not RoundState.PENDING for r in event.rounds)):
            known = [p for p in people if p.id in existing]
            plan = replan(Plan(existing, measure(existing, known, tables, free=event.plan_free)), known, tables,
                          played=played, absent={p.id for p in known if p not in present},
                          arrivals=[p for p in present if p.id not in existing], seed=event.plan_seed,
                          free=event.plan_free, time_limit=PLAN_SECONDS / 2)
        elif event.plan_choices:
            plan = plan_choices(present, tables, len(event.rounds), _choices(event), seed=event.plan_seed,
                                time_limit=PLAN_SECONDS)
        else:
            plan = plan_rotation(present, tables, len(event.rounds), seed=event.plan_seed, free=event.plan_free,
                                 time_limit=PLAN_SECONDS)
    except PlanError as error:
        raise CafeError(str(error)) from None
    _store(event, plan.seats)
    live.broadcast("plan.changed", {"rounds": len(event.rounds)}, [live.event_room(event)])
    return plan.figures


def _store(event: Event, seats: dict[str, list[int | None]]) -> None:
    """Replace the event's seats by a plan's."""
    tables = {t.number: t for t in event.tables}
    db.session.execute(delete(Seat).where(Seat.event_id == event.id))
    for person in event.participants:
        for index, number in enumerate(seats.get(str(person.id), []), start=1):
            if number is not None:
                db.session.add(Seat(event_id=event.id, participant_id=person.id, round_index=index,
                                    table_id=tables[number].id))
    db.session.commit()
    db.session.expire(event)


def clear_plan(event: Event) -> None:
    """Forget the plan (people then choose tables themselves)."""
    if played_rounds(event):
        raise Conflict("Rounds have been played; re-plan instead of clearing, so their seats are kept.")
    db.session.execute(delete(Seat).where(Seat.event_id == event.id))
    db.session.commit()
    db.session.expire(event)


def mark_absent(person: Participant, absent: bool) -> None:
    """Mark someone as not here (or back again); the next re-plan seats the others around them."""
    person.absent = bool(absent)
    db.session.commit()


def itinerary(person: Participant) -> list[tuple[int, object]]:
    """A person's table for each round: (round index, table or None)."""
    tables = {s.round_index: s.table for s in person.seats}
    return [(r.index, tables.get(r.index)) for r in person.event.rounds]


def arrivals(event: Event, round_index: int | None) -> list[tuple[object, list[str]]]:
    """For a round: each table with the names of the people seated there, hosts first."""
    if round_index is None:
        return []
    seated: dict[int, list[Participant]] = {t.id: [] for t in event.tables}
    for person in event.participants:
        for seat in person.seats:
            if seat.round_index == round_index and not person.absent:
                seated[seat.table_id].append(person)
    return [(t, [p.name for p in sorted(seated[t.id], key=lambda p: (p.host_of is None, p.name))])
            for t in event.tables]
