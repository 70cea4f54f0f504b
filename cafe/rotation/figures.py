"""Quality figures of a rotation plan, computed from the seats alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

from .model import Figures, Person, PlanError, Seats, Table, is_pinned, pairs


def measure(
    seats: Seats,
    people: Sequence[Person],
    tables: Sequence[Table],
    *,
    free: bool = False,
    choices: Mapping[str, Sequence[int]] | None = None,
) -> Figures:
    """Quality figures of seats (person id -> table per round, None when absent).

    - repeated_encounters: sum over pairs of max(0, m - 1), where m is the number of
      rounds the two sit at the same table.
    - repeat_lower_bound: no plan with these table sizes can do better. Pinned people
      at one table meet every round they are both there (m - 1 repeats each); all other
      meetings, sum of C(size, 2) over rounds and tables less the pinned ones, fall on
      at most C(people, 2) other pairs, so any excess over that count repeats.
    - revisits: seats of a person who moves at a table they sat at in an earlier
      round (unavoidable only when there are more rounds than tables).
    - new_people_*: number of distinct others each person meets, min/mean/max.
    - size_spread: max over rounds of (largest table - smallest table), counting
      empty tables as 0; capacities or pinned people can force it above 1.
    - same_organisation_pairs / same_role_pairs: pairs at the same table in the same
      round sharing a non-empty organisation / role, summed over rounds.
    - role_mix: mean over tables and rounds of distinct roles seated divided by the
      most that could be (fewer of people with a role there and roles present that
      round); 1.0 is a perfect mix, and also the value when nobody has a role.
    - choices_met / choices_wanted: of each person's first min(k, rounds) choices,
      how many they visit / how many there are.
    """
    by_id = {p.id: p for p in people}
    for pid in seats:
        if pid not in by_id:
            raise PlanError(f"{pid} has seats but is not among the people")
    rounds = max((len(row) for row in seats.values()), default=0)
    ids = list(seats)
    n = len(ids)
    org = [by_id[pid].organisation for pid in ids]
    role = [by_id[pid].role for pid in ids]
    known = {t.number for t in tables}
    meetings: dict[int, int] = {}
    same_org = same_role = 0
    spread = 0
    mix_sum = 0.0
    mix_count = 0
    total_meetings = 0
    for r in range(rounds):
        groups: dict[int, list[int]] = defaultdict(list)
        for i, pid in enumerate(ids):
            row = seats[pid]
            t = row[r] if r < len(row) else None
            if t is not None:
                groups[t].append(i)
        sizes = [len(groups.get(k, ())) for k in known] + [len(g) for k, g in groups.items() if k not in known]
        if sizes:
            spread = max(spread, max(sizes) - min(sizes))
        roles_now = len({role[i] for g in groups.values() for i in g} - {""})
        for group in groups.values():
            total_meetings += pairs(len(group))
            for a, b in combinations(group, 2):
                key = a * n + b if a < b else b * n + a
                meetings[key] = meetings.get(key, 0) + 1
            same_org += _same(org[i] for i in group)
            if roles_now:
                same_role += _same(role[i] for i in group)
                seated = [role[i] for i in group if role[i]]
                best = min(len(seated), roles_now)
                if best:
                    mix_sum += len(set(seated)) / best
                    mix_count += 1
    met = [0] * n
    repeats = 0
    for key, m in meetings.items():
        a, b = divmod(key, n)
        met[a] += 1
        met[b] += 1
        repeats += m - 1
    met_by_id = dict(zip(ids, met))
    present = [pid for pid in ids if any(t is not None for t in seats[pid])]
    new_people = [met_by_id[pid] for pid in present]
    revisits = 0
    for pid in ids:
        if is_pinned(by_id[pid], free):
            continue
        seen: set[int] = set()
        for t in seats[pid]:
            if t is None:
                continue
            if t in seen:
                revisits += 1
            seen.add(t)
    met_choices = wanted = 0
    for pid, wish in (choices or {}).items():
        if pid in seats and not is_pinned(by_id[pid], False):
            top = set(wish[:rounds])
            wanted += len(top)
            met_choices += len(top & {t for t in seats[pid] if t is not None})
    return Figures(
        rounds=rounds,
        people=len(present),
        repeated_encounters=repeats,
        repeat_lower_bound=repeat_lower_bound(seats, people, total_meetings, len(present), free),
        revisits=revisits,
        new_people_min=min(new_people, default=0),
        new_people_mean=round(sum(new_people) / len(new_people), 2) if new_people else 0.0,
        new_people_max=max(new_people, default=0),
        size_spread=spread,
        same_organisation_pairs=same_org,
        same_role_pairs=same_role,
        role_mix=round(mix_sum / mix_count, 3) if mix_count else 1.0,
        choices_met=met_choices,
        choices_wanted=wanted,
    )


def _same(values: Iterable[str]) -> int:
    """Pairs sharing a non-empty value."""
    count: dict[str, int] = {}
    for v in values:
        if v:
            count[v] = count.get(v, 0) + 1
    return sum(pairs(c) for c in count.values())


def repeat_lower_bound(seats: Seats, people: Sequence[Person], total_meetings: int, n: int, free: bool) -> int:
    """The counting bound described in `measure`."""
    pinned_at: dict[int, list[list[int | None]]] = defaultdict(list)
    for p in people:
        if is_pinned(p, free) and p.id in seats:
            row = seats[p.id]
            table = next((t for t in row if t is not None), None)
            if table is not None:
                pinned_at[table].append(row)
    forced = 0
    pinned_pairs = 0
    pinned_meetings = 0
    for rows in pinned_at.values():
        for a, b in combinations(rows, 2):
            m = sum(1 for x, y in zip(a, b) if x is not None and y is not None)
            pinned_pairs += 1
            pinned_meetings += m
            forced += max(0, m - 1)
    excess = (total_meetings - pinned_meetings) - (pairs(n) - pinned_pairs)
    return forced + max(0, excess)
