"""Choose-your-theme mode: people pick themed tables and visit them over the rounds.

First each person is given a set of `rounds` different tables: their choices in
order of preference, one preference rank at a time (everyone's first choice
before anyone's second), as far as each table's chairs over all rounds allow;
then the least busy tables. Then the rounds: split each table into as many
copies as it needs chairs, each copy taking at most one person per round; the
people-copies graph is bipartite with maximum degree `rounds`, so by Konig's
theorem its edges can be coloured with `rounds` colours (alternating-path
recolouring), a colour being a round. Last, a local search exchanges two rounds
of one person's itinerary to even out each table's load over the rounds, and
annealed rings of such exchanges, which keep every load, cut repeated
encounters, then same-organisation and same-role pairs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from random import Random

from .figures import measure
from .model import Figures, Instance, Person, Plan, PlanError, Seats, Table, prepare
from .search import Search


def plan_choices(
    people: Sequence[Person],
    tables: Sequence[Table],
    rounds: int,
    choices: Mapping[str, Sequence[int]],
    *,
    seed: int = 0,
    time_limit: float = 2.0,
) -> Plan:
    """Seat everyone at the tables they chose: all when capacity allows, the most preferred otherwise.

    `choices` maps a person id to table numbers, most wanted first; people without
    choices fill the least busy tables. Hosts stay at their table, and someone who
    stays without hosting stays at their first choice. Table sizes follow demand
    here, so the balance rule does not apply; each table's load is spread evenly
    over the rounds instead.
    """
    start = time.perf_counter()
    inst = prepare(people, tables, rounds, False)
    if not inst.people:
        return Plan({}, Figures(rounds=rounds))
    R, T, P = rounds, len(inst.tables), len(inst.people)
    if R > T:
        raise PlanError(f"choose-your-theme needs at least as many tables as rounds ({T} tables, {R} rounds)")
    wish = _wishes(inst, choices)
    for i, p in enumerate(inst.people):
        if p.stays and p.host_of is None and wish[i]:
            inst.home[i] = wish[i][0]
    fixed = inst.fixed_count()
    for t in range(T):
        if fixed[t] > inst.capacity[t]:
            raise PlanError(f"table {inst.tables[t].number} seats {inst.capacity[t]} but {fixed[t]} people stay there")
    rng = Random(seed)
    room = [inst.capacity[t] - fixed[t] for t in range(T)]
    got = _allocate(inst, wish, room, fixed, rng)
    seat = _colour(inst, got, rng)
    search = Search(seat, [[True] * R for _ in range(P)], [h is None for h in inst.home],
                    inst.capacity, inst.org, inst.role, 0, rng)
    _improve(search, start + time_limit / 2)
    # Rings of round exchanges keep everyone's tables and every table's load per round.
    search.p_swap = search.p_exchange = 0.0
    search.p_ring = 1.0
    search.anneal(start + 0.97 * time_limit, (0, 0), search.w_rep)
    seats: Seats = {p.id: [inst.tables[t].number for t in search.seat[i]] for i, p in enumerate(inst.people)}
    return Plan(seats, measure(seats, inst.people, inst.tables, choices=choices))


def _wishes(inst: Instance, choices: Mapping[str, Sequence[int]]) -> list[list[int]]:
    """Each person's choices as table indices, checked."""
    number = {t.number: i for i, t in enumerate(inst.tables)}
    index = {p.id: i for i, p in enumerate(inst.people)}
    wish: list[list[int]] = [[] for _ in inst.people]
    for pid, picks in choices.items():
        if pid not in index:
            raise PlanError(f"{pid} has choices but is not among the people")
        for n in picks:
            if n not in number:
                raise PlanError(f"{pid} chose table {n}, which does not exist")
        if len(set(picks)) != len(picks):
            raise PlanError(f"{pid} chose the same table twice")
        wish[index[pid]] = [number[n] for n in picks]
    return wish


def _allocate(
    inst: Instance, wish: list[list[int]], room: list[int], fixed: list[int], rng: Random
) -> dict[int, list[int]]:
    """The tables each mover visits: choices rank by rank, then the least busy tables."""
    R, T = inst.rounds, len(inst.tables)
    limit = [r * R for r in room]
    load = [0] * T
    movers = [i for i, h in enumerate(inst.home) if h is None]
    rng.shuffle(movers)
    got: dict[int, list[int]] = {i: [] for i in movers}
    for rank in range(max((len(w) for w in wish), default=0)):
        # Those who got fewest of their choices so far pick first at each rank.
        movers.sort(key=lambda i: len(got[i]))
        for i in movers:
            if len(got[i]) < R and rank < len(wish[i]):
                t = wish[i][rank]
                if load[t] < limit[t]:
                    got[i].append(t)
                    load[t] += 1
    for i in movers:
        while len(got[i]) < R:
            options = [t for t in range(T) if t not in got[i] and load[t] < limit[t]]
            if not options:
                raise PlanError(f"the tables have too few chairs for everyone to visit {R} different tables")
            t = min(options, key=lambda t: ((load[t] + fixed[t] * R) / max(1, room[t] + fixed[t]), rng.random()))
            got[i].append(t)
            load[t] += 1
    return got


def _colour(inst: Instance, got: dict[int, list[int]], rng: Random) -> list[list[int]]:
    """Rounds for the allocated visits, by edge-colouring people against table copies."""
    R = inst.rounds
    visitors: dict[int, list[int]] = {}
    for i, ts in got.items():
        for t in ts:
            visitors.setdefault(t, []).append(i)
    edges: list[tuple[int, int]] = []
    copy_table: list[int] = []
    for t, who in sorted(visitors.items()):
        rng.shuffle(who)
        copies = -(-len(who) // R)
        first = len(copy_table)
        copy_table.extend([t] * copies)
        edges.extend((i, first + j % copies) for j, i in enumerate(who))
    left = {i: [-1] * R for i in got}
    right = [[-1] * R for _ in copy_table]
    for u, v in edges:
        a = left[u].index(-1)
        b = right[v].index(-1)
        if right[v][a] != -1:
            _flip(left, right, v, a, b)
        left[u][a], right[v][a] = v, u
    seat = [[h] * R if h is not None else [-1] * R for h in inst.home]
    for i, colours in left.items():
        seat[i] = [copy_table[c] for c in colours]
    return seat


def _flip(left: dict[int, list[int]], right: list[list[int]], v: int, a: int, b: int) -> None:
    """Swap colours a and b along the alternating path that starts at copy v with colour a."""
    path: list[tuple[int, int, int]] = []
    on_right, x, c = True, v, a
    while True:
        y = right[x][c] if on_right else left[x][c]
        if y == -1:
            break
        path.append((y, x, c) if on_right else (x, y, c))
        on_right, x, c = not on_right, y, (b if c == a else a)
    for u, w, c in path:
        left[u][c] = right[w][c] = -1
    for u, w, c in path:
        other = b if c == a else a
        left[u][other], right[w][other] = w, u


def _improve(search: Search, deadline: float) -> None:
    """Exchange two rounds of one person's itinerary while that evens loads, then cuts pairs."""
    rng, R = search.rng, search.R
    movers = [p for p in range(search.P) if search.movable[p]]
    if R < 2 or not movers:
        return
    # Even loads come before repeats here: weigh squared sizes like revisits.
    search.w_size = search.w_rev
    idle = 0
    while idle < 4 * len(movers) and time.perf_counter() < deadline:
        p = rng.choice(movers)
        best, move = 0, None
        for r1 in range(R):
            for r2 in range(r1 + 1, R):
                d = search.exchange_delta(p, r1, r2)
                if d is not None and d < best:
                    best, move = d, (r1, r2)
        if move is None:
            idle += 1
            continue
        idle = 0
        search.exchange(p, *move)
