"""Tests of the rotation planner: unit tests, and property tests of every hard rule."""

from __future__ import annotations

import random
import time
from collections import Counter
from itertools import combinations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cafe.rotation import (
    Figures,
    Person,
    Plan,
    PlanError,
    Table,
    measure,
    plan_choices,
    plan_rotation,
    replan,
)
from cafe.rotation.movement import Field, offsets, prime_power

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hosted(n: int, tables: int, *, orgs: int = 0, roles: str = "") -> tuple[list[Person], list[Table]]:
    """A host per table plus participants, organisations and roles dealt round-robin."""
    people = [Person(f"h{t}", host_of=t) for t in range(1, tables + 1)]
    for i in range(n - tables):
        org = f"o{i % orgs}" if orgs else ""
        role = roles[i % len(roles)] if roles else ""
        people.append(Person(f"p{i}", organisation=org, role=role))
    return people, [Table(t) for t in range(1, tables + 1)]


def meetings(seats: dict[str, list[int | None]]) -> Counter[tuple[str, str]]:
    """How often each pair sat together."""
    count: Counter[tuple[str, str]] = Counter()
    rounds = max(len(row) for row in seats.values())
    for r in range(rounds):
        groups: dict[int, list[str]] = {}
        for pid, row in seats.items():
            t = row[r]
            if t is not None:
                groups.setdefault(t, []).append(pid)
        for group in groups.values():
            count.update(combinations(sorted(group), 2))
    return count


def balanced(sizes: list[int], movers: list[int], capacity: list[int]) -> bool:
    """The balance rule: no mover could go to a table with room two or more smaller."""
    if any(s > c for s, c in zip(sizes, capacity)):
        return False
    for a in range(len(sizes)):
        for b in range(len(sizes)):
            if movers[a] and sizes[b] < capacity[b] and sizes[a] >= sizes[b] + 2:
                return False
    return True


def check_rules(
    plan: Plan, people: list[Person], tables: list[Table], rounds: int, free: bool, first: int = 0, moving: bool = True
) -> None:
    """Assert every hard rule from round index `first` on (`moving`: the no-revisit rule too)."""
    numbers = [t.number for t in tables]
    capacity = [t.capacity if t.capacity is not None else len(plan.seats) for t in tables]
    pinned = {p.id for p in people if p.stays or (p.host_of is not None and not free)}
    for p in people:
        row = plan.seats[p.id]
        assert len(row) == rounds
        seated = [t for t in row[first:] if t is not None]
        assert all(t in numbers for t in seated)
        if p.host_of is not None and not free and seated:
            assert set(seated) == {p.host_of}
        if p.stays:
            assert len({t for t in row if t is not None}) <= 1
        if moving and p.id not in pinned and rounds <= len(tables):
            visited = [t for t in row if t is not None]
            assert len(visited) == len(set(visited)), f"{p.id} revisits: {row}"
    for r in range(first, rounds):
        sizes = [len(plan.at_table(r, n)) for n in numbers]
        movers = [sum(1 for pid in plan.at_table(r, n) if pid not in pinned) for n in numbers]
        assert balanced(sizes, movers, capacity), f"round {r}: sizes {sizes}"


# -- examples --------------------------------------------------------------------


@pytest.mark.parametrize("n, tables, rounds", [(38, 7, 5), (38, 7, 7), (40, 8, 4), (140, 20, 3), (300, 30, 6)])
def test_movement_instances_are_perfect(n: int, tables: int, rounds: int) -> None:
    people, tabs = hosted(n, tables)
    plan = plan_rotation(people, tabs, rounds)
    f = plan.figures
    assert (f.repeated_encounters, f.revisits) == (0, 0)
    assert f.size_spread <= 1
    check_rules(plan, people, tabs, rounds, False)


def test_colleagues_are_kept_apart_when_organisations_fit() -> None:
    people, tables = hosted(38, 7, orgs=8)
    plan = plan_rotation(people, tables, 5)
    assert plan.figures.same_organisation_pairs == 0
    assert plan.figures.repeated_encounters == 0


def test_roles_are_mixed() -> None:
    people, tables = hosted(38, 7, roles="abcde")
    plan = plan_rotation(people, tables, 4)
    assert plan.figures.role_mix >= 0.95
    assert plan.figures.repeated_encounters == 0


def test_free_mode_moves_hosts() -> None:
    people, tables = hosted(24, 6)
    plan = plan_rotation(people, tables, 4, free=True)
    assert any(len(set(plan.seats[f"h{t}"])) > 1 for t in range(1, 7))
    assert plan.figures.repeated_encounters == 0
    check_rules(plan, people, tables, 4, True)


def test_stays_without_hosting_keeps_one_table() -> None:
    people, tables = hosted(30, 6)
    people[10] = Person(people[10].id, stays=True)
    plan = plan_rotation(people, tables, 5, time_limit=0.2)
    assert len(set(plan.seats[people[10].id])) == 1
    check_rules(plan, people, tables, 5, False)


def test_more_rounds_than_tables_repeats_as_little_as_possible() -> None:
    golfers = [Person(f"g{i}") for i in range(16)]
    plan = plan_rotation(golfers, [Table(t) for t in range(1, 5)], 5, free=True, time_limit=0.5)
    assert plan.figures.repeated_encounters == 0  # a resolvable 2-(16,4,1) design exists
    assert plan.figures.size_spread == 0


def test_hard_instance_without_movement_stays_near_its_best() -> None:
    people, tables = hosted(24, 6)
    plan = plan_rotation(people, tables, 6, time_limit=1.0)
    assert plan.figures.repeated_encounters <= 8
    check_rules(plan, people, tables, 6, False)


def test_capacities_are_respected_and_sizes_balanced() -> None:
    people = [Person(f"p{i}") for i in range(20)]
    tables = [Table(1, 3), Table(2, 8), Table(3, 8), Table(4, 8)]
    plan = plan_rotation(people, tables, 3, time_limit=0.2)
    for r in range(3):
        assert len(plan.at_table(r, 1)) <= 3
    check_rules(plan, people, tables, 3, False)


def test_same_seed_same_plan() -> None:
    people, tables = hosted(60, 10, orgs=9)
    assert plan_rotation(people, tables, 4, seed=5).seats == plan_rotation(people, tables, 4, seed=5).seats


def test_plan_accessors() -> None:
    people, tables = hosted(14, 3)
    plan = plan_rotation(people, tables, 3, time_limit=0.2)
    assert plan.rounds == 3
    assert plan.table_of("h2", 1) == 2
    assert "h1" in plan.at_table(0, 1)
    assert sorted(pid for t in (1, 2, 3) for pid in plan.at_table(2, t)) == sorted(p.id for p in people)


@pytest.mark.parametrize(
    "people, tables, rounds, words, free",
    [
        ([Person("a")], [Table(1)], 0, "at least one round", False),
        ([Person("a")], [], 1, "no tables", False),
        ([Person("a"), Person("a")], [Table(1)], 1, "appears twice", False),
        ([Person("a")], [Table(1), Table(1)], 1, "table 1 appears twice", False),
        ([Person("a")], [Table(1, 0)], 1, "capacity", False),
        ([Person("a", host_of=9)], [Table(1)], 1, "does not exist", False),
        ([Person("a", host_of=1), Person("b", host_of=1)], [Table(1), Table(2)], 1, "two hosts", False),
        ([Person(str(i)) for i in range(5)], [Table(1, 2), Table(2, 2)], 1, "do not fit", False),
        ([Person(str(i), stays=True, host_of=1) for i in range(3)] + [Person("x")], [Table(1, 2), Table(2, 5)], 1,
         "stay there", True),
        ([Person(f"h{t}", host_of=t) for t in (1, 2)] + [Person(str(i)) for i in range(7)],
         [Table(1), Table(2), Table(3)], 3, "twice", False),
    ],
)
def test_impossible_input_raises_plan_error(
    people: list[Person], tables: list[Table], rounds: int, words: str, free: bool
) -> None:
    with pytest.raises(PlanError, match=words):
        plan_rotation(people, tables, rounds, free=free)
    assert issubclass(PlanError, ValueError)


def test_measure_by_hand() -> None:
    people = [
        Person("h", host_of=1, organisation="x", role="host"),
        Person("a", organisation="x", role="r1"),
        Person("b", organisation="y", role="r1"),
        Person("c", organisation="y", role="r2"),
    ]
    tables = [Table(1), Table(2)]
    seats: dict[str, list[int | None]] = {"h": [1, 1, 1], "a": [1, 2, 1], "b": [2, 1, 2], "c": [2, 2, 1]}
    f = measure(seats, people, tables)
    # h-a meet in rounds 1 and 3, a-c in rounds 2 and 3: two repeats
    assert f.repeated_encounters == 2
    assert f.revisits == 3  # a back at 1, b back at 2, c stays at 2
    assert f.same_organisation_pairs == 3  # h-a twice, b-c once
    assert f.size_spread == 2  # round 3: three at table 1, one at table 2
    assert (f.new_people_min, f.new_people_max) == (2, 3)
    assert f.repeat_lower_bound == 1  # 7 meetings among 6 pairs
    assert f.as_dict()["repeated_encounters"] == 2
    assert isinstance(f, Figures)


def test_lower_bound_counts_pinned_pairs_and_crowding() -> None:
    people = [Person("s1", stays=True, host_of=1), Person("s2", stays=True, host_of=1), Person("m")]
    seats: dict[str, list[int | None]] = {"s1": [1, 1, 1], "s2": [1, 1, 1], "m": [2, 2, 2]}
    assert measure(seats, people, [Table(1), Table(2)]).repeat_lower_bound == 2
    crowd = [Person(str(i)) for i in range(4)]
    together: dict[str, list[int | None]] = {str(i): [1, 1] for i in range(4)}
    # 12 meetings among 6 pairs: at least 6 repeats
    assert measure(together, crowd, [Table(1)]).repeat_lower_bound == 6


def test_fields_and_offsets() -> None:
    assert prime_power(9) == (3, 2) and prime_power(8) == (2, 3) and prime_power(12) is None
    for p, k in ((2, 2), (3, 2), (2, 3)):
        field = Field(p, k)
        n = p**k
        for x in range(n):
            for y in range(n):
                for z in range(n):
                    assert field.mul(x, field.add(y, z)) == field.add(field.mul(x, y), field.mul(x, z))
            if x:
                assert any(field.mul(x, y) == 1 for y in range(n))
    _, add, conflicts = offsets(9, 9, 9, random.Random(0), time.perf_counter() + 1)
    assert conflicts == 0 and add(3, 0) == 3


# -- re-planning --------------------------------------------------------------------


def test_replan_keeps_the_past_and_fills_vacated_places() -> None:
    people, tables = hosted(300, 30)
    plan = plan_rotation(people, tables, 6)
    absent = {f"p{i}" for i in range(0, 60, 2)}
    arrivals = [Person(f"late{i}") for i in range(15)]
    new = replan(plan, people, tables, played=2, absent=absent, arrivals=arrivals)
    for p in people:
        assert new.seats[p.id][:2] == plan.seats[p.id][:2]
        if p.id not in absent:
            assert new.seats[p.id][2] == plan.seats[p.id][2]
        else:
            assert new.seats[p.id][2:] == [None] * 4
    vacated = Counter(plan.seats[pid][2] for pid in absent)
    for a in arrivals:
        assert new.seats[a.id][:2] == [None, None]
        assert vacated[new.seats[a.id][2]] > 0
    f = new.figures
    assert (f.repeated_encounters, f.revisits) == (0, 0)
    everyone = people + arrivals
    check_rules(new, everyone, tables, 6, False, first=3)


@pytest.mark.parametrize(
    "played, absent, arrivals, words",
    [
        (3, set(), [], "played must be"),
        (1, {"nobody"}, [], "absent but not"),
        (1, set(), [Person("p1")], "already in the plan"),
    ],
)
def test_replan_rejects_bad_input(played: int, absent: set[str], arrivals: list[Person], words: str) -> None:
    people, tables = hosted(12, 3)
    plan = plan_rotation(people, tables, 3, time_limit=0.2)
    with pytest.raises(PlanError, match=words):
        replan(plan, people, tables, played=played, absent=absent, arrivals=arrivals)


# -- choose your theme -----------------------------------------------------------------


def test_choices_all_met_when_demand_fits() -> None:
    people, _ = hosted(38, 7)
    tables = [Table(t, capacity=6) for t in range(1, 8)]
    movers = [p for p in people if p.host_of is None]
    choices = {p.id: [(i % 7) + 1, ((i + 2) % 7) + 1, ((i + 5) % 7) + 1] for i, p in enumerate(movers)}
    plan = plan_choices(people, tables, 3, choices)
    assert plan.figures.choices_met == plan.figures.choices_wanted == 93
    for p in movers:
        assert sorted(t for t in plan.seats[p.id] if t is not None) == sorted(choices[p.id])
    for r in range(3):
        for t in range(1, 8):
            assert len(plan.at_table(r, t)) <= 6
    for t in range(1, 8):
        assert plan.seats[f"h{t}"] == [t, t, t]


def test_choices_over_capacity_go_by_preference() -> None:
    people = [Person(f"p{i}") for i in range(12)]
    tables = [Table(1, capacity=2), Table(2, capacity=6), Table(3, capacity=6)]
    plan = plan_choices(people, tables, 1, {p.id: [1, 2] for p in people})
    assert [len(plan.at_table(0, t)) for t in (1, 2, 3)] == [2, 6, 4]
    # with one round only the first choice counts
    assert (plan.figures.choices_met, plan.figures.choices_wanted) == (2, 12)


@pytest.mark.parametrize(
    "choices, rounds, words",
    [({"p0": [9]}, 2, "does not exist"), ({"p0": [1, 1]}, 2, "same table twice"), ({}, 4, "at least as many tables")],
)
def test_choices_reject_bad_input(choices: dict[str, list[int]], rounds: int, words: str) -> None:
    people = [Person(f"p{i}") for i in range(6)]
    with pytest.raises(PlanError, match=words):
        plan_choices(people, [Table(1), Table(2), Table(3)], rounds, choices)


# -- properties --------------------------------------------------------------------------


@st.composite
def instances(draw: st.DrawFn, *, tidy: bool = False) -> tuple[list[Person], list[Table], int, bool]:
    """Random instances; `tidy` ones (a host at every table or none, no caps) are always solvable."""
    n_tables = draw(st.integers(2, 8))
    free = draw(st.booleans())
    rounds = draw(st.integers(1, n_tables if tidy else n_tables + 2))
    n = draw(st.integers(n_tables + 1, n_tables * 7))
    orgs = draw(st.integers(0, 4))
    people = []
    for i in range(n):
        org = f"o{draw(st.integers(0, orgs))}" if orgs else ""
        people.append(Person(f"p{i}", organisation=org, role=draw(st.sampled_from(["", "a", "b"]))))
    hosts = n_tables if tidy and draw(st.booleans()) else 0 if tidy else draw(st.integers(0, n_tables))
    for t in range(hosts):
        people[t] = Person(people[t].id, people[t].organisation, people[t].role, host_of=t + 1)
    if not tidy:
        for i in draw(st.sets(st.integers(hosts, n - 1), max_size=2)):
            people[i] = Person(people[i].id, people[i].organisation, stays=True)
    tables = []
    for t in range(1, n_tables + 1):
        cap = None if tidy else draw(st.one_of(st.none(), st.integers(1, 12)))
        tables.append(Table(t, cap))
    assume(sum(t.capacity or n for t in tables) >= n)
    return people, tables, rounds, free


@FAST
@given(instances())
def test_every_plan_keeps_the_hard_rules(instance: tuple[list[Person], list[Table], int, bool]) -> None:
    people, tables, rounds, free = instance
    try:
        plan = plan_rotation(people, tables, rounds, free=free, time_limit=0.05)
    except PlanError as error:
        assert str(error)
        return
    check_rules(plan, people, tables, rounds, free)
    assert plan.figures.repeated_encounters >= plan.figures.repeat_lower_bound


@FAST
@given(instances(tidy=True))
def test_tidy_instances_always_get_a_plan(instance: tuple[list[Person], list[Table], int, bool]) -> None:
    people, tables, rounds, free = instance
    plan = plan_rotation(people, tables, rounds, free=free, time_limit=0.05)
    check_rules(plan, people, tables, rounds, free)
    assert plan.figures.size_spread <= 1


@FAST
@given(instances(tidy=True), st.data())
def test_replanning_keeps_the_hard_rules(
    instance: tuple[list[Person], list[Table], int, bool], data: st.DataObject
) -> None:
    people, tables, rounds, free = instance
    plan = plan_rotation(people, tables, rounds, free=free, time_limit=0.05)
    played = data.draw(st.integers(0, rounds - 1))
    ids = [p.id for p in people]
    absent = data.draw(st.sets(st.sampled_from(ids), max_size=len(ids) // 4))
    arrivals = [Person(f"new{i}") for i in range(data.draw(st.integers(0, 4)))]
    new = replan(plan, people, tables, played=played, absent=absent, arrivals=arrivals, free=free, time_limit=0.05)
    for p in people:
        assert new.seats[p.id][:played] == plan.seats[p.id][:played]
        if p.id in absent:
            assert new.seats[p.id][played:] == [None] * (rounds - played)
        else:
            assert new.seats[p.id][played] == plan.seats[p.id][played]
            assert None not in new.seats[p.id][played:]
    vacated = Counter(plan.seats[pid][played] for pid in absent)
    taken = sum(1 for a in arrivals if vacated[new.seats[a.id][played]] > 0)
    assert taken >= min(len(arrivals), sum(vacated.values()))
    for a in arrivals:
        assert new.seats[a.id][:played] == [None] * played
    everyone = people + arrivals
    here = [p for p in everyone if p.id not in absent]
    # Balance comes first in a re-plan. With as many rounds as tables the last tables
    # are forced, and a host who leaves empties a table that only a revisit may fill.
    hosts_left = any(p.host_of is not None and p.id in absent for p in people)
    check_rules(new, here, tables, rounds, free, first=played + 1, moving=rounds < len(tables) and not hosts_left)


@FAST
@given(st.integers(3, 7), st.integers(1, 3), st.integers(8, 40), st.integers(0, 10**6))
def test_choices_are_met_when_they_fit(n_tables: int, rounds: int, n: int, seed: int) -> None:
    rng = random.Random(seed)
    rounds = min(rounds, n_tables)
    people = [Person(f"h{t}", host_of=t) for t in range(1, n_tables + 1)] + [Person(f"p{i}") for i in range(n)]
    choices = {f"p{i}": rng.sample(range(1, n_tables + 1), rounds) for i in range(n)}
    demand = Counter(t for c in choices.values() for t in c)
    cap = 1 + max(-(-demand[t] // rounds) for t in range(1, n_tables + 1))
    tables = [Table(t, cap) for t in range(1, n_tables + 1)]
    plan = plan_choices(people, tables, rounds, choices, seed=seed, time_limit=0.05)
    assert plan.figures.choices_met == plan.figures.choices_wanted == n * rounds
    for r in range(rounds):
        for t in tables:
            assert len(plan.at_table(r, t.number)) <= cap
    for i in range(n):
        row = plan.seats[f"p{i}"]
        assert len(set(row)) == rounds
