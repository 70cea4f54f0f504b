"""Plans for the CLI: an event's stored plan, or one made offline from a participants CSV."""
from __future__ import annotations

from dataclasses import dataclass

from cafe import operations
from cafe.auth import find_event
from cafe.errors import CafeError, NotFound
from cafe.export.plan import plan_csv
from cafe.rotation import Figures, Person, PlanError, Table, plan_rotation
from cafe.setup_data import parse_participants_csv


@dataclass(frozen=True)
class PlanResult:
    """A plan's figures and its CSV: one row per participant, name then a table number per round."""

    figures: Figures
    csv: str


def event_plan(code: str, *, make: bool = False, seed: int = 0) -> PlanResult:
    """An event's plan (made first when asked) with its figures."""
    event = find_event(code)
    if event is None:
        raise NotFound(f"There is no event with the code {code}.")
    if make:
        operations.make_plan(event, seed=seed)
    figures = operations.plan_figures(event)
    if figures is None:
        raise CafeError(f"{event.name} has no plan yet; add --make to make one.")
    seats = operations.stored_seats(event)
    people = [p for p in event.participants if str(p.id) in seats]
    return PlanResult(figures, plan_csv([p.name for p in people], [seats[str(p.id)] for p in people], len(event.rounds)))


def offline_plan(raw_csv: bytes, tables: int, rounds: int, *, capacity: int | None = None, free: bool = False,
                 seed: int = 0) -> PlanResult:
    """A plan for badge numbers, with no event: participants from CSV, T tables, R rounds."""
    specs = parse_participants_csv(raw_csv, set(range(1, tables + 1)))
    people = [Person(id=str(i), organisation=s.organisation, role=s.role, host_of=s.host_of_table, stays=s.does_not_move)
              for i, s in enumerate(specs)]
    try:
        plan = plan_rotation(people, [Table(n, capacity) for n in range(1, tables + 1)], rounds, seed=seed, free=free)
    except PlanError as error:
        raise CafeError(str(error)) from None
    return PlanResult(plan.figures, plan_csv([s.name for s in specs], [plan.seats[p.id] for p in people], rounds))
