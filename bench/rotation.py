"""Benchmark of the rotation planner: quality figures and time on the reference instances.

Run from the repository root: `python bench/rotation.py`. Each instance is planned
five times with the same seed; the table shows the worst figures of the five runs
and the median time, and whether every run met the target. Hosts are fixed, one
per table, unless the instance is marked free.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cafe.rotation import Figures, Person, Plan, Table, plan_choices, plan_rotation, replan

RUNS = 5


@dataclass
class Target:
    """What an instance must reach; None means not part of its target."""

    repeats: int | None = 0
    revisits: int | None = 0
    spread: int | None = 1
    orgs: int | None = None
    seconds: float = 0.05
    all_choices: bool = False

    def met(self, f: Figures, seconds: float) -> bool:
        """Whether one run's figures and the median time meet the target."""
        return (
            (self.repeats is None or f.repeated_encounters <= self.repeats)
            and (self.revisits is None or f.revisits <= self.revisits)
            and (self.spread is None or f.size_spread <= self.spread)
            and (self.orgs is None or f.same_organisation_pairs <= self.orgs)
            and seconds < self.seconds
            and (not self.all_choices or f.choices_met == f.choices_wanted)
        )

    def describe(self) -> str:
        """The target in a few words."""
        parts = []
        if self.repeats is not None:
            parts.append(f"rep<={self.repeats}")
        if self.revisits is not None:
            parts.append(f"rev<={self.revisits}")
        if self.spread is not None:
            parts.append(f"spread<={self.spread}")
        if self.orgs is not None:
            parts.append(f"org<={self.orgs}")
        if self.all_choices:
            parts.append("all choices")
        parts.append(f"<{self.seconds * 1000:g}ms")
        return " ".join(parts)


def crowd(n: int, tables: int, *, hosts: bool = True, orgs: bool = False, seed: int = 1) -> list[Person]:
    """n people, a host per table unless not `hosts`, in organisations of at most `tables` members.

    Hosts form the hosting team (one organisation, one member per table); everyone
    else belongs to an organisation of 1 to `tables` people, sizes drawn at random.
    """
    rng = random.Random(seed)
    people = [Person(f"host{t}", organisation="hosting team" if orgs else "", host_of=t) for t in range(1, tables + 1)]
    if not hosts:
        people = []
    names: list[str] = []
    while len(names) < n - len(people):
        names.extend([f"org{len(names)}"] * rng.randint(1, tables))
    names = names[: n - len(people)]
    rng.shuffle(names)
    people += [Person(f"p{i}", organisation=names[i] if orgs else "") for i in range(n - len(people))]
    return people


def run(make: Callable[[], Plan]) -> tuple[list[Figures], list[float]]:
    """Plan an instance RUNS times; return the figures and the times in seconds."""
    figures, times = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        plan = make()
        times.append(time.perf_counter() - start)
        figures.append(plan.figures)
    return figures, times


def worst(figures: list[Figures]) -> Figures:
    """The worst value of each figure over runs."""
    f = figures[0]
    return Figures(
        rounds=f.rounds,
        people=f.people,
        repeated_encounters=max(x.repeated_encounters for x in figures),
        repeat_lower_bound=f.repeat_lower_bound,
        revisits=max(x.revisits for x in figures),
        size_spread=max(x.size_spread for x in figures),
        same_organisation_pairs=max(x.same_organisation_pairs for x in figures),
        choices_met=min(x.choices_met for x in figures),
        choices_wanted=f.choices_wanted,
    )


def replan_instance(seed: int = 7) -> Callable[[], Plan]:
    """(300, 30, 6) planned, then re-planned after round 2 with 10% no-shows and 5% arrivals.

    No-shows are drawn among participants, not hosts. Only the re-plan is timed.
    """
    people = crowd(300, 30)
    tables = [Table(t) for t in range(1, 31)]
    plan = plan_rotation(people, tables, 6, seed=seed)
    rng = random.Random(seed)
    absent = set(rng.sample([p.id for p in people if p.host_of is None], 30))
    arrivals = [Person(f"late{i}") for i in range(15)]
    return lambda: replan(plan, people, tables, played=2, absent=absent, arrivals=arrivals, seed=seed)


def choices_instance(seed: int = 3) -> Callable[[], Plan]:
    """38 people, 7 themed tables with hosts and 6 chairs, 3 rounds, 3 choices each that fit."""
    tables = [Table(t, capacity=6) for t in range(1, 8)]
    people = crowd(38, 7)
    rng = random.Random(seed)
    while True:
        picks = {p.id: rng.sample(range(1, 8), 3) for p in people if p.host_of is None}
        demand = [sum(t in c for c in picks.values()) for t in range(1, 8)]
        if max(demand) <= 5 * 3:
            break
    return lambda: plan_choices(people, tables, 3, picks, seed=seed)


def instances() -> list[tuple[str, Target, Callable[[], Plan]]]:
    """Every benchmark instance with its target."""
    out: list[tuple[str, Target, Callable[[], Plan]]] = []
    sizes = [(38, 7, 5), (38, 7, 7), (40, 8, 4), (140, 20, 3), (300, 30, 6), (1000, 100, 4)]
    for orgs in (False, True):
        for n, t, r in sizes:
            people, tables = crowd(n, t, orgs=orgs), [Table(i) for i in range(1, t + 1)]
            target = Target(orgs=0, seconds=0.3) if orgs else Target()
            label = f"{n}-{t}-{r}" + (" orgs" if orgs else "")
            out.append((label, target, partial(plan_rotation, people, tables, r)))
    for n, limit in ((24, 5), (36, 78)):
        people, tables = crowd(n, 6), [Table(i) for i in range(1, 7)]
        out.append((f"{n}-6-6", Target(repeats=limit, seconds=2.0), partial(plan_rotation, people, tables, 6)))
    golfers, groups = crowd(32, 8, hosts=False), [Table(i) for i in range(1, 9)]
    out.append(("golf 8-4-10 free", Target(repeats=32, revisits=None, spread=None, seconds=2.0),
                partial(plan_rotation, golfers, groups, 10, free=True)))
    out.append(("replan 300-30-6 @2", Target(seconds=0.1), replan_instance()))
    out.append(("choices 38-7-3", Target(repeats=None, revisits=0, spread=None, seconds=2.0, all_choices=True),
                choices_instance()))
    return out


def main() -> None:
    """Run every instance and print the table."""
    head = (
        f"{'instance':<20} {'rep':>4} {'bound':>5} {'rev':>4} {'spread':>6} {'org':>4} {'choices':>7} {'ms':>8}  target"
    )
    print(f"worst figures of {RUNS} runs, median time")
    print(head)
    print("-" * len(head))
    missed = 0
    for name, target, make in instances():
        figures, times = run(make)
        f = worst(figures)
        median = statistics.median(times)
        ok = all(target.met(x, median) for x in figures)
        missed += not ok
        choices = f"{f.choices_met}/{f.choices_wanted}" if f.choices_wanted else "-"
        print(
            f"{name:<20} {f.repeated_encounters:>4} {f.repeat_lower_bound:>5} {f.revisits:>4} {f.size_spread:>6} "
            f"{f.same_organisation_pairs:>4} {choices:>7} {median * 1000:>8.1f}  "
            f"{target.describe()}: {'met' if ok else 'MISSED'}"
        )
    print(f"{missed} target(s) missed")


if __name__ == "__main__":
    main()
