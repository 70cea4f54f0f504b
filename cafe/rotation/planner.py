"""Planning a rotation before the event, and re-planning it during the event."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from random import Random

from .figures import measure
from .model import (
    Figures,
    Instance,
    Person,
    Plan,
    PlanError,
    Seats,
    Table,
    is_balanced,
    is_pinned,
    level_sizes,
    pairs,
    prepare,
)
from .movement import movement_seats
from .polish import polish
from .search import Search
from .state import State


def plan_rotation(
    people: Sequence[Person],
    tables: Sequence[Table],
    rounds: int,
    *,
    seed: int = 0,
    free: bool = False,
    time_limit: float = 2.0,
) -> Plan:
    """Seat everyone for every round: hosts stay, the rest move and meet new people.

    Hard rules: pinned people (hosts, unless `free`, and those who stay) never move;
    while rounds <= tables nobody else sits at a table twice; sizes obey the
    balance rule of `is_balanced`. Then, in order: fewest repeated encounters,
    fewest same-organisation pairs, most mixed roles. The same seed gives the same
    plan unless `time_limit` (seconds) cuts a long search short.
    """
    start = time.perf_counter()
    # Leave a little of the time for measuring the plan.
    deadline = start + 0.97 * time_limit
    inst = prepare(people, tables, rounds, free)
    if not inst.people:
        return Plan({}, Figures(rounds=rounds))
    check_room_to_move(inst)
    rng = Random(seed)
    R, T = rounds, len(inst.tables)
    movable = [h is None for h in inst.home]
    built = movement_seats(inst, rng, start + time_limit / 4)
    if built is not None and built[1] and all_balanced(built[0], inst):
        # An exact movement is optimal for repeats already; only organisations and roles remain.
        seat = built[0]
    else:
        seat = built[0] if built is not None else [[-1] * R if h is None else [h] * R for h in inst.home]
        search = new_search(inst, seat, 0, rng)
        search.fill()
        search.balance()
        search.repair()
        goal = floor(search)
        search.anneal(start + time_limit * (0.8 if search.n_org else 0.97), goal[:2], search.w_rep)
        seat = search.seat
    apart = pinned_org_pairs(inst)
    if polish(seat, movable, inst.org, inst.role, T, rng, deadline, apart) > apart and time.perf_counter() < deadline:
        # Itinerary swaps alone could not part every pair of colleagues: let people
        # move round by round, without giving up any repeat or revisit won so far.
        search = new_search(inst, seat, 0, rng)
        search.anneal(deadline, (search.rev, search.rep, apart), search.w_org)
        seat = search.seat
        polish(seat, movable, inst.org, inst.role, T, rng, deadline, apart)
    if R <= T and revisits(seat, movable) > 0:
        raise PlanError(
            f"found no plan within {time_limit:g} s in which everyone visits a different table each round; "
            "allow more time, add tables or chairs, or play fewer rounds"
        )
    seats: Seats = {p.id: [inst.tables[t].number for t in seat[i]] for i, p in enumerate(inst.people)}
    return Plan(seats, measure(seats, inst.people, inst.tables, free=free))


def new_search(inst: Instance, seat: list[list[int]], first: int, rng: Random) -> Search:
    """A search over these seats, everyone present in every round they are seated or after `first`."""
    present = [[r >= first or t >= 0 for r, t in enumerate(row)] for row in seat]
    movable = [h is None for h in inst.home]
    return Search(seat, present, movable, inst.capacity, inst.org, inst.role, first, rng)


def all_balanced(seat: list[list[int]], inst: Instance) -> bool:
    """Whether every round of these seats obeys the balance rule."""
    T = len(inst.tables)
    for r in range(inst.rounds):
        sizes, movers = [0] * T, [0] * T
        for p, row in enumerate(seat):
            sizes[row[r]] += 1
            movers[row[r]] += inst.home[p] is None
        if not is_balanced(sizes, movers, inst.capacity):
            return False
    return True


def revisits(seat: list[list[int]], movable: list[bool]) -> int:
    """Seats of movers at a table they already sat at."""
    return sum(len(row) - len(set(row)) for p, row in enumerate(seat) if movable[p])


def pinned_org_pairs(inst: Instance) -> int:
    """Same-organisation pairs among pinned people sharing a table, over all rounds."""
    together: dict[tuple[int, int], int] = {}
    for h, o in zip(inst.home, inst.org):
        if h is not None and o >= 0:
            together[h, o] = together.get((h, o), 0) + 1
    return inst.rounds * sum(pairs(c) for c in together.values())


def check_room_to_move(inst: Instance) -> None:
    """Raise PlanError when balanced tables leave no way to avoid revisits (rounds <= tables).

    With balanced sizes, table t seats at least base[t] - pinned[t] movers every
    round, and each mover may sit there once; the tables that take one extra
    person need room for those visits too.
    """
    R, T = inst.rounds, len(inst.tables)
    fixed = inst.fixed_count()
    movers = sum(1 for h in inst.home if h is None)
    if R > T or movers == 0:
        return
    base, eligible, extra = level_sizes(inst.capacity, fixed, len(inst.people))
    for t in range(T):
        if R * (base[t] - fixed[t]) > movers:
            raise PlanError(
                f"table {inst.tables[t].number} needs {R * (base[t] - fixed[t])} visits over {R} rounds "
                f"but only {movers} people move, so some would sit there twice; "
                "play fewer rounds or let fewer people stay put"
            )
    room = sum(min(R, movers - R * (base[t] - fixed[t])) for t in eligible)
    if room < R * extra:
        raise PlanError(
            "the tables cannot stay balanced without someone sitting at a table twice; "
            "play fewer rounds or let fewer people stay put"
        )


def floor(search: Search) -> tuple[int, int, int]:
    """Goals for the search: lower bounds on (revisits, repeats, same-organisation pairs).

    What was played, and pinned people meeting each other, cannot be undone; and the
    counting bound of `measure` holds for the repeats. With more rounds than tables
    revisits are allowed, and their goal is one that every plan meets.
    """
    R, first = search.R, search.first
    fixed = [
        [t if (r < first or not search.movable[p]) else -1 for r, t in enumerate(row)]
        for p, row in enumerate(search.seat)
    ]
    settled = State(fixed, search.present, search.movable, search.capacity, search.org, search.role, first, search.rng)
    total = sum(pairs(len(m)) for r in range(R) for m in search.members[r])
    seen = sum(1 for p in range(search.P) if any(search.present[p]))
    rep = max(settled.rep, total - pairs(seen))
    if search.R > search.T:
        # Revisits are allowed then: no goal for them (every seat could be one).
        return search.P * search.R, rep, settled.orgs
    return settled.rev, rep, settled.orgs


def replan(
    plan: Plan,
    people: Sequence[Person],
    tables: Sequence[Table],
    *,
    played: int,
    absent: Collection[str] = (),
    arrivals: Sequence[Person] = (),
    seed: int = 0,
    free: bool = False,
    time_limit: float = 1.0,
) -> Plan:
    """Re-plan after `played` rounds for who is there now, keeping what has already happened.

    Played rounds are kept; in the current round (index `played`) nobody seated
    moves, absent people leave and arrivals take the places they vacated first.
    Later rounds are re-planned with every encounter so far counted; an arrival who
    takes a mover's place also takes over that person's later tables where that
    fits. `people` are everyone in the plan; absent people get None from round
    `played` on, arrivals get None before it. An arriving host joins their own
    table, even when it is full in the current round.
    """
    start = time.perf_counter()
    R = plan.rounds
    if not 0 <= played < R:
        raise PlanError(f"played must be between 0 and {R - 1} for a plan of {R} rounds (got {played})")
    known = {p.id for p in people}
    for pid in plan.seats:
        if pid not in known:
            raise PlanError(f"{pid} is in the plan but not among the people")
    for p in people:
        if p.id not in plan.seats:
            raise PlanError(f"{p.id} is not in the plan; add them as an arrival")
    for pid in absent:
        if pid not in known:
            raise PlanError(f"{pid} is absent but not in the plan")
    for p in arrivals:
        if p.id in known:
            raise PlanError(f"{p.id} arrives but is already in the plan")
    here = [p for p in people if p.id not in absent] + list(arrivals)
    inst = prepare(here, tables, R, free)
    number = {t.number: i for i, t in enumerate(inst.tables)}
    for pid, row in plan.seats.items():
        gone = {t for t in row if t is not None and t not in number}
        if gone:
            raise PlanError(f"the plan seats {pid} at table {min(gone)}, which is not among the tables")
    P = len(here)
    seat = [[-1] * R for _ in range(P)]
    for i, p in enumerate(here):
        for r, t in enumerate(plan.seats.get(p.id, [None] * R)[: played + 1]):
            if t is not None:
                seat[i][r] = number[t]
    for i, p in enumerate(here):
        if p.host_of is not None and is_pinned(p, free):
            seat[i][played] = number[p.host_of]
    heir = _seat_arrivals(inst, seat, plan, people, absent, played, number)
    for i, p in enumerate(here):
        if inst.home[i] is not None and not (p.host_of is not None and is_pinned(p, free)):
            # Someone who stays keeps the table they were last seen at.
            seen = [t for t in seat[i][: played + 1] if t >= 0]
            if seen:
                inst.home[i] = seen[-1]
        home = inst.home[i]
        if home is not None:
            seat[i][played + 1 :] = [home] * (R - played - 1)
            continue
        source = plan.seats.get(heir.get(p.id, p.id))
        if source is not None:
            for r in range(played + 1, R):
                t = source[r]
                if t is not None:
                    seat[i][r] = number[t]
    rng = Random(seed)
    search = new_search(inst, seat, played + 1, rng)
    search.fill()
    search.balance()
    search.repair()
    goal = floor(search)
    search.anneal(start + time_limit * 0.7, goal[:2], search.w_rep)
    search.anneal(start + time_limit, goal, search.w_org)
    seats: Seats = {}
    for p in people:
        if p.id in absent:
            seats[p.id] = list(plan.seats[p.id][:played]) + [None] * (R - played)
    for i, p in enumerate(here):
        seats[p.id] = [inst.tables[t].number if t >= 0 else None for t in search.seat[i]]
    everyone = list(people) + list(arrivals)
    return Plan({p.id: seats[p.id] for p in everyone}, measure(seats, everyone, inst.tables, free=free))


def _seat_arrivals(
    inst: Instance,
    seat: list[list[int]],
    plan: Plan,
    people: Sequence[Person],
    absent: Collection[str],
    played: int,
    number: dict[int, int],
) -> dict[str, str]:
    """Seat the unseated in the current round, in vacated places first; return arrival -> whose place."""
    vacated: dict[int, list[str]] = {}
    for p in people:
        t = plan.seats[p.id][played]
        if p.id in absent and t is not None:
            vacated.setdefault(number[t], []).append(p.id)
    movers_first = {p.id: not is_pinned(p, inst.free) for p in people}
    for ids in vacated.values():
        ids.sort(key=lambda pid: not movers_first[pid])
    size = [0] * len(inst.tables)
    colleagues: list[dict[int, int]] = [{} for _ in inst.tables]
    for row, org in zip(seat, inst.org):
        t = row[played]
        if t >= 0:
            size[t] += 1
            colleagues[t][org] = colleagues[t].get(org, 0) + 1
    heir: dict[str, str] = {}
    for i, p in enumerate(inst.people):
        if seat[i][played] >= 0:
            continue
        open_places = [t for t, ids in vacated.items() if ids and size[t] < inst.capacity[t]]
        if not open_places:
            # Every table can be full only when an arriving host squeezed in at theirs.
            open_places = [t for t in range(len(inst.tables)) if size[t] < inst.capacity[t]] or list(range(len(size)))
        org = inst.org[i]
        t = min(open_places, key=lambda t: (size[t], colleagues[t].get(org, 0) if org >= 0 else 0, t))
        seat[i][played] = t
        size[t] += 1
        colleagues[t][org] = colleagues[t].get(org, 0) + 1
        if vacated.get(t):
            gone = vacated[t].pop(0)
            if movers_first[gone] and inst.home[i] is None:
                heir[p.id] = gone
    return heir
