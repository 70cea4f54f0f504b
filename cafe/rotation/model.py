"""Data types of the rotation planner and the checks every planner makes on its input."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

Seats = dict[str, list[int | None]]

# Meeting counts are kept in bytes.
MAX_ROUNDS = 255


class PlanError(ValueError):
    """Input for which no plan can be made; the message tells a person why."""


@dataclass(frozen=True)
class Person:
    """A participant; `host_of` pins a host to a table, `stays` pins anyone."""

    id: str
    organisation: str = ""
    role: str = ""
    host_of: int | None = None
    stays: bool = False


@dataclass(frozen=True)
class Table:
    """A table; `capacity` None means as many chairs as needed."""

    number: int
    capacity: int | None = None


@dataclass
class Figures:
    """Quality figures of a plan; `measure` documents each one."""

    rounds: int = 0
    people: int = 0
    repeated_encounters: int = 0
    repeat_lower_bound: int = 0
    revisits: int = 0
    new_people_min: int = 0
    new_people_mean: float = 0.0
    new_people_max: int = 0
    size_spread: int = 0
    same_organisation_pairs: int = 0
    same_role_pairs: int = 0
    role_mix: float = 1.0
    choices_met: int = 0
    choices_wanted: int = 0

    def as_dict(self) -> dict[str, int | float]:
        """The figures as a plain dict, for JSON, templates and CSV rows."""
        return asdict(self)


@dataclass
class Plan:
    """Seats per person and round (None: not present that round) and their figures."""

    seats: Seats
    figures: Figures

    @property
    def rounds(self) -> int:
        """Number of rounds in the plan."""
        return self.figures.rounds

    def table_of(self, person_id: str, round_index: int) -> int | None:
        """Table of a person in a round (index 0 is round 1), None if absent."""
        return self.seats[person_id][round_index]

    def at_table(self, round_index: int, table: int) -> list[str]:
        """Ids of the people at a table in a round (index 0 is round 1)."""
        return [pid for pid, row in self.seats.items() if row[round_index] == table]


@dataclass
class Instance:
    """Checked input in index form: people and tables are numbered from 0."""

    people: list[Person]
    tables: list[Table]
    rounds: int
    free: bool
    capacity: list[int]
    home: list[int | None]
    """Table index of each pinned person (host or stays); None for movers."""
    org: list[int]
    role: list[int]
    """Small integer codes; -1 where the text is empty."""

    @property
    def pinned(self) -> list[bool]:
        """Whether each person stays at one table all event."""
        return [h is not None for h in self.home]

    def fixed_count(self) -> list[int]:
        """Pinned people per table."""
        count = [0] * len(self.tables)
        for h in self.home:
            if h is not None:
                count[h] += 1
        return count


def pairs(n: int) -> int:
    """Number of unordered pairs among n."""
    return n * (n - 1) // 2


def codes(values: Iterable[str]) -> tuple[list[int], int]:
    """Number distinct non-empty strings from 0 in order of first use; '' becomes -1."""
    seen: dict[str, int] = {}
    out = []
    for v in values:
        if not v:
            out.append(-1)
        else:
            out.append(seen.setdefault(v, len(seen)))
    return out, len(seen)


def is_pinned(person: Person, free: bool) -> bool:
    """Whether a person never moves: stays, or hosts a table outside free mode.

    A person who stays and hosts a table stays at that table even in free mode.
    """
    return person.stays or (person.host_of is not None and not free)


def check_tables(tables: Sequence[Table]) -> dict[int, int]:
    """Validate tables and map each table number to its index."""
    if not tables:
        raise PlanError("there are no tables")
    index: dict[int, int] = {}
    for i, t in enumerate(tables):
        if t.number in index:
            raise PlanError(f"table {t.number} appears twice")
        if t.capacity is not None and t.capacity < 1:
            raise PlanError(f"table {t.number} has capacity {t.capacity}; a capacity must be at least 1")
        index[t.number] = i
    return index


def check_people(people: Sequence[Person], table_index: dict[int, int], free: bool) -> None:
    """Validate ids and hosts against the tables."""
    seen: set[str] = set()
    hosts: dict[int, str] = {}
    for p in people:
        if not p.id:
            raise PlanError("a person has an empty id")
        if p.id in seen:
            raise PlanError(f"person {p.id!r} appears twice")
        seen.add(p.id)
        if p.host_of is None:
            continue
        if p.host_of not in table_index:
            raise PlanError(f"{p.id} hosts table {p.host_of}, which does not exist")
        if not free:
            if p.host_of in hosts:
                raise PlanError(f"table {p.host_of} has two hosts: {hosts[p.host_of]} and {p.id}")
            hosts[p.host_of] = p.id


def prepare(people: Sequence[Person], tables: Sequence[Table], rounds: int, free: bool) -> Instance:
    """Check the input of a plan and put it in index form; raise PlanError if impossible."""
    if rounds < 1:
        raise PlanError(f"there must be at least one round (got {rounds})")
    if rounds > MAX_ROUNDS:
        raise PlanError(f"at most {MAX_ROUNDS} rounds can be planned (got {rounds})")
    table_index = check_tables(tables)
    check_people(people, table_index, free)
    n = len(people)
    capacity = [n if t.capacity is None else t.capacity for t in tables]
    if sum(capacity) < n:
        raise PlanError(f"{n} people do not fit: the tables seat {sum(capacity)} in all")
    home: list[int | None] = [None] * n
    fixed = [0] * len(tables)
    for i, p in enumerate(people):
        if p.host_of is not None and is_pinned(p, free):
            home[i] = table_index[p.host_of]
            fixed[table_index[p.host_of]] += 1
    for i, p in enumerate(people):
        if p.stays and home[i] is None:
            # Unhosted tables first, so pinned people spread one to a table where possible.
            best = min(range(len(tables)), key=lambda t: (fixed[t], -capacity[t], t))
            home[i] = best
            fixed[best] += 1
    for t, count in enumerate(fixed):
        if count > capacity[t]:
            raise PlanError(f"table {tables[t].number} seats {capacity[t]} but {count} people stay there")
    org, _ = codes(p.organisation for p in people)
    role, _ = codes(p.role for p in people)
    return Instance(list(people), list(tables), rounds, free, capacity, home, org, role)


def level_sizes(capacity: Sequence[int], fixed: Sequence[int], n: int) -> tuple[list[int], list[int], int]:
    """Balanced table sizes for n people: (base sizes, tables that may take one more, how many do).

    Sizes are filled like water: every table gets the same level L, raised to its pinned
    people and cut at its capacity; `extra` of the `eligible` tables seat L + 1.
    """

    def filled(level: int) -> int:
        return sum(min(c, max(level, f)) for c, f in zip(capacity, fixed))

    level = 0
    while level < max(capacity) and filled(level + 1) <= n:
        level += 1
    base = [min(c, max(level, f)) for c, f in zip(capacity, fixed)]
    eligible = [t for t, (c, f) in enumerate(zip(capacity, fixed)) if f <= level < c]
    return base, eligible, n - sum(base)


def is_balanced(sizes: Sequence[int], movers: Sequence[int], capacity: Sequence[int]) -> bool:
    """The balance rule for one round, with table sizes, movers per table and capacities.

    No table is over capacity, and no person who moves could go from a table to one
    with room that is two or more smaller: sizes differ by at most one except where
    a capacity or a table's pinned people make that impossible.
    """
    if any(s > c for s, c in zip(sizes, capacity)):
        return False
    with_movers = [s for s, m in zip(sizes, movers) if m > 0]
    with_room = [s for s, c in zip(sizes, capacity) if s < c]
    return not with_movers or not with_room or max(with_movers) <= min(with_room) + 1
